import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A real `redis-server` started for a test. */
export interface RedisTestServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    let reply = "";
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => {
      reply += data.toString();
      if (reply.includes("\r\n")) {
        socket.destroy();
        resolve(reply.startsWith("+PONG"));
      }
    });
    socket.on("error", () => resolve(false));
  });
}

/** Options of {@link startRedisServer}. */
export interface RedisTestServerOptions {
  /** Keep the data across {@link RedisTestServer.kill} and restart: append-only file, fsynced on every write. */
  readonly durable?: boolean;
}

/** A real `redis-server` that can be killed and restarted (same port, same folder). */
export interface RestartableRedisTestServer extends RedisTestServer {
  /** Kills the server with SIGKILL (no shutdown, as a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder; resolves once it answers PING. */
  restart(): Promise<void>;
}

/**
 * Starts Debian's `redis-server` (installed by `.ci/run`) on a free port of 127.0.0.1, in a temporary folder,
 * without persistence unless `durable`; resolves once it answers PING.
 */
export async function startRedisServer(options: RedisTestServerOptions = {}): Promise<RestartableRedisTestServer> {
  const dir = mkdtempSync(join(tmpdir(), "pyramid-redis-"));
  const port = await freePort();
  const persistence = options.durable ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  let child: ChildProcess;
  let exited: Promise<void>;
  const start = async (): Promise<void> => {
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        dir,
        "--save",
        "",
        ...persistence,
        "--protected-mode",
        "yes",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
    const running = child;
    exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    const started = Date.now();
    while (!(await answersPing(port))) {
      if (running.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (Date.now() - started > 15_000) {
        running.kill("SIGKILL");
        throw new Error(`redis-server did not answer PING within 15 s: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
    },
    restart: start,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
