/**
 * CloudWatch metrics as Embedded Metric Format log lines (Powertools). Published per event, so
 * no flush middleware is needed and nothing is lost if a batch fails later. Locally the stack
 * sets POWERTOOLS_METRICS_DISABLED unless asked otherwise.
 */
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

let metrics: Metrics | undefined;

export function emitCount(name: string, value = 1, dimensions: Record<string, string> = {}): void {
  // Built on the first metric, not at cold start: most invocations of most functions emit none.
  metrics ??= new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "ShiftQueueRouting", serviceName: "shift-queue-routing" });
  const single = metrics.singleMetric();
  for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
  single.addMetric(name, MetricUnit.Count, value);
}
