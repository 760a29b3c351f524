import cluster from "node:cluster";
import type { Address, Worker } from "node:cluster";
import { CUT_OFF_MESSAGE, SHUTDOWN_MESSAGE } from "./cluster_messages.js";

/** Restart policy of {@link runServerCluster}: exponential backoff, and a cap on restarts within a window. */
export interface WorkerRestartPolicy {
  /** Delay before the first restart, doubled for each restart in the window. Default 100 ms. */
  readonly initialDelayMs: number;
  /** Longest delay before a restart. Default 5 s. */
  readonly maxDelayMs: number;
  /** At most this many restarts within `windowMs`; one more crash and the primary gives up. Default 10. */
  readonly maxRestarts: number;
  /** The window of `maxRestarts`. Default 60 s. */
  readonly windowMs: number;
}

/** Default {@link WorkerRestartPolicy}: 100 ms doubling up to 5 s, at most 10 restarts per minute. */
export const DEFAULT_RESTART_POLICY: WorkerRestartPolicy = {
  initialDelayMs: 100,
  maxDelayMs: 5000,
  maxRestarts: 10,
  windowMs: 60_000,
};

/** Where the workers of a cluster listen. */
export interface ClusterAddress {
  /** `http://host:port`. */
  readonly url: string;
  /** The port shared by the workers. */
  readonly port: number;
  /** The address bound. */
  readonly host: string;
}

/** Options of {@link runServerCluster}. */
export interface ServerClusterOptions {
  /** Worker processes to keep running (>= 1). */
  readonly workers: number;
  /** Script every worker runs. */
  readonly exec: string;
  /**
   * Arguments of a worker. `port` is set only when a worker is restarted while no other one listens: the port the
   * first workers got, so that the new ones keep the port `--port 0` picked (while a worker still listens, the
   * workers must ask for the same port as it did, else node:cluster binds a second socket: EADDRINUSE).
   */
  readonly args: (port: number | undefined) => string[];
  /** Node flags of the workers (default: the primary's `process.execArgv`). */
  readonly execArgv?: readonly string[];
  /** Receives one line per worker start, exit and restart, and per signal. */
  readonly log: (line: string) => void;
  /** Called once, when every worker of the first generation listens. */
  readonly onReady?: (address: ClusterAddress) => void;
  /** Restart policy (default {@link DEFAULT_RESTART_POLICY}). */
  readonly restart?: Partial<WorkerRestartPolicy>;
}

function addressOf(address: Address): ClusterAddress {
  const host = address.address ?? "127.0.0.1";
  const shown = host.includes(":") ? `[${host}]` : host;
  return { url: `http://${shown}:${address.port}`, port: address.port, host };
}

function send(worker: Worker, message: string): void {
  if (worker.isConnected()) worker.send(message, (error: Error | null) => void error);
}

/**
 * Runs a node:cluster primary: forks `workers` processes that each serve the same port, restarts a worker
 * that exits on its own (exponential backoff, at most `maxRestarts` per `windowMs`, then gives up), and on
 * SIGINT/SIGTERM asks every worker to shut down gracefully (a second signal cuts their requests off).
 * A worker that exits before the first generation is listening stops the cluster (a start-up error, such as
 * a port in use, would only repeat). Resolves with the exit code once every worker has exited: 0 after a
 * signal when every listening worker exited with 0, else 1.
 */
export function runServerCluster(options: ServerClusterOptions): Promise<number> {
  const policy: WorkerRestartPolicy = { ...DEFAULT_RESTART_POLICY, ...options.restart };
  const execArgv = [...(options.execArgv ?? process.execArgv)];
  const { log } = options;
  return new Promise<number>((resolve) => {
    const live = new Set<Worker>();
    const listening = new Set<Worker>();
    const timers = new Set<NodeJS.Timeout>();
    const restarts: number[] = [];
    let port: number | undefined;
    let ready = false;
    let stopping: "signal" | "fatal" | undefined;
    let failedExit = false;
    let signals = 0;

    const finish = (): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(stopping === "signal" && !failedExit ? 0 : 1);
    };

    const stop = (reason: "signal" | "fatal"): void => {
      stopping = reason;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const worker of live) {
        // A worker still starting has nothing in flight: end it rather than wait for it to listen.
        if (listening.has(worker)) send(worker, SHUTDOWN_MESSAGE);
        else worker.process.kill("SIGTERM");
      }
      if (live.size === 0) finish();
    };

    const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
      live.delete(worker);
      const wasListening = listening.delete(worker);
      const how = signal ? `signal ${signal}` : `code ${code ?? "?"}`;
      const pid = worker.process.pid ?? "?";
      if (stopping) {
        if (wasListening && code !== 0) failedExit = true;
        log(`worker ${pid} exited (${how})`);
        if (live.size === 0) finish();
        return;
      }
      if (!ready && !wasListening) {
        log(`worker ${pid} exited (${how}) before it listened: stopping (see its error above)`);
        stop("fatal");
        return;
      }
      const now = Date.now();
      while (restarts.length > 0 && restarts[0] <= now - policy.windowMs) restarts.shift();
      if (restarts.length >= policy.maxRestarts) {
        log(`worker ${pid} exited (${how}); ${restarts.length} restarts within ${policy.windowMs / 1000} s: giving up`);
        stop("fatal");
        return;
      }
      const delay = Math.min(policy.initialDelayMs * 2 ** restarts.length, policy.maxDelayMs);
      restarts.push(now);
      log(`worker ${pid} exited (${how}); restarting it in ${delay} ms`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        fork();
      }, delay);
      timers.add(timer);
    };

    const fork = (): void => {
      cluster.setupPrimary({
        exec: options.exec,
        args: options.args(listening.size === 0 ? port : undefined),
        execArgv,
      });
      const worker = cluster.fork();
      live.add(worker);
      worker.on("listening", (address: Address) => {
        listening.add(worker);
        const where = addressOf(address);
        port ??= where.port;
        log(`worker ${worker.process.pid ?? "?"} listening on ${where.url}`);
        if (stopping) {
          send(worker, SHUTDOWN_MESSAGE);
          return;
        }
        if (!ready && listening.size === options.workers) {
          ready = true;
          options.onReady?.(where);
        }
      });
      worker.on("exit", (code: number | null, signal: string | null) => onExit(worker, code, signal));
    };

    function onSignal(signal: NodeJS.Signals): void {
      signals++;
      if (signals === 1 && !stopping) {
        log(`${signal}: shutting down ${live.size} worker(s) after the requests in flight`);
        stop("signal");
        return;
      }
      log(`${signal} again: cutting off the requests in flight`);
      for (const worker of live) send(worker, CUT_OFF_MESSAGE);
    }

    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (let i = 0; i < options.workers; i++) fork();
  });
}
