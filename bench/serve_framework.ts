import { Agent, request } from "node:http";
import { connect } from "node:net";
import { PyramidChatModel } from "../src/index.js";
import { createPyramidServer } from "../src/server/index.js";
import { CROWD_MODELS, ORACLE_MODEL, replaySetup } from "./replay_setup.js";
import { fastifyPyramidServer } from "./serve_framework_fastify.js";
import { figure, median, now, rotate } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the serve-framework suite. */
export interface ServeFrameworkOptions {
  /** Requests per round and route. Default 4000 for `/health`, a twentieth of it for chat completions. */
  readonly requests?: number;
  /** Requests in flight at once (keep-alive connections). Default 16. */
  readonly concurrency?: number;
  /** Measured rounds per server and route (after one warm-up round). Default 5. */
  readonly rounds?: number;
}

/** One round's figures: requests per second over the round and the latencies of its requests. */
interface Round {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Requests sent again because a kept-alive socket was closed by the server as it was reused (node's documented race). */
let resent = 0;

/**
 * Sends one request on `agent`; resolves with its latency in ms, rejects on anything but a 200. A request whose
 * reused keep-alive socket the server had just closed (ECONNRESET on `reusedSocket`) is sent once more.
 */
function send(agent: Agent, url: string, body: string | undefined, retry = true): Promise<number> {
  const started = now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        agent,
        headers:
          body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (part: Buffer) => parts.push(part));
        res.on("end", () => {
          if (res.statusCode === 200) resolve(now() - started);
          else
            reject(new Error(`HTTP ${res.statusCode} from ${url}: ${Buffer.concat(parts).toString().slice(0, 200)}`));
        });
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && error.code === "ECONNRESET") {
        resent++;
        send(agent, url, body, false).then(resolve, reject);
      } else reject(new Error(`${url}: ${error.message}`));
    });
    req.end(body);
  });
}

/** One request's status and JSON body (a fresh connection). */
function exchange(url: string, method: string, body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const headers =
      body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    const req = request(url, { method, agent: false, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (part: Buffer) => parts.push(part));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString()) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Checks that both servers answer alike before they are timed: the same error shapes for a body over the limit (413),
 * a body that is not JSON and an invalid request (400), an unknown route (404), and the same answer to a question.
 */
async function checkSameAnswers(servers: Readonly<Record<string, string>>, question: string): Promise<void> {
  const cases: [string, string, string, string?][] = [
    ["too large", "POST", "/v1/chat/completions", "x".repeat(1024 * 1024 + 1)],
    ["not JSON", "POST", "/v1/chat/completions", "{"],
    ["invalid", "POST", "/v1/chat/completions", JSON.stringify({ messages: [{ role: "robot", content: "hi" }] })],
    ["unknown route", "GET", "/v1/nothing"],
    ["answer", "POST", "/v1/chat/completions", question],
  ];
  for (const [what, method, path, body] of cases) {
    const answers = await Promise.all(Object.values(servers).map((url) => exchange(`${url}${path}`, method, body)));
    const comparable = answers.map(({ status, json }) => {
      const { error, choices } = json as { error?: unknown; choices?: { message: { content: unknown } }[] };
      return JSON.stringify({ status, error, content: choices?.[0]?.message.content });
    });
    if (new Set(comparable).size !== 1)
      throw new Error(`serve_framework: the servers answer "${what}" differently: ${comparable.join(" vs ")}`);
  }
}

/**
 * The first status line a server answers to a request that announces (`Expect: 100-continue`) a body over the 1 MiB
 * limit: `413` at once spares the client the upload, `100 Continue` asks for it.
 */
function expectContinueStatus(base: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () =>
      socket.write(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n" +
          "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n",
      ),
    );
    socket.once("data", (data: Buffer) => {
      socket.destroy();
      resolve(data.toString().split("\r\n")[0].replace("HTTP/1.1 ", ""));
    });
    socket.on("error", reject);
  });
}

/** `count` requests, `concurrency` at a time over keep-alive connections; bodies taken in turn from `bodies`. */
async function loadRound(
  url: string,
  bodies: readonly (string | undefined)[],
  count: number,
  concurrency: number,
): Promise<Round> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  const started = now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      latencies.push(await send(agent, url, bodies[i % bodies.length]));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = now() - started;
  latencies.sort((a, b) => a - b);
  return { perSecond: (1000 * count) / wallMs, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

/**
 * Builds the serve-framework suite: the shipped node:http server (`createPyramidServer`) against the Fastify port of
 * the same routes (`bench/serve_framework_fastify.ts`), both in this process on loopback with the same pyramid
 * (replayed GSM8K members, the vote-agreement router: no model call), rounds interleaved. Figures: requests/s of
 * `GET /health` (the framework's own cost per request) and of non-streaming `POST /v1/chat/completions` (with the
 * pyramid's work), and their median and p99 latencies; ratio = Fastify / node:http.
 */
export function createServeFrameworkSuite(options: ServeFrameworkOptions = {}): BenchSuite {
  const healthCount = options.requests ?? 4000;
  const chatCount = Math.max(20, Math.round(healthCount / 20));
  const concurrency = options.concurrency ?? 16;
  const rounds = options.rounds ?? 5;
  return async (): Promise<BenchFigure[]> => {
    const setup = replaySetup(200);
    if (!setup) {
      console.log("  serve_framework: skipped, no recorded/gsm8k.jsonl under the data folder (set PYRAMID_DATA_DIR)");
      return [];
    }
    const named = (name: string, i: number) => ({ model: [...setup.crowd, setup.oracle][i], name });
    const model = new PyramidChatModel({
      crowd: CROWD_MODELS.map(named),
      oracle: named(ORACLE_MODEL, CROWD_MODELS.length),
      task: "math",
    });
    const bodies = setup.queries.map((messages) =>
      JSON.stringify({
        model: "pyramid-moa",
        messages: [{ role: "user", content: String(messages[messages.length - 1].content) }],
      }),
    );
    const errors: string[] = [];
    const node = createPyramidServer({ model, metrics: false, errorLog: (line) => errors.push(line) });
    const fastify = fastifyPyramidServer({ model, errorLog: (line) => errors.push(line) });
    const nodeUrl = (await node.listen(0, "127.0.0.1")).url;
    const fastifyUrl = await fastify.listen({ port: 0, host: "127.0.0.1" });
    const servers = { node: nodeUrl, fastify: fastifyUrl } as const;
    await checkSameAnswers(servers, bodies[0]);
    const wrongMethod = await Promise.all(
      [nodeUrl, fastifyUrl].map((url) => exchange(`${url}/v1/chat/completions`, "GET").then((r) => r.status)),
    );
    const continued =
      `where they differ: Expect: 100-continue with a body over the limit, node:http ${await expectContinueStatus(nodeUrl)}, ` +
      `the Fastify port ${await expectContinueStatus(fastifyUrl)}; GET /v1/chat/completions, node:http ${wrongMethod[0]}, ` +
      `the Fastify port ${wrongMethod[1]}`;
    const routes = [
      { name: "GET /health", path: "/health", bodies: [undefined], count: healthCount },
      { name: "POST /v1/chat/completions", path: "/v1/chat/completions", bodies, count: chatCount },
    ] as const;
    try {
      const figures: BenchFigure[] = [];
      for (const route of routes) {
        const measured: Record<"node" | "fastify", Round[]> = { node: [], fastify: [] };
        // Warm-up: JIT compilation, the replay indexes, the agent's connections.
        for (const name of ["node", "fastify"] as const)
          await loadRound(`${servers[name]}${route.path}`, route.bodies, route.count, concurrency);
        for (let r = 0; r < rounds; r++) {
          for (const name of rotate(["node", "fastify"] as const, r))
            measured[name].push(
              await loadRound(`${servers[name]}${route.path}`, route.bodies, route.count, concurrency),
            );
        }
        const of = (name: "node" | "fastify", key: keyof Round) => measured[name].map((round) => round[key]);
        const note = `${route.count} requests per round, ${concurrency} at once over keep-alive loopback connections, client and both servers in one process; ${rounds} rounds each after a warm-up, interleaved; node:http ${median(of("node", "perSecond")).toFixed(0)} vs Fastify ${median(of("fastify", "perSecond")).toFixed(0)} requests/s`;
        figures.push(
          figure({
            section: "Serve framework",
            name: `${route.name}: requests/s, Fastify vs node:http`,
            unit: "requests/s",
            values: of("fastify", "perSecond"),
            baselines: of("node", "perSecond"),
            note: `${note}; ratio > 1 = Fastify faster. Both answer 413, bad JSON, a bad role, 404 and a question alike; ${continued}`,
          }),
          figure({
            section: "Serve framework",
            name: `${route.name}: median latency, Fastify vs node:http`,
            unit: "ms",
            values: of("fastify", "p50"),
            baselines: of("node", "p50"),
            note: "ratio < 1 = Fastify faster",
          }),
          figure({
            section: "Serve framework",
            name: `${route.name}: p99 latency, Fastify vs node:http`,
            unit: "ms",
            values: of("fastify", "p99"),
            baselines: of("node", "p99"),
            note: "ratio < 1 = Fastify faster",
          }),
        );
      }
      if (errors.length > 0) throw new Error(`serve_framework: a server logged errors; first: ${errors[0]}`);
      if (resent > 0) console.log(`  serve_framework: ${resent} request(s) sent again after a reused socket was reset`);
      return figures;
    } finally {
      await node.close();
      await fastify.close();
    }
  };
}

/** The serve-framework suite with its default settings. */
export const serveFrameworkSuite: BenchSuite = createServeFrameworkSuite();
