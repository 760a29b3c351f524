import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultLlamaCppThreads } from "../../src/config/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { runCli } from "./capture.js";

let dir: string;
let upstream: OpenAITestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-ask-"));
  const crowdReply = (content: string) => (request: { messages: Array<{ content?: unknown }> }) =>
    String(request.messages[0]?.content).includes("split") ? { content: `${content.length}` } : { content };
  upstream = await startOpenAITestServer({
    models: {
      "crowd-a": crowdReply("The answer is 391."),
      "crowd-b": crowdReply("17 * 23 = 391"),
      "crowd-c": () => ({ error: { status: 500, message: "upstream exploded" } }),
      "oracle-70b": () => ({ content: "It is 9." }),
    },
  });
});

afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("pyramid-moa ask against a local OpenAI-compatible server", () => {
  let config: string;
  beforeAll(() => {
    config = writeConfig(
      "pyramid.config.yaml",
      `tiers:
  - name: crowd
    members:
      - { provider: openai, model: crowd-a, baseURL: "${upstream.baseURL}", price: { input: 0.1, output: 0.1 } }
      - { provider: openai, model: crowd-b, baseURL: "${upstream.baseURL}", price: { input: 0.1, output: 0.1 } }
      - { provider: openai, model: crowd-c, baseURL: "${upstream.baseURL}", price: { input: 0.1, output: 0.1 } }
  - name: oracle
    members:
      - { provider: openai, model: oracle-70b, baseURL: "${upstream.baseURL}", price: { input: 5, output: 15 } }
task: math
policy: { threshold: 0.4 }
`,
    );
  });

  it("prints the answer and the routing trace: tier, P_fail, threshold, members (and errors), costs", async () => {
    const { code, stdout } = await runCli(["ask", "--config", config, "What is 17 * 23?"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("The answer is 391.");
    expect(stdout).toContain('Answered by tier 0 "crowd" (not escalated)');
    expect(stdout).toContain('after tier 0 "crowd": P_fail 0.000 <= threshold 0.400 -> stop');
    expect(stdout).toMatch(/\[tier 0\] crowd-a\s+391/);
    expect(stdout).toMatch(/\[tier 0\] crowd-c\s+error: .*upstream exploded/);
    expect(stdout).toMatch(/Cost: \$0\.\d+; Oracle only: \$0\.\d+ \(estimated\)/);
  });

  it("--json prints one JSON object with the answer, usage and the trace", async () => {
    const { code, stdout } = await runCli(["ask", "--config", config, "--json", "a split question"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      question: string;
      answer: string;
      usage: { input_tokens: number };
      pyramid: PyramidMetadata;
    };
    expect(result.question).toBe("a split question");
    expect(result.answer).toBe("It is 9.");
    expect(result.pyramid.escalated).toBe(true);
    expect(result.pyramid.tierName).toBe("oracle");
    expect(result.pyramid.decisions[0].pFail).toBeCloseTo(1 - 1 / 2, 10);
    expect(result.pyramid.candidates.map((c) => c.model)).toEqual(["crowd-a", "crowd-b", "crowd-c", "oracle-70b"]);
    expect(result.pyramid.candidates[2].error).toContain("upstream exploded");
    expect(result.pyramid.cost.oracleOnlyEstimated).toBe(false);
    expect(result.pyramid.cost.total).toBeGreaterThan(result.pyramid.cost.oracleOnly);
    expect(result.usage.input_tokens).toBeGreaterThan(0);
  });

  it("says to run `pyramid-moa init` when there is no config, and names a bad config field", async () => {
    const empty = mkdtempSync(join(tmpdir(), "pyramid-ask-empty-"));
    const cwd = process.cwd();
    process.chdir(empty);
    try {
      const missing = await runCli(["ask", "What?"]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("no config file found");
      expect(missing.stderr).toContain("run `pyramid-moa init`");
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
    const bad = writeConfig(
      "bad.yaml",
      "tiers:\n  - { name: a, members: [{ provider: gpt, model: x }] }\n  - { name: b, members: [{ provider: ollama, model: y }] }\n",
    );
    const result = await runCli(["ask", "--config", bad, "What?"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('tiers[0].members[0].provider: unknown provider "gpt" (');
    expect(result.stderr).toContain("bad.yaml:2:");
    const noQuestion = await runCli(["ask", "--config", config]);
    expect(noQuestion.code).toBe(1);
    expect(noQuestion.stderr).toContain("no question given");
  });
});

describe("pyramid-moa ask on an embedded llama.cpp crowd (stories260K.gguf) with a replayed Oracle", () => {
  it("runs the GGUF crowd for real and escalates its nonsense to the recorded Llama-3.1-70B answer", async () => {
    const modelPath = join(dataDir(), "models", "stories260K.gguf");
    const member = (name: string, seed: number) =>
      `      - { provider: llamacpp, model: ${name}, modelPath: "${modelPath}", temperature: 1, seed: ${seed}, maxTokens: 12, threads: 1 }`;
    const config = writeConfig(
      "llama.yaml",
      `tiers:
  - name: crowd
    members:
${member("stories-a", 1)}
${member("stories-b", 2)}
${member("stories-c", 3)}
  - name: oracle
    members:
      - { provider: replay, model: Meta-Llama-3.1-70B-Instruct }
task: math
`,
    );
    const recorded = readFileSync(join(dataDir(), "recorded", "gsm8k.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map(
        (line) =>
          JSON.parse(line) as { id: string; model: string; messages: Array<{ content: string }>; output: string },
      )
      .find((line) => line.id === "gsm8k/test/0" && line.model === "Meta-Llama-3.1-70B-Instruct")!;
    const { code, stdout } = await runCli(["ask", "--config", config, "--json", recorded.messages[0].content]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { answer: string; pyramid: PyramidMetadata; usage: { output_tokens: number } };
    const crowd = result.pyramid.candidates.filter((c) => c.tier === 0);
    expect(crowd.map((c) => c.model)).toEqual(["stories-a", "stories-b", "stories-c"]);
    expect(crowd.every((c) => c.error === undefined)).toBe(true);
    expect(result.pyramid.features.avg_logprob_0).toBeLessThan(0);
    expect(result.pyramid.escalated).toBe(true);
    expect(result.answer).toBe(recorded.output);
    expect(result.usage.output_tokens).toBeGreaterThanOrEqual(3 * 1);
  });
});

describe("pyramid-moa init --template llamacpp, then ask", () => {
  it("runs a fully local pyramid on the GGUF model", async () => {
    const config = join(dir, "local.yaml");
    const gguf = join(dataDir(), "models", "stories260K.gguf");
    expect((await runCli(["init", "--template", "llamacpp", "--model-path", gguf, "--out", config])).code).toBe(0);
    // The file as written, unedited: bounded threads, context and answer length.
    const text = readFileSync(config, "utf8");
    expect(text).toContain(`threads: ${defaultLlamaCppThreads()}`);
    expect(text).toMatch(/contextSize: 1024/);
    const { code, stdout } = await runCli(["ask", "--config", config, "--json", "Once upon a time"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { answer: string; pyramid: PyramidMetadata; usage: { output_tokens: number } };
    expect(result.pyramid.candidates.filter((c) => c.tier === 0).map((c) => c.model)).toEqual([
      "crowd-a",
      "crowd-b",
      "crowd-c",
    ]);
    expect(result.pyramid.candidates.every((c) => c.error === undefined)).toBe(true);
    expect(result.answer.length).toBeGreaterThan(0);
    expect(result.usage.output_tokens).toBeGreaterThan(3);
  });
});

describe("examples/pyramid.config.json (the paper's crowd and Oracle replayed from recorded GSM8K, with the shipped router)", () => {
  it("loads the router and its preset, and routes recorded questions offline", async () => {
    type Line = {
      id: string;
      model: string;
      messages: Array<{ content: string }>;
      output: string;
      reference: { answer_number?: string };
    };
    const lines = readFileSync(join(dataDir(), "recorded", "gsm8k.jsonl"), "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Line);
    const byId = new Map<string, Map<string, Line>>();
    for (const line of lines) byId.set(line.id, (byId.get(line.id) ?? new Map<string, Line>()).set(line.model, line));
    const crowd = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
    const answers = (models: Map<string, Line>) =>
      new Set(crowd.map((m) => models.get(m)?.reference.answer_number ?? "none")).size;
    const items = [...byId.values()];
    const agreed = items.find((models) => answers(models) === 1)!;
    const split = items.find((models) => answers(models) === 3)!;
    const root = join(import.meta.dirname, "../..");
    const config = join(root, "examples/pyramid.config.json");
    const bundle = JSON.parse(readFileSync(join(root, "routers/gsm8k-llama8b-gemma9b-qwen7b.json"), "utf8")) as {
      presets: { balanced: number };
    };
    const results: Array<{ escalated: boolean; pFail: number }> = [];
    for (const item of [agreed, split]) {
      const oracle = item.get("Meta-Llama-3.1-70B-Instruct")!;
      const { code, stdout } = await runCli(["ask", "--config", config, "--json", oracle.messages[0].content]);
      expect(code).toBe(0);
      const result = JSON.parse(stdout) as { answer: string; pyramid: PyramidMetadata };
      const decision = result.pyramid.decisions[0];
      expect(result.pyramid.candidates.slice(0, 3).map((c) => c.model)).toEqual(crowd);
      expect(decision.threshold).toBe(bundle.presets.balanced);
      expect(decision.pFail).toBeGreaterThanOrEqual(0);
      expect(decision.pFail).toBeLessThanOrEqual(1);
      expect(decision.escalated).toBe(decision.pFail > decision.threshold);
      if (decision.escalated) expect(result.answer).toBe(oracle.output);
      else expect(crowd.map((m) => item.get(m)!.output)).toContain(result.answer);
      results.push({ escalated: decision.escalated, pFail: decision.pFail });
    }
    // The router is more worried about a three-way split than about a unanimous crowd.
    expect(results[1].pFail).toBeGreaterThan(results[0].pFail);
    expect(results[0].escalated).toBe(false);
  });
});
