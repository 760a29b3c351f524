import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A `pyramid-moa serve` child process. */
export interface ServeProcess {
  /** Its worker count. */
  readonly workers: number;
  /** Its base URL (without `/v1`). */
  readonly url: string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `pyramid-moa serve --config <config> --workers <n>` from the source (through tsx) on a free port, with `env`
 * added to this process's environment, and resolves once it prints its URL; rejects with the tail of its stderr if it
 * exits first.
 */
export function startServe(config: string, workers: number, env: Readonly<Record<string, string>> = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      join(root, "src/cli/bin.ts"),
      "serve",
      "--config",
      config,
      "--port",
      "0",
      "--workers",
      String(workers),
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  let stdout = "";
  let stderr = "";
  // The per-request log lines are drained, not kept: only the tail matters if the server fails.
  child.stderr?.on("data", (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise<ServeProcess>((resolve, reject) => {
    child.stdout?.on("data", (data: Buffer) => {
      stdout += data.toString();
      const match = /on (http:\/\/[^\s]+)\/v1/.exec(stdout);
      if (!match) return;
      resolve({
        workers,
        url: match[1],
        stop: () => {
          child.kill("SIGTERM");
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`serve --workers ${workers} exited with ${code}: ${stderr}`)));
  });
}
