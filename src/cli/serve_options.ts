import { availableParallelism } from "node:os";
import { z } from "zod";
import { findPyramidConfig, loadPyramidConfig } from "../config/load.js";
import type { PyramidConfig } from "../config/schema.js";
import { PyramidConfigError } from "../errors/index.js";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from "../server/server.js";
import type { CliOptions, CliValues } from "./options.js";
import { TRAFFIC_FLAG_OPTIONS, trafficOptionsFromFlags } from "./traffic_flags.js";
import type { TrafficFlags } from "./traffic_flags.js";

/** Most worker processes `pyramid-moa serve --workers` accepts. */
export const MAX_SERVE_WORKERS = 256;

const workersSchema = z.union([
  z.literal("auto").transform(() => availableParallelism()),
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(1).max(MAX_SERVE_WORKERS)),
]);

/**
 * Parses `--workers`: a whole number from 1 to {@link MAX_SERVE_WORKERS}, or `auto` (`os.availableParallelism()`);
 * absent = 1. Anything else is a {@link PyramidConfigError} naming `--workers` and the fix.
 */
export function parseWorkersOption(value: string | undefined): number {
  if (value === undefined) return 1;
  const parsed = workersSchema.safeParse(value.trim().toLowerCase());
  if (!parsed.success) {
    throw new PyramidConfigError(`expected a whole number from 1 to ${MAX_SERVE_WORKERS} or "auto", got "${value}"`, {
      field: "--workers",
      fix: `pass e.g. --workers 2, or --workers auto (one process per CPU: ${availableParallelism()} here)`,
    });
  }
  return parsed.data;
}

/** The flags of `pyramid-moa serve`: parsed by `parseArgs` and listed by `--help` from this one definition. */
export const SERVE_OPTIONS = {
  config: { type: "string", value: "<file>", help: "config file (default ./pyramid.config.yaml, .yml or .json)" },
  port: { type: "string", value: "<n>", help: "port (default 8000; 0 picks a free one)" },
  host: {
    type: "string",
    value: "<addr>",
    help: "address to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)",
  },
  "token-env": {
    type: "string",
    value: "<NAME>",
    help: 'require "Authorization: Bearer <token>", the token read from env var NAME',
  },
  "max-body-bytes": {
    type: "string",
    value: "<n>",
    help: `largest request body (default ${DEFAULT_MAX_BODY_BYTES}); larger ones get 413`,
  },
  "request-timeout-ms": {
    type: "string",
    value: "<n>",
    help: `time a client has to send a whole request (default ${DEFAULT_REQUEST_TIMEOUT_MS}); slower: 408, closed`,
  },
  "model-id": { type: "string", value: "<id>", help: "model id reported by the API (default pyramid-moa)" },
  workers: {
    type: "string",
    value: "<n|auto>",
    help: `processes serving the port (default 1; auto = one per CPU; at most ${MAX_SERVE_WORKERS}):
      a node:cluster primary restarts a worker that crashes and forwards SIGINT/SIGTERM`,
  },
  ...TRAFFIC_FLAG_OPTIONS,
  "unsafe-allow-unsandboxed-code": {
    type: "boolean",
    help: `with task: code, run the candidates' code even without bubblewrap (UNSAFE: no OS
      sandbox; default: refuse to start, see docs/sandbox.md)`,
  },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies CliOptions;

/** The raw `pyramid-moa serve` flags as `util.parseArgs` returns them, typed from {@link SERVE_OPTIONS}. */
export type ServeFlags = CliValues<typeof SERVE_OPTIONS>;

/** `pyramid-moa serve` settings, checked. */
export interface ServeOptions {
  /** The config file. */
  readonly configPath: string;
  /** Its validated content. */
  readonly config: PyramidConfig;
  readonly port: number;
  readonly host: string;
  /** The bearer token, read from the `--token-env` variable. */
  readonly token?: string;
  readonly maxBodyBytes: number;
  /** Time a client has to send a whole request, in ms. */
  readonly requestTimeoutMs: number;
  readonly modelId?: string;
  /** Processes serving the port (1 = the CLI process itself, no cluster). */
  readonly workers: number;
  /** The traffic flags (checked here, turned into pyramid options per process). */
  readonly traffic: TrafficFlags;
}

function integer(value: string | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new PyramidConfigError(`expected a whole number >= ${min}, got "${value}"`, {
      field: flag,
      fix: "see `pyramid-moa serve --help`",
    });
  }
  return n;
}

function tokenFrom(tokenEnv: string | undefined): string | undefined {
  if (tokenEnv === undefined) return undefined;
  const token = process.env[tokenEnv];
  if (!token) {
    throw new PyramidConfigError(`the environment variable ${tokenEnv} is not set or empty`, {
      field: "--token-env",
      fix: `export ${tokenEnv}=<a long random token> before starting the server`,
    });
  }
  return token;
}

/** Checks the `pyramid-moa serve` flags and loads (validates) the config file; throws a {@link PyramidConfigError} naming the flag. */
export function resolveServeOptions(flags: ServeFlags): ServeOptions {
  const port = integer(flags.port, "--port", 0, 8000);
  if (port > 65535)
    throw new PyramidConfigError(`port ${port} is out of range`, {
      field: "--port",
      fix: "give a port between 0 and 65535",
    });
  const maxBodyBytes = integer(flags["max-body-bytes"], "--max-body-bytes", 1, DEFAULT_MAX_BODY_BYTES);
  const requestTimeoutMs = integer(flags["request-timeout-ms"], "--request-timeout-ms", 1, DEFAULT_REQUEST_TIMEOUT_MS);
  const workers = parseWorkersOption(flags.workers);
  const token = tokenFrom(flags["token-env"]);
  trafficOptionsFromFlags(flags);
  const configPath = findPyramidConfig(flags.config);
  const config = loadPyramidConfig(configPath);
  return {
    configPath,
    config: flags["unsafe-allow-unsandboxed-code"] ? { ...config, unsafeAllowUnsandboxedCode: true } : config,
    port,
    host: flags.host ?? "127.0.0.1",
    token,
    maxBodyBytes,
    requestTimeoutMs,
    modelId: flags["model-id"],
    workers,
    traffic: {
      traces: flags.traces,
      "trace-content": flags["trace-content"],
      "trace-max-files": flags["trace-max-files"],
      "shadow-rate": flags["shadow-rate"],
      "shadow-seed": flags["shadow-seed"],
    },
  };
}
