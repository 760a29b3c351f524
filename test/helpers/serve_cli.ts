import { spawn } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");
const running = new Set<ChildProcessWithoutNullStreams>();

/** Writes `<dir>/pyramid.config.json`: a crowd of 3 and an oracle, all `openai` members on `baseURL`; returns its path. */
export function writeUpstreamConfig(dir: string, baseURL: string): string {
  const config = join(dir, "pyramid.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      tiers: [
        { name: "crowd", members: ["a", "b", "c"].map((model) => ({ provider: "openai", model, baseURL })) },
        { name: "oracle", members: [{ provider: "openai", model: "big-70b", baseURL }] },
      ],
      task: "math",
    }),
  );
  return config;
}

/** A `pyramid-moa serve` child process. */
export interface ServeCli {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://host:port` (without `/v1`). */
  readonly url: string;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  /** Everything it wrote on stdout so far (its start-up line first). */
  stdout(): string;
  /** Its exit code. */
  readonly exited: Promise<number | null>;
}

/** Starts `pyramid-moa serve <args>` (src/cli/bin.ts through tsx) and resolves once it prints its URL. */
export function startServeCli(args: string[], env: Record<string, string> = {}): Promise<ServeCli> {
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/bin.ts"), "serve", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  running.add(child);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      stdout += data.toString();
      const match = /on (http:\/\/[^\s]+)\/v1/.exec(stdout);
      if (match) resolve({ child, url: match[1], stderr: () => stderr, stdout: () => stdout, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
}

/** SIGKILLs every `startServeCli` process still running (for a test's clean-up after a failure). */
export function killServeClis(): void {
  for (const child of running) child.kill("SIGKILL");
}
