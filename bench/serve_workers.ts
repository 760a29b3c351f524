import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CROWD_MODELS, ORACLE_MODEL, replaySetup } from "./replay_setup.js";
import { startServe } from "./serve_child.js";
import type { ServeProcess } from "./serve_child.js";
import { figure, now, rotate } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the serve-workers suite. */
export interface ServeWorkersOptions {
  /** Requests sent at once per round. Default 1000. */
  readonly queries?: number;
  /** Measured rounds per server (after one warm-up round). Default 2. */
  readonly rounds?: number;
  /** Worker counts compared: the first is the baseline. Default [1, 2]. */
  readonly workers?: readonly [number, number];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Posts one chat completion on its own connection (a keep-alive socket reused after the server's 5 s idle timeout
 * can be closed under the request); resolves with the pid that answered, rejects on anything but a 200 with an answer.
 */
function complete(server: ServeProcess, question: string): Promise<number> {
  const body = JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content: question }] });
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/v1/chat/completions`,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () => {
          const text = Buffer.concat(parts).toString();
          const answer =
            res.statusCode === 200
              ? (JSON.parse(text) as { choices: { message: { content: unknown } }[] }).choices[0]?.message.content
              : undefined;
          if (typeof answer === "string") resolve(Number(res.headers["x-pyramid-worker"]));
          else reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** One round: every question at once; wall time and how many each process answered. Throws if any request failed. */
async function loadRound(
  server: ServeProcess,
  questions: readonly string[],
): Promise<{ wallMs: number; byPid: Map<number, number> }> {
  const t0 = now();
  const settled = await Promise.allSettled(questions.map((question) => complete(server, question)));
  const wallMs = now() - t0;
  const byPid = new Map<number, number>();
  const failures: string[] = [];
  for (const result of settled) {
    if (result.status === "fulfilled") byPid.set(result.value, (byPid.get(result.value) ?? 0) + 1);
    else failures.push(result.reason instanceof Error ? result.reason.message : String(result.reason));
  }
  if (failures.length > 0)
    throw new Error(
      `${failures.length} of ${questions.length} requests to serve --workers ${server.workers} failed; first: ${failures[0]}`,
    );
  return { wallMs, byPid };
}

/**
 * Builds the serve-workers suite: the same load (`queries` chat completions at once, replayed GSM8K members
 * so that no model is called) through `pyramid-moa serve --workers 1` and `--workers 2` over HTTP, rounds
 * interleaved; the figure is the wall-time ratio (2 workers / 1 worker).
 */
export function createServeWorkersSuite(options: ServeWorkersOptions = {}): BenchSuite {
  const count = options.queries ?? 1000;
  const rounds = options.rounds ?? 2;
  const [baseWorkers, moreWorkers] = options.workers ?? [1, 2];
  return async (): Promise<BenchFigure[]> => {
    const setup = replaySetup();
    if (!setup) {
      console.log("  serve_workers: skipped, no recorded/gsm8k.jsonl under the data folder (set PYRAMID_DATA_DIR)");
      return [];
    }
    const texts = setup.queries.map((messages) => String(messages[messages.length - 1].content));
    const questions = Array.from({ length: count }, (_, i) => texts[i % texts.length]);
    const dir = mkdtempSync(join(tmpdir(), "pyramid-bench-serve-"));
    const config = join(dir, "pyramid.config.json");
    const member = (model: string) => ({ provider: "replay", model, recordedFile: setup.file });
    writeFileSync(
      config,
      JSON.stringify({
        tiers: [
          { name: "crowd", members: CROWD_MODELS.map(member) },
          { name: "oracle", members: [member(ORACLE_MODEL)] },
        ],
        router: join(root, "routers", "gsm8k-llama8b-gemma9b-qwen7b.json"),
        policy: "balanced",
        task: "math",
      }),
    );
    const servers: Record<"base" | "more", ServeProcess | undefined> = { base: undefined, more: undefined };
    try {
      servers.base = await startServe(config, baseWorkers);
      servers.more = await startServe(config, moreWorkers);
      const running = { base: servers.base, more: servers.more };
      // Warm-up: JIT compilation in every process.
      for (const server of Object.values(running)) await loadRound(server, questions);
      const walls: Record<"base" | "more", number[]> = { base: [], more: [] };
      let spreadOfMore = new Map<number, number>();
      for (let r = 0; r < rounds; r++) {
        for (const name of rotate(["base", "more"] as const, r)) {
          const round = await loadRound(running[name], questions);
          walls[name].push(round.wallMs);
          if (name === "more") spreadOfMore = round.byPid;
        }
      }
      const perQuery = (name: "base" | "more"): string => (Math.min(...walls[name]) / count).toFixed(2);
      return [
        figure({
          section: "Serve workers",
          name: `serve --workers ${moreWorkers} vs --workers ${baseWorkers}: wall time of the same load over HTTP`,
          unit: "ms",
          values: walls.more,
          baselines: walls.base,
          note:
            `${count} chat completions in flight at once (one connection each, node:http client in the bench process) against ` +
            `pyramid-moa serve, crowd ${CROWD_MODELS.join(", ")} and oracle ${ORACLE_MODEL} replayed from ${setup.file.split("/").slice(-2).join("/")} ` +
            `(no model call: the load is the server's own CPU), shipped GSM8K router, policy balanced; ${rounds} rounds each after a warm-up, ` +
            `interleaved; ${perQuery("base")} vs ${perQuery("more")} ms/query; last round answered per worker: ` +
            `${[...spreadOfMore.values()].join(" / ")}; ratio < 1 = the workers help (the client shares the machine's cores)`,
        }),
      ];
    } finally {
      for (const server of Object.values(servers)) await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The serve-workers suite with its default settings. */
export const serveWorkersSuite: BenchSuite = createServeWorkersSuite();
