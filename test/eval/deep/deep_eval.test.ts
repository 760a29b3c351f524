import { readFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvalTraceLine } from "../../../src/eval/index.js";
import { dataDir } from "../../../src/eval/index.js";
import { runCli } from "../../cli/capture.js";
import { estimateTokens } from "../../../src/index.js";
import { getRecordedItems } from "../../../src/replay/index.js";
import { tempDirs } from "../../helpers/temp_dirs.js";
import { readTraces, runEval } from "../eval_cli.js";

const tmp = tempDirs("pyramid-deep-");

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const MIDDLE = "Meta-Llama-3.1-70B-Instruct";
const APEX = "Meta-Llama-3.1-405B-Instruct";
const recorded = (name: string): string => join(dataDir(), "recorded", name);

describe("pyramid-moa eval --tiers (a pyramid of three tiers on the recorded GSM8K outputs)", () => {
  const out = tmp();
  let traces: EvalTraceLine[] = [];

  it("runs the graph over every tier and keeps the two-tier fields with the apex in the Oracle's place", async () => {
    const run = await runEval({
      benchmark: "gsm8k",
      tiers: `${CROWD.join(",")};${MIDDLE};${APEX}`,
      limit: "40",
      threshold: "0.3",
      out,
      "no-png": true,
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    traces = readTraces(out);
    expect(traces).toHaveLength(40);
    for (const t of traces) {
      const tiers = t.tiers ?? [];
      const boundaries = t.boundaries ?? [];
      expect(tiers.map((x) => x.candidates.map((c) => c.model))).toEqual([CROWD, [MIDDLE], [APEX]]);
      expect(boundaries).toHaveLength(2);
      const answered = t.answeredTier ?? -1;
      expect(answered).toBeGreaterThanOrEqual(0);
      // The apex stands in the Oracle's place; correct and cost.total are those of the tier that answered.
      expect(t.oracleCorrect).toBe(tiers[2].correct);
      expect(t.cost.oracleOnly).toBe(tiers[2].costUsd);
      expect(t.correct).toBe(tiers[answered].correct);
      const paid = tiers.slice(0, answered + 1).reduce((s, x) => s + x.costUsd, 0);
      expect(t.cost.total).toBeCloseTo(paid, 12);
      // The graph's decisions: boundary k is reached iff every lower boundary escalated, and escalates iff
      // P_fail > 0.3 (the agreement router: 1 - the vote share of the pool so far).
      expect(boundaries[0].reached).toBe(true);
      expect(boundaries[1].reached).toBe(boundaries[0].escalated);
      for (const b of boundaries) {
        if (b.reached) expect(b.escalated).toBe(b.pFail > 0.3);
        expect(b.threshold).toBe(0.3);
      }
      expect(answered).toBe(boundaries[0].escalated ? (boundaries[1].escalated ? 2 : 1) : 0);
      // Boundary 1's features are over the pool of four candidates.
      expect(boundaries[1].featureNames).toContain("agrees_with_majority_3");
      expect(boundaries[0].featureNames).not.toContain("agrees_with_majority_3");
    }
    expect(new Set(traces.map((t) => t.answeredTier))).toEqual(new Set([0, 1, 2]));
  }, 120_000);

  it("reports the agreement rule, every tier alone and each boundary, computed independently from the traces", () => {
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      baselines: { name: string; accuracy: number; costFraction: number }[];
      boundaries: { name: string; reached: number; escalated: number }[];
      significance: { versusOracle: { name: string }[] };
      frontier: unknown[];
    };
    // The rule: the crowd stops when unanimous, the 70B when it agrees with a crowd member, else the 405B.
    let correct = 0;
    let cost = 0;
    let apexCost = 0;
    for (const t of traces) {
      const tiers = t.tiers ?? [];
      const crowd = tiers[0].candidates.map((c) => c.answer);
      const unanimous = crowd[0] !== null && crowd.every((a) => a === crowd[0]);
      const middle = tiers[1].candidates[0].answer;
      const tier = unanimous ? 0 : middle !== null && crowd.includes(middle) ? 1 : 2;
      if (tiers[tier].correct) correct++;
      cost += tiers.slice(0, tier + 1).reduce((s, x) => s + x.costUsd, 0);
      apexCost += tiers[2].costUsd;
    }
    const rule = summary.baselines.find(
      (b) => b.name === "agreement: unanimous crowd, then agreement with a lower member",
    );
    expect(rule?.accuracy).toBeCloseTo(correct / traces.length, 12);
    expect(rule?.costFraction).toBeCloseTo(cost / apexCost, 12);
    const apex = summary.baselines.find((b) => b.name === "apex alone");
    expect(apex?.accuracy).toBeCloseTo(traces.filter((t) => t.oracleCorrect).length / traces.length, 12);
    expect(summary.baselines.map((b) => b.name)).toEqual(
      expect.arrayContaining([...CROWD, MIDDLE, "crowd alone", "two tiers: crowd -> apex unless unanimous"]),
    );
    expect(summary.boundaries.map((b) => b.name)).toEqual(["crowd -> 70B", "70B -> 405B"]);
    expect(summary.boundaries[0].reached).toBe(40);
    expect(summary.boundaries[1].reached).toBe(traces.filter((t) => (t.answeredTier ?? 0) >= 1).length);
    expect(summary.boundaries[1].escalated).toBe(traces.filter((t) => t.answeredTier === 2).length);
    expect(summary.significance.versusOracle.map((c) => c.name)).toContain("pyramid (t=0.30/0.30)");
    expect(summary.frontier.length).toBeGreaterThan(1);
    const md = readFileSync(join(out, "summary.md"), "utf8");
    expect(md).toContain("| crowd -> 70B | 0.30 | 40 |");
    for (const file of ["frontier.svg", "reliability-0.svg", "reliability-1.svg"])
      expect(existsSync(join(out, file))).toBe(true);
  });

  it("keeps two-tier output byte for byte when --tiers has two tiers", async () => {
    const a = tmp();
    const b = tmp();
    const common = ["--benchmark", "gsm8k", "--limit", "25", "--no-png"];
    const viaTiers = await runCli(["eval", ...common, "--out", a, "--tiers", `${CROWD.join(",")};${MIDDLE}`]);
    const viaShorthand = await runCli(["eval", ...common, "--out", b, "--crowd", CROWD.join(","), "--oracle", MIDDLE]);
    expect(viaTiers.code).toBe(0);
    expect(viaShorthand.code).toBe(0);
    for (const file of ["traces.jsonl", "summary.md", "summary.json", "theorem1.md", "run.json"]) {
      expect(readFileSync(join(a, file), "utf8")).toBe(readFileSync(join(b, file), "utf8"));
    }
    expect(viaTiers.stdout.replaceAll(a, "<out>")).toBe(viaShorthand.stdout.replaceAll(b, "<out>"));
  }, 120_000);

  it("takes --recorded more than once (a model's outputs may come from any file), and names the flag otherwise", async () => {
    const ok = await runEval({
      benchmark: "gsm8k",
      crowd: CROWD.join(","),
      oracle: APEX,
      recorded: [recorded("gsm8k.jsonl"), recorded("gsm8k-405b.jsonl")],
      limit: "10",
      out: tmp(),
      "no-png": true,
    });
    expect(ok.code).toBe(0);
    const missing = await runEval({
      benchmark: "gsm8k",
      tiers: `${CROWD.join(",")};${MIDDLE};${APEX}`,
      recorded: recorded("gsm8k.jsonl"),
      limit: "10",
      out: tmp(),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`model "${APEX}" is not in`);
    expect(missing.stderr).toContain("--recorded");
    const oneRouter = await runEval({
      benchmark: "gsm8k",
      tiers: "deep",
      router: "routers/gsm8k-llama8b-gemma9b-qwen7b.json",
      out: tmp(),
    });
    expect(oneRouter.code).toBe(1);
    expect(oneRouter.stderr).toContain("1 router files for 2 boundaries");
  }, 120_000);

  it("evaluates a config file's pyramid with its prices", async () => {
    const dir = tmp();
    const member = (model: string, file: string, price: number) => ({
      provider: "replay",
      model,
      recordedFile: recorded(file),
      price: { input: price, output: price },
    });
    const config = {
      tiers: [
        { name: "small", members: CROWD.map((m) => member(m, "gsm8k.jsonl", 1)) },
        { name: "middle", members: [member(MIDDLE, "gsm8k.jsonl", 2)] },
        { name: "top", members: [member(APEX, "gsm8k-405b.jsonl", 4)] },
      ],
      task: "math",
      policy: { threshold: 0.3 },
    };
    const file = join(dir, "pyramid.config.json");
    writeFileSync(file, JSON.stringify(config));
    const out = join(dir, "out");
    const run = await runEval({ benchmark: "gsm8k", config: file, limit: "12", out, "no-png": true });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tiers small -> middle -> top");
    const items = new Map(getRecordedItems(recorded("gsm8k-405b.jsonl")).map((item) => [item.id, item]));
    for (const t of readTraces(out)) {
      const [small, middle, top] = t.tiers ?? [];
      expect([small.name, middle.name, top.name]).toEqual(["small", "middle", "top"]);
      // The apex at the config's 4 USD per 1M tokens (estimated as the library does: 4 characters per token), not
      // at the 405B's default price by parameter count (5.0625).
      const item = items.get(t.id);
      const prompt = item?.messages.map((m) => m.content).join("") ?? "";
      const tokens = estimateTokens(prompt) + estimateTokens(item?.byModel.get(APEX)?.output ?? "");
      expect(top.costUsd).toBeCloseTo((tokens * 4) / 1e6, 9);
      expect(t.boundaries?.every((b) => b.threshold === 0.3)).toBe(true);
    }
  }, 120_000);
});
