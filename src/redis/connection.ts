import { createHash } from "node:crypto";
import { MissingDependencyError, PyramidConfigError } from "../errors/index.js";

/** The few Redis commands pyramid-moa uses (an ioredis client satisfies it). */
export interface RedisConnection {
  /** Runs a cached Lua script by its SHA1. */
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /** Runs a Lua script (and caches it on the server). */
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /** Closes the connection after the pending replies. */
  quit(): Promise<unknown>;
}

/** Options of {@link connectRedis}. */
export interface ConnectRedisOptions {
  /** Field named in errors, e.g. `budget.redis`. */
  readonly field?: string;
  /** Connection timeout in ms (default 5000). */
  readonly connectTimeoutMs?: number;
}

/** Checks that `url` is a `redis://` or `rediss://` URL; returns it. */
export function checkRedisUrl(url: string, field = "redis"): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !["redis:", "rediss:"].includes(parsed.protocol) || parsed.hostname === "") {
    throw new PyramidConfigError(
      `expected a redis:// or rediss:// URL, got "${url.replace(/\/\/[^@/]*@/, "//***@")}"`,
      {
        field,
        fix: "give e.g. redis://127.0.0.1:6379/0 (a password goes in redis://:password@host:6379)",
      },
    );
  }
  return url;
}

/**
 * Connects to Redis with ioredis, an optional peer dependency loaded only here (`npm install ioredis`). Commands
 * fail after two reconnection attempts instead of queueing for ever, so a budget check never hangs a request.
 *
 * @throws MissingDependencyError when ioredis is not installed; PyramidConfigError for a URL that is not redis://.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<RedisConnection> {
  const field = options.field ?? "redis";
  checkRedisUrl(url, field);
  let RedisClient: typeof import("ioredis").Redis;
  try {
    RedisClient = (await import("ioredis")).Redis;
  } catch (error) {
    throw new MissingDependencyError("ioredis is needed for a Redis-backed budget or rate limits", {
      field,
      fix: "npm install ioredis (or remove the redis URL to keep budgets and limits in this process)",
      cause: error,
    });
  }
  const connectTimeout = options.connectTimeoutMs ?? 5000;
  const client = new RedisClient(url, {
    connectTimeout,
    maxRetriesPerRequest: 2,
    lazyConnect: false,
    // A command sent when Redis is gone is not replayed later: its caller has failed (503) or journaled it.
    autoResendUnfulfilledCommands: false,
  });
  // Connection errors surface on the commands that fail; the 'error' event must have a listener.
  client.on("error", () => undefined);
  // Once connected (or given up on), commands fail at once while Redis is unreachable instead of queueing until it
  // returns, so that admission fails closed without waiting and no queued settle runs twice.
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off("ready", done);
      client.off("error", done);
      resolve();
    };
    const timer = setTimeout(done, connectTimeout);
    client.once("ready", done);
    client.once("error", done);
  });
  client.options.enableOfflineQueue = false;
  return client as unknown as RedisConnection;
}

/** A Lua script with its SHA1, run with EVALSHA (EVAL once when the server does not have it cached yet). */
export class RedisScript {
  /** SHA1 of the script. */
  readonly sha: string;

  /** Wraps `source`. */
  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Runs the script on `redis` with `keys` and `args`. */
  async run(redis: RedisConnection, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
