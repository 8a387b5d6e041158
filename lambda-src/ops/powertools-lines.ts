/**
 * Powertools Logger and Metrics that write each JSON line to a sink, with a fast path
 * for the lines every request writes.
 *
 * Powertools builds a log line through several objects (a log item, the attribute
 * stores, a deep merge, a pass that drops empty keys, environment reads) and an EMF
 * line through its metric, dimension and metadata stores: together about a fifth of a
 * warm request's CPU, with four lines per tool call (CPU profiles of the benchmark). The lines
 * themselves are simple, so:
 *
 * - `SinkLogger.flatLine` writes, for fields that are flat primitives, the line
 *   Powertools would print for `logger[level](message, fields)`: the same keys in the
 *   same order, the same level filter, timestamp and X-Ray trace id, empty values
 *   dropped; one object and one JSON.stringify. The base values it cannot read per line
 *   (service, sampling rate) come from a log item Powertools itself built at
 *   construction. Anything it does not cover goes through Powertools.
 * - `SinkMetrics.publishReport` lets Powertools serialize the first report of each
 *   shape (breakdown value, metric names and units), keeps that EMF object, and for a
 *   later report of the same shape only sets the timestamp and the values in it.
 *
 * test/ops/powertools-lines.test.ts holds both to Powertools' own output.
 */
import { LogLevelThreshold, Logger } from '@aws-lambda-powertools/logger';
import type { LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';

/** Where each JSON line goes (stdout in Lambda). */
export type LineSink = (line: string) => void;

/** A value `flatLine` writes as Powertools would: no object, array, bigint or Error. */
export type FlatValue = string | number | boolean | undefined;

export type FlatLevel = 'INFO' | 'WARN' | 'ERROR';

/** Logger that writes its lines to our sink instead of its own Console on stdout. */
export class SinkLogger extends Logger {
  private sink?: LineSink;
  /** Powertools' own `service` and `sampling_rate` values (see the constructor). */
  private readonly base: { readonly service: unknown; readonly samplingRate: unknown };
  /** Timestamps are UTC ISO strings (Powertools formats others with an offset: not ours to copy). */
  private readonly utc: boolean;

  constructor(sink: LineSink, options: ConstructorParameters<typeof Logger>[0]) {
    super(options);
    this.sink = sink;
    // A log item built, not printed, by Powertools: its base keys are the values this
    // logger resolved from its options and the environment (service name, sample rate).
    const probe = this.createAndPopulateLogItem(LogLevelThreshold.INFO, '', []).getAttributes();
    this.base = { service: probe.service, samplingRate: probe.sampling_rate };
    // Powertools reads TZ per line; Lambda sets it once per environment (`:UTC`).
    const tz = process.env.TZ;
    this.utc = !tz || tz.includes('UTC');
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const attributes = log.getAttributes();
    // Powertools' replacer (errors, bigints, cycles) makes JSON.stringify several times
    // slower; our lines are flat primitives but for an `error`, so use it only then.
    const line = needsReplacer(attributes)
      ? JSON.stringify(attributes, this.getJsonReplacer())
      : JSON.stringify(attributes);
    this.write(line);
  }

  /**
   * Writes what `this[level](message, fields)` would print, faster (see the module doc).
   * `fields` are the telemetry's own keys: none of Powertools' reserved keys (`level`,
   * `message`, `timestamp`, `service`, `sampling_rate`), which Powertools would drop.
   */
  flatLine(level: FlatLevel, message: string, fields: Readonly<Record<string, FlatValue>>): void {
    if (LogLevelThreshold[level] < this.level) return;
    if (!this.utc) {
      this[level === 'INFO' ? 'info' : level === 'WARN' ? 'warn' : 'error'](message, fields);
      return;
    }
    // Powertools' base keys in its order (PowertoolsLogFormatter), so that a field named
    // like one (`cold_start`) lands where Powertools puts it; undefined ones are not printed.
    const line: Record<string, unknown> = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.base.service,
      cold_start: undefined,
      function_arn: undefined,
      function_memory_size: undefined,
      function_name: undefined,
      function_request_id: undefined,
      sampling_rate: this.base.samplingRate,
      xray_trace_id: xrayTraceId(),
      tenant_id: undefined,
    };
    for (const key in fields) {
      const value = fields[key];
      if (value !== undefined) line[key] = value;
    }
    // Powertools drops empty strings and nulls (LogItem.removeEmptyKeys).
    for (const key in line) {
      const value = line[key];
      if (value === '' || value === null) line[key] = undefined;
    }
    this.write(JSON.stringify(line));
  }

  private write(line: string): void {
    if (this.sink) this.sink(line);
    else process.stdout.write(`${line}\n`);
  }
}

/**
 * The X-Ray trace id Powertools logs (`xray_trace_id`), read as its commons
 * `getXRayTraceIdFromEnv` reads it: from the runtime's per-invocation store when there
 * is one (concurrent invocations), else from `_X_AMZN_TRACE_ID`; the `Root` field.
 */
function xrayTraceId(): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }).awslambda?.InvokeStore;
  const header = store?.getXRayTraceId?.() ?? process.env._X_AMZN_TRACE_ID?.trim() ?? '';
  if (header === '') return undefined;
  if (!header.includes('=')) return header;
  let root: string | undefined;
  for (const field of header.split(';')) {
    const [key, value] = field.split('=');
    if (key === 'Root') root = value;
  }
  return root;
}

function needsReplacer(attributes: Record<string, unknown>): boolean {
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== null && typeof value === 'object') return true;
    if (typeof value === 'bigint') return true;
  }
  return false;
}

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** One kind of metric report: its breakdown dimension and metrics, in the order they are published. */
export class MetricReport {
  constructor(readonly dimension: string, readonly metrics: ReadonlyArray<readonly [name: string, unit: Unit]>) {}
}

/** An EMF object as Powertools serialized it, and its `_aws` member (where the timestamp is). */
interface Shape {
  readonly emf: Record<string, unknown>;
  readonly aws: { Timestamp: number };
}

/** Breakdown values kept per report; past it the cache starts again (a registry that keeps renaming tools). */
const MAX_SHAPES = 256;

/** Metrics whose EMF lines go to our sink; the same line Powertools would print. */
export class SinkMetrics extends Metrics {
  /** Per report, the shape of each breakdown value: this instance's (its namespace and service are in them). */
  private readonly shapes = new Map<MetricReport, Map<string, Shape>>();

  constructor(private readonly sink: LineSink, options: ConstructorParameters<typeof Metrics>[0]) {
    super(options);
  }

  override publishStoredMetrics(): this {
    try {
      if (!this.isDisabled() && this.hasStoredMetrics()) this.sink(JSON.stringify(this.serializeMetrics()));
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    return this;
  }

  /**
   * One EMF line: `values` (in `report.metrics` order) under two dimension sets,
   * [service] (the whole server, for alarms) and [service, report.dimension=value]
   * (the breakdown). Throws what Powertools throws for a value it refuses.
   */
  publishReport(report: MetricReport, value: string, values: readonly number[]): void {
    if (this.isDisabled()) return;
    let shapes = this.shapes.get(report);
    if (!shapes) {
      shapes = new Map();
      this.shapes.set(report, shapes);
    }
    const shape = shapes.get(value);
    if (shape && values.every((v) => typeof v === 'number')) {
      // The same line Powertools would serialize: only the timestamp and values differ.
      shape.aws.Timestamp = Date.now();
      for (let i = 0; i < values.length; i++) shape.emf[report.metrics[i][0]] = values[i];
      this.sink(JSON.stringify(shape.emf));
      return;
    }
    let emf: Record<string, unknown> | undefined;
    try {
      this.addDimension(report.dimension, value);
      this.addDimensions({});
      report.metrics.forEach(([name, unit], i) => this.addMetric(name, unit, values[i]));
      emf = this.serializeMetrics() as unknown as Record<string, unknown>;
    } finally {
      this.clearMetrics();
      this.clearDimensions();
      this.clearMetadata();
    }
    this.sink(JSON.stringify(emf));
    // Only a shape Powertools took without a warning: an empty value is skipped with
    // one, which a kept shape would no longer repeat.
    if (value === '') return;
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(value, { emf, aws: emf._aws as { Timestamp: number } });
  }
}
