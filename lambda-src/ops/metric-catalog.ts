/**
 * The metrics this server emits, in one place: names, units and the namespace, as
 * docs/operations.md, "Operations: logs, metrics, tracing, compression" lists them. Alarms and dashboards (the construct's
 * `monitoring` option) refer to these names.
 */
export const METRICS_NAMESPACE = 'McpLambdaServer';

/** EMF units (CloudWatch StandardUnit names). */
export const Unit = { Count: 'Count', Milliseconds: 'Milliseconds' } as const;

export const Metric = {
  /** Every HTTP request; dimensions [service] and [service, method]. */
  Requests: 'Requests',
  /** Requests answered with a 5xx status. */
  RequestErrors: 'RequestErrors',
  /** Milliseconds to status and headers. */
  RequestLatency: 'RequestLatency',
  /** Tool function invocations; dimensions [service] and [service, tool]. */
  ToolCalls: 'ToolCalls',
  /** Invocations whose outcome was not `ok` (function error, timeout, throttle, ...). */
  ToolErrors: 'ToolErrors',
  ToolLatency: 'ToolLatency',
  /** Event streams this environment holds open after the change (gauge: 1 at open, 0 at close). */
  OpenStreams: 'OpenStreams',
  StreamsOpened: 'StreamsOpened',
  StreamsClosed: 'StreamsClosed',
  /** SSE events with data written on streams; dimensions [service] and [service, method]. */
  EventsDelivered: 'EventsDelivered',
} as const;

/** Dimension names (besides `service`, which Powertools adds to every set). */
export const Dimension = { method: 'method', tool: 'tool' } as const;
