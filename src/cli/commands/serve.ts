import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { FEEDBACK_SECRET_ENV } from "../../server/feedback_ids.js";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pyramidFromConfig } from "../../config/build.js";
import { disposeLlamaCppEngines } from "../../config/providers/llamacpp.js";
import { disposeConfigBudgets } from "../../config/budget.js";
import { tenantsFromConfig } from "../../server/tenants_config.js";
import { TrafficRecorder } from "../../traces/recorder.js";
import { PyramidMetrics } from "../../server/metrics.js";
import { clusterMetricsText, serveWorkerMetrics } from "../../server/cluster_metrics.js";
import type { ServingLimits } from "../../server/tenants_config.js";
import { onPrimaryRequests } from "../../server/cluster_messages.js";
import { runServerCluster } from "../../server/cluster_primary.js";
import { createPyramidServer } from "../../server/server.js";
import type { PyramidServer } from "../../server/lifecycle.js";
import { parseCommandArgs } from "../args.js";
import { trafficOptionsFromFlags } from "../traffic_flags.js";
import { optionsHelp } from "../options.js";
import type { CliCommand } from "../main.js";
import { resolveServeOptions, SERVE_OPTIONS } from "../serve_options.js";
import type { ServeOptions } from "../serve_options.js";

/** Response header naming the pid of the process that answered (a worker's with `--workers` > 1). */
export const WORKER_HEADER = "x-pyramid-worker";

const USAGE = `Usage: pyramid-moa serve [--config <file>] [--port <n>] [options]

Serves the pyramid of a config file as an OpenAI-compatible API (docs/server.md):
  POST /v1/chat/completions   JSON or SSE streaming, tools; the routing trace in the "pyramid" field
  GET  /v1/models             the one model, "pyramid-moa" (or --model-id)
  GET  /health                liveness
  GET  /metrics               Prometheus metrics (per tenant)
With "tenants" in the config, requests carry a tenant's key (Authorization: Bearer <key>): its budget (402) and its
requests/tokens per minute (429) are enforced, across processes and machines when "budget.redis" is set.
Every response carries "${WORKER_HEADER}: <pid>", the process that answered.
SIGINT/SIGTERM stop accepting connections and finish the requests in flight (a second signal cuts them off).

${optionsHelp(SERVE_OPTIONS)}
POST /v1/feedback {"id": "<pyramid.traceId>", "correct": true} attaches ground truth (with --traces).`;

function describe(options: ServeOptions, workers: string): string {
  const tenants = options.config.tenants?.length ?? 0;
  const keys =
    tenants > 0
      ? `, API key required (${tenants} tenant${tenants > 1 ? "s" : ""}${options.token ? ", or the bearer token" : ""})`
      : options.token
        ? ", bearer token required"
        : "";
  return `model "${options.modelId ?? "pyramid-moa"}"${workers}${keys}`;
}

/**
 * Resolves once a signal (or, in a cluster worker, the primary) asked for a shutdown and the server has closed.
 * A second signal cuts the requests in flight off; in a worker only the primary's cut-off message does, since
 * a Ctrl-C reaches the worker and the primary (which forwards it) at once.
 */
function untilShutdown(server: PyramidServer, inWorker: boolean, prefix: string): Promise<void> {
  return new Promise<void>((resolve) => {
    let closing = false;
    const cutOff = (reason: string): void => {
      console.error(`${prefix}${reason}: cutting off the requests in flight`);
      server.server.closeAllConnections();
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!shutdown(signal) && !inWorker) cutOff(`${signal} again`);
    };
    const stopListening = inWorker
      ? onPrimaryRequests({ shutdown: () => void shutdown("shutdown"), cutOff: () => cutOff("cut-off") })
      : () => undefined;
    function shutdown(reason: string): boolean {
      if (closing) return false;
      closing = true;
      console.error(`${prefix}${reason}: shutting down after ${server.inFlight} request(s) in flight`);
      const done = (): void => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        stopListening();
        resolve();
      };
      server.close().then(done, done);
      return true;
    }
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Serves in this process: the whole server with one worker, or one worker of a cluster. */
async function serveInProcess(options: ServeOptions, inWorker: boolean): Promise<number> {
  const prefix = inWorker ? `pyramid-moa serve: worker ${process.pid}: ` : "pyramid-moa serve: ";
  let limits: ServingLimits | undefined;
  try {
    const worker = inWorker && cluster.worker ? `w${cluster.worker.id}` : undefined;
    const model = await pyramidFromConfig(options.config, { baseDir: dirname(options.configPath) });
    const trafficOptions = trafficOptionsFromFlags(options.traffic, worker);
    const traffic = TrafficRecorder.wanted(trafficOptions) ? new TrafficRecorder(trafficOptions) : undefined;
    limits = await tenantsFromConfig(options.config, model.spec.budget);
    const metrics = new PyramidMetrics();
    if (inWorker) metrics.serveFrom(clusterMetricsText(metrics.registry));
    const server = createPyramidServer({
      model,
      ...(traffic ? { traffic } : {}),
      metrics,
      token: options.token,
      tenants: limits.tenants,
      rateLimiter: limits.rateLimiter,
      budgetFailOpen: limits.budgetFailOpen,
      requestTimeoutMs: options.requestTimeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      modelId: options.modelId,
      headers: { [WORKER_HEADER]: String(process.pid) },
      log: (line) => console.error(inWorker ? `[worker ${process.pid}] ${line}` : line),
    });
    const { url } = await server.listen(options.port, options.host);
    if (!inWorker) console.log(`pyramid-moa serve: ${options.configPath} on ${url}/v1 (${describe(options, "")})`);
    await untilShutdown(server, inWorker, prefix);
    await traffic?.drain();
    console.error(`${prefix}stopped`);
    return 0;
  } finally {
    await disposeLlamaCppEngines();
    await limits?.close();
    await disposeConfigBudgets();
    // The IPC channel would keep the worker alive.
    if (inWorker) cluster.worker?.disconnect();
  }
}

/** Runs the node:cluster primary: forks the workers, which run this same command with the same arguments. */
async function serveWithWorkers(options: ServeOptions, argv: readonly string[]): Promise<number> {
  const here = fileURLToPath(import.meta.url);
  const stopMetrics = serveWorkerMetrics();
  // Every worker binds trace ids with the same secret, so feedback can reach any worker (node:cluster forks inherit
  // process.env). Set PYRAMID_FEEDBACK_SECRET yourself to keep ids valid across restarts without tenant keys.
  process.env[FEEDBACK_SECRET_ENV] ??= randomBytes(32).toString("base64url");
  const code = await runServerCluster({
    workers: options.workers,
    exec: join(dirname(here), "..", `bin${extname(here)}`),
    // With every worker gone, the new ones ask for the port the first ones got (matters with --port 0).
    args: (port) => ["serve", ...argv, ...(port === undefined ? [] : ["--port", String(port)])],
    log: (line) => console.error(`pyramid-moa serve: ${line}`),
    onReady: ({ url }) =>
      console.log(
        `pyramid-moa serve: ${options.configPath} on ${url}/v1 (${describe(options, `, ${options.workers} workers`)})`,
      ),
  });
  stopMetrics();
  if (code === 0) console.error("pyramid-moa serve: stopped");
  return code;
}

/** `pyramid-moa serve`: the pyramid of a config file as an OpenAI-compatible HTTP server. */
export const serveCommand: CliCommand = {
  summary: "serve the pyramid as an OpenAI-compatible API (/v1/chat/completions)",
  options: SERVE_OPTIONS,
  async run(argv) {
    const { values } = parseCommandArgs("serve", {
      args: [...argv],
      options: SERVE_OPTIONS,
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const options = resolveServeOptions(values);
    if (cluster.isWorker) return serveInProcess(options, true);
    if (options.workers === 1) return serveInProcess(options, false);
    return serveWithWorkers(options, argv);
  },
};
