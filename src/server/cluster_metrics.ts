import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry } from "prom-client";
import type { Registry } from "prom-client";

/** IPC message a worker sends the primary for the metrics of every worker. */
export const METRICS_REQUEST = "pyramid-moa:metrics-request";

/** IPC message carrying the aggregated metrics back to the worker that asked. */
export const METRICS_REPLY = "pyramid-moa:metrics-reply";

interface MetricsRequest {
  readonly type: typeof METRICS_REQUEST;
  readonly id: string;
}

interface MetricsReply {
  readonly type: typeof METRICS_REPLY;
  readonly id: string;
  readonly text?: string;
  readonly error?: string;
}

function isMessage<T extends { type: string }>(value: unknown, type: T["type"]): value is T {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === type;
}

/**
 * In the cluster primary: answers the workers' {@link METRICS_REQUEST}s with every worker's metrics aggregated by
 * prom-client (counters and histograms summed; gauges as their `aggregator` says). Returns the function that stops.
 */
export function serveWorkerMetrics(): () => void {
  const aggregator = new AggregatorRegistry();
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMessage<MetricsRequest>(message, METRICS_REQUEST)) return;
    aggregator.clusterMetrics().then(
      (text) =>
        worker.isConnected() && worker.send({ type: METRICS_REPLY, id: message.id, text } satisfies MetricsReply),
      (error: unknown) =>
        worker.isConnected() &&
        worker.send({ type: METRICS_REPLY, id: message.id, error: String(error) } satisfies MetricsReply),
    );
  };
  cluster.on("message", onMessage);
  return () => {
    cluster.off("message", onMessage);
  };
}

/**
 * In a cluster worker: offers `registry` to the primary's aggregation and returns the function that fetches the
 * whole cluster's metrics (through the primary), for `GET /metrics` on whichever worker the scrape reaches.
 */
export function clusterMetricsText(registry: Registry, timeoutMs = 5000): () => Promise<string> {
  new AggregatorRegistry(); // adds prom-client's worker-side listener
  AggregatorRegistry.setRegistries([registry]);
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = randomUUID();
      const timer = setTimeout(() => {
        process.off("message", onMessage);
        reject(new Error("the cluster primary did not answer the metrics request"));
      }, timeoutMs);
      const onMessage = (message: unknown): void => {
        if (!isMessage<MetricsReply>(message, METRICS_REPLY) || message.id !== id) return;
        clearTimeout(timer);
        process.off("message", onMessage);
        if (message.error !== undefined) reject(new Error(message.error));
        else resolve(message.text ?? "");
      };
      process.on("message", onMessage);
      process.send?.({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
    });
}
