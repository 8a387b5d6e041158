/**
 * The fast lines of ops/powertools-lines.ts against Powertools' own: for the same
 * message, fields and environment, `SinkLogger.flatLine` must print the line a plain
 * Powertools Logger prints, and `SinkMetrics.publishReport` the EMF line a plain
 * Powertools Metrics prints, byte for byte (key order included) once the clock is
 * fixed. If a Powertools upgrade changes its format, these fail.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type FlatLevel, type FlatValue, MetricReport, SinkLogger, SinkMetrics } from '../../lambda-src/ops/powertools-lines';

const ENV_KEYS = ['POWERTOOLS_LOG_LEVEL', 'AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_LOGGER_SAMPLE_RATE', '_X_AMZN_TRACE_ID', 'TZ', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_DEV'];
const savedEnv: Record<string, string | undefined> = {};

beforeEach(() => {
  for (const key of ENV_KEYS) {
    savedEnv[key] = process.env[key];
    delete process.env[key];
  }
  jest.spyOn(Date, 'now').mockReturnValue(1_767_225_600_123);
  jest.useFakeTimers({ now: 1_767_225_600_123, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});

afterEach(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  jest.useRealTimers();
  jest.restoreAllMocks();
});

/**
 * What `run` prints, line by line: Powertools prints through its own Console, INFO to
 * stdout and WARN and ERROR to stderr (our sink takes both).
 */
function printedBy(run: () => void): string[] {
  const lines: string[] = [];
  const capture = ((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((l) => l.length > 0));
    return true;
  }) as typeof process.stdout.write;
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines;
}

const REQUEST_FIELDS: Record<string, FlatValue> = {
  requestId: 'req-1',
  cold_start: true,
  method: 'POST',
  path: '/mcp',
  status: 200,
  latencyMs: 3,
  mcpMethod: 'tools/call',
  tool: '',
  protocolVersion: undefined,
  session: 'a1b2c3d4e5f6',
  principalKind: 'iam',
  principalId: 'arn:aws:iam::123456789012:user/alice',
  origin: undefined,
  streamed: false,
  contentEncoding: undefined,
};

function compare(level: FlatLevel, message: string, fields: Record<string, FlatValue>): { ours: string[]; powertools: string[] } {
  const ours: string[] = [];
  const fast = new SinkLogger((line) => ours.push(line), { serviceName: 'lines-test' });
  const powertools = printedBy(() => {
    const plain = new Logger({ serviceName: 'lines-test' });
    plain[level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error'](message, { ...fields });
  });
  fast.flatLine(level, message, fields);
  return { ours, powertools };
}

describe('SinkLogger.flatLine prints what Powertools Logger prints', () => {
  test.each<FlatLevel>(['INFO', 'WARN', 'ERROR'])('%s, with empty and undefined fields dropped and cold_start in its place', (level) => {
    const { ours, powertools } = compare(level, 'http request', REQUEST_FIELDS);
    expect(powertools).toHaveLength(1);
    expect(ours).toEqual(powertools);
    const line = JSON.parse(ours[0]);
    expect(Object.keys(line).slice(0, 6)).toEqual(['level', 'message', 'timestamp', 'service', 'cold_start', 'sampling_rate']);
    expect(line).not.toHaveProperty('tool');
    expect(line).not.toHaveProperty('origin');
  });

  test('with an X-Ray trace id and a sample rate from the environment', () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047;Sampled=1';
    process.env.POWERTOOLS_LOGGER_SAMPLE_RATE = '0.25';
    const { ours, powertools } = compare('INFO', 'function invocation', { requestId: 'req-2', kind: 'tool', name: 'echo', outcome: 'ok', latencyMs: 1 });
    // Sampling may also turn on DEBUG at construction, which Powertools announces in a line of its own.
    expect(ours).toEqual(powertools.filter((l) => !l.includes('due to sampling rate')));
    expect(JSON.parse(ours[0])).toMatchObject({ xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793', sampling_rate: 0.25 });
  });

  test("with the trace id from the runtime's per-invocation store (concurrent invocations)", () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-00000000-000000000000000000000000;Sampled=0';
    const g = globalThis as { awslambda?: Record<string, unknown> };
    const saved = g.awslambda;
    g.awslambda = { ...saved, InvokeStore: { getXRayTraceId: () => 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=557abcec3ee5a047' } };
    try {
      const { ours, powertools } = compare('INFO', 'http request', REQUEST_FIELDS);
      expect(ours).toEqual(powertools);
      expect(JSON.parse(ours[0]).xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    } finally {
      g.awslambda = saved;
    }
  });

  test('the log level filters the same lines', () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    expect(compare('INFO', 'http request', REQUEST_FIELDS)).toEqual({ ours: [], powertools: [] });
    const warn = compare('WARN', 'function invocation', { requestId: 'req-3', kind: 'tool', name: 'echo', outcome: 'timeout', latencyMs: 9 });
    expect(warn.ours).toHaveLength(1);
    expect(warn.ours).toEqual(warn.powertools);
  });

  test('a time zone other than UTC: Powertools formats the timestamp', () => {
    // The real clock: the offset is computed from it.
    jest.useRealTimers();
    jest.restoreAllMocks();
    process.env.TZ = 'Asia/Dhaka';
    const { ours, powertools } = compare('INFO', 'http request', REQUEST_FIELDS);
    const timestamp = /"timestamp":"([^"]+)"/;
    // Powertools' offset format, not toISOString's `Z`.
    expect(ours[0].match(timestamp)?.[1]).toMatch(/[+-]\d\d:\d\d$/);
    expect(ours.map((l) => l.replace(timestamp, ''))).toEqual(powertools.map((l) => l.replace(timestamp, '')));
  });
});

describe('SinkMetrics.publishReport prints what Powertools Metrics prints', () => {
  const REPORT_METRICS = [['Requests', MetricUnit.Count], ['RequestErrors', MetricUnit.Count], ['RequestLatency', MetricUnit.Milliseconds]] as const;

  function powertoolsLine(value: string, values: number[]): string[] {
    return printedBy(() => {
      const plain = new Metrics({ namespace: 'LinesTest', serviceName: 'lines-test' });
      plain.addDimension('method', value);
      plain.addDimensions({});
      REPORT_METRICS.forEach(([name, unit], i) => plain.addMetric(name, unit, values[i]));
      plain.publishStoredMetrics();
    });
  }

  test('the first report of a shape, and later ones from the kept shape with new values and timestamps', () => {
    const ours: string[] = [];
    const metrics = new SinkMetrics((line) => ours.push(line), { namespace: 'LinesTest', serviceName: 'lines-test' });
    const report = new MetricReport('method', REPORT_METRICS);

    metrics.publishReport(report, 'tools/call', [1, 0, 12]);
    expect(ours).toEqual(powertoolsLine('tools/call', [1, 0, 12]));

    jest.spyOn(Date, 'now').mockReturnValue(1_767_225_601_456);
    metrics.publishReport(report, 'tools/call', [1, 1, 250]);
    expect(ours[1]).toBe(powertoolsLine('tools/call', [1, 1, 250])[0]);
    expect(JSON.parse(ours[1])).toMatchObject({ _aws: { Timestamp: 1_767_225_601_456 }, method: 'tools/call', RequestErrors: 1, RequestLatency: 250 });

    metrics.publishReport(report, 'tools/list', [1, 0, 2]);
    expect(ours[2]).toBe(powertoolsLine('tools/list', [1, 0, 2])[0]);
  });

  test('each instance keeps its own shapes: another service or namespace is not mixed in', () => {
    const report = new MetricReport('method', REPORT_METRICS);
    const lines: string[] = [];
    new SinkMetrics((line) => lines.push(line), { namespace: 'LinesTest', serviceName: 'lines-test' }).publishReport(report, 'tools/call', [1, 0, 12]);
    new SinkMetrics((line) => lines.push(line), { namespace: 'Other', serviceName: 'other-service' }).publishReport(report, 'tools/call', [1, 0, 12]);
    expect(JSON.parse(lines[1])).toMatchObject({ service: 'other-service', _aws: { CloudWatchMetrics: [{ Namespace: 'Other' }] } });
  });

  test('a value Powertools refuses is refused on a kept shape too', () => {
    const metrics = new SinkMetrics(() => undefined, { namespace: 'LinesTest', serviceName: 'lines-test' });
    const report = new MetricReport('method', REPORT_METRICS);
    metrics.publishReport(report, 'tools/call', [1, 0, 12]);
    expect(() => metrics.publishReport(report, 'tools/call', [1, 0, 'soon' as unknown as number])).toThrow(RangeError);
  });

  test('POWERTOOLS_METRICS_DISABLED=true: no line', () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const ours: string[] = [];
    const metrics = new SinkMetrics((line) => ours.push(line), { namespace: 'LinesTest', serviceName: 'lines-test' });
    metrics.publishReport(new MetricReport('method', REPORT_METRICS), 'tools/call', [1, 0, 12]);
    expect(ours).toEqual([]);
  });
});
