/**
 * The metrics this server emits, in one place: names, units and the namespace, as
 * docs/operations.md, "Operations: logs, metrics, tracing, compression" lists them. Alarms and dashboards (the construct's
 * `monitoring` option) refer to these names.
 */
import { METRIC, METRIC_DIMENSION, METRICS_NAMESPACE } from '../../src/runtime-contract';

export { METRICS_NAMESPACE };

/** EMF units (CloudWatch StandardUnit names). */
export const Unit = { Count: 'Count', Milliseconds: 'Milliseconds' } as const;

export const Metric = METRIC;

/** Dimension names (besides `service`, which Powertools adds to every set). */
export const Dimension = { method: METRIC_DIMENSION.method, tool: METRIC_DIMENSION.tool } as const;
