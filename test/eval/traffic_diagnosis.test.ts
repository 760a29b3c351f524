import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli/capture.js";
import { extractAnswer, majorityVote } from "../../src/answers/index.js";
import type { TaskKind } from "../../src/answers/index.js";
import { dataDir } from "../../src/eval/index.js";
import { RecordedOutputs } from "../../src/replay/index.js";
import { tempDirs } from "../helpers/temp_dirs.js";

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const APEX = "Meta-Llama-3.1-70B-Instruct";
const RATE = 0.5;

const tmp = tempDirs("pyramid-traffic-diagnosis-");

/**
 * Production traffic as `serve --traces` writes it, from recorded outputs: the crowd answers, the agreement rule at
 * t = 0.5 escalates when no majority agrees (the apex's answer is then known), and every other kept query is
 * shadowed (rate 0.5). Costs: the crowd 0.3, the apex 1 per query.
 */
function traffic(
  file: string,
  task: TaskKind,
  limit: number,
): { path: string; unanimousAgreeing: number; unanimous: number } {
  const store = RecordedOutputs.load(join(dataDir(), "recorded", file));
  const ids = [...new Set(store.lines.map((line) => line.id ?? ""))].filter(Boolean).slice(0, limit);
  const key = (id: string, model: string) => {
    const line = store.lines.find((l) => l.id === id && l.model === model);
    return line ? (extractAnswer(line.output, task)?.key ?? null) : null;
  };
  const lines: string[] = [];
  let kept = 0;
  let unanimous = 0;
  let unanimousAgreeing = 0;
  for (const id of ids) {
    const answers = CROWD.map((model) => key(id, model));
    const vote = majorityVote(answers);
    const pFail = 1 - vote.count / CROWD.length;
    const escalated = pFail > 0.5;
    const apex = key(id, APEX);
    const shadowed = !escalated && kept++ % 2 === 0;
    if (vote.count === 3) {
      unanimous++;
      if (vote.key === apex) unanimousAgreeing++;
    }
    lines.push(
      JSON.stringify({
        type: "query",
        id,
        time: "2026-12-01T08:00:00.000Z",
        featureNames: ["vote_share"],
        features: [vote.count / 3],
        candidates: [
          ...CROWD.map((model, i) => ({ model, tier: 0, answer: answers[i], costUsd: 0.1, latencyMs: 1 })),
          ...(escalated ? [{ model: APEX, tier: 1, answer: apex, costUsd: 1, latencyMs: 1 }] : []),
        ],
        crowdAnswer: vote.key,
        apexAnswer: escalated ? apex : null,
        pFail,
        threshold: 0.5,
        escalated,
        reachedApex: escalated,
        tier: escalated ? 1 : 0,
        decisions: [{ tier: 0, pFail, threshold: 0.5, escalated }],
        finalAnswer: escalated ? apex : vote.key,
        cost: { crowd: 0.3, oracle: escalated ? 1 : 0, total: escalated ? 1.3 : 0.3, oracleOnly: 1 },
        latencyMs: 1,
        shadowScheduled: shadowed,
        shadowRate: RATE,
        task,
      }),
    );
    if (shadowed) {
      lines.push(
        JSON.stringify({
          type: "shadow",
          id,
          time: "2026-12-01T08:00:01.000Z",
          apexAnswer: apex,
          agrees: apex === null ? null : apex === vote.key,
          costUsd: 1,
          latencyMs: 1,
        }),
      );
    }
  }
  const dir = tmp();
  const path = join(dir, "traffic.jsonl");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return { path, unanimous, unanimousAgreeing };
}

async function report(path: string): Promise<{ stdout: string; markdown: string }> {
  const out = join(path, "..", "report");
  const run = await runCli(["report", "--traces", path, "--out", out, "--no-png"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return { stdout: run.stdout, markdown: readFileSync(join(out, "diagnosis.md"), "utf8") };
}

describe("pyramid-moa report prints the workload diagnosis of shadow-labelled traffic", () => {
  it("GSM8K traffic: the crowd's kept answers match the apex's, keep the pyramid", async () => {
    const { path } = traffic("gsm8k.jsonl", "math", 200);
    const { stdout, markdown } = await report(path);
    expect(stdout).toMatch(/queries labelled by the apex/);
    expect(stdout).toMatch(/Workload diagnosis: keep the pyramid\./);
    expect(markdown).toMatch(/\*\*Recommendation: keep the pyramid\.\*\*/);
    expect(stdout).toMatch(/Meta-Llama-3\.1-8B-Instruct \d+\.\d% \([+-]\d+\.\d pts\)/);
  });

  it("MATH level-5 traffic: the unanimous crowd often disagrees with the apex, and the pyramid cannot pay", async () => {
    const { path, unanimous, unanimousAgreeing } = traffic("math-l5.jsonl", "math-latex", 219);
    expect(unanimous).toBeGreaterThan(0);
    const { stdout } = await report(path);
    expect(stdout).toMatch(/Workload diagnosis: send this workload to the Oracle\./);
    expect(stdout).toMatch(/the crowd is right on only \d+\.\d% of the queries where it is unanimous/);
    expect(stdout).toMatch(/reached: no threshold does with a saving/);
    // Unanimous queries are all kept and sampled at 1/2 (weight 2): the weighted rate equals the sample's rate
    // only approximately, so the test checks the line is there and the figure is a percentage.
    expect(stdout).toMatch(/unanimous on \d+\.\d% of queries, right there \d+\.\d%/);
    expect(unanimousAgreeing / unanimous).toBeLessThan(1);
  });
});
