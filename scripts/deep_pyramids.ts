/**
 * The three-tier pyramid (crowd Llama-3.1-8B, gemma-2-9b, Qwen2-7B -> Llama-3.1-70B -> Llama-3.1-405B, priced by
 * parameter count) on the development split, in one command (`npm run deep`):
 *
 * 1. GSM8K, every development item, no router (P_fail = 1 - vote share): the agreement-rule baselines of issue #28
 *    (unanimous crowd, then the 70B when it agrees with a crowd member, else the 405B: 96.41% at 16.2% of the 405B's
 *    cost; crowd -> 405B unless unanimous: 96.20% at 39.3%) -> results/deep/gsm8k-all/
 * 2. MATH level 5, every development item, no router: 52.4% at 88.6%; hindsight 61.8% -> results/deep/math-all/
 * 3. GSM8K holdout: one router per boundary trained on the training part (70%, seed 1), joint presets chosen on
 *    out-of-fold P_fail, the look-ahead measured against the per-boundary thresholds -> results/deep/gsm8k-holdout/
 * 4. MATH level 5 zero-shot with the shipped GSM8K routers (routers/deep/) -> results/deep/math-zero-shot/
 *
 * Each folder gets summary.md (intervals, paired tests, boundaries, frontier), summary.json, frontier.svg/png,
 * reliability-<k>.svg/png and traces; results/deep/figures.md collects the headline rows.
 *
 *   PYRAMID_DATA_DIR=../shared/data npm run deep
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeDeepReport } from "../src/eval/deep/report.js";
import { runDeepEvaluation, type DeepEvaluationOptions } from "../src/eval/deep/run_deep.js";
import type { DeepSummary } from "../src/eval/deep/summary.js";

const OUT = join("results", "deep");

const RUNS: readonly { title: string; dir: string; options: Omit<DeepEvaluationOptions, "outDir"> }[] = [
  {
    title: "GSM8K, all development items, no router",
    dir: "gsm8k-all",
    options: { benchmark: "gsm8k", shippedRouters: false },
  },
  {
    title: "MATH level 5, all development items, no router",
    dir: "math-all",
    options: { benchmark: "math", shippedRouters: false },
  },
  {
    title: "GSM8K holdout (30%), routers trained per boundary on the rest",
    dir: "gsm8k-holdout",
    options: { benchmark: "gsm8k", train: true },
  },
  { title: "MATH level 5, shipped GSM8K routers (zero-shot)", dir: "math-zero-shot", options: { benchmark: "math" } },
];

const pct = (x: number, d = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(d)}%` : "n/a");

function rows(summary: DeepSummary): string[] {
  const intervals = new Map(summary.significance.rules.map((r) => [r.name, r]));
  const paired = new Map(summary.significance.versusOracle.map((c) => [c.name, c]));
  return [summary.pyramid, ...summary.presets.map((p) => p.score), ...summary.baselines].map((r) => {
    const i = intervals.get(r.name);
    const c = paired.get(r.name);
    const cost = i ? `[${pct(1 - i.costSaving[1])}, ${pct(1 - i.costSaving[0])}]` : "";
    const diff = c
      ? `${(100 * c.accuracyDifference).toFixed(2)} [${(100 * c.interval[0]).toFixed(2)}, ${(100 * c.interval[1]).toFixed(2)}] pts, McNemar p ${c.mcnemarP.toFixed(3)}`
      : "";
    return `| ${r.name} | ${pct(r.accuracy, 2)} ${i ? `[${pct(i.accuracy[0])}, ${pct(i.accuracy[1])}]` : ""} | ${pct(r.costFraction)} ${cost} | ${r.answeredShare.map((a) => pct(a)).join(" / ")} | ${diff} |`;
  });
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const lines = [
    "# Deep pyramids on the development split (`npm run deep`)",
    "",
    "crowd Llama-3.1-8B, gemma-2-9b, Qwen2-7B -> Llama-3.1-70B -> Llama-3.1-405B; cost as a fraction of the 405B alone;",
    "95% bootstrap intervals (2000 paired resamples, seed 1); accuracy difference against the 405B alone, paired.",
  ];
  for (const run of RUNS) {
    const outDir = join(OUT, run.dir);
    const result = await runDeepEvaluation({ ...run.options, outDir, seed: 1 });
    const { summary } = await writeDeepReport(result.traces, {
      outDir,
      presets: result.presets,
      ...(result.lookahead ? { lookahead: result.lookahead } : {}),
      title: run.title,
      seed: 1,
    });
    lines.push(
      "",
      `## ${run.title} (${summary.queries} queries; \`${outDir}\`)`,
      "",
      "| rule | accuracy [95%] | cost vs 405B [95%] | answered by crowd / 70B / 405B | minus 405B [95%] |",
      "|---|---|---|---|---|",
      ...rows(summary),
    );
    if (summary.lookahead) {
      lines.push(
        "",
        "Look-ahead (optimal stopping, estimates from the training part) against the per-boundary thresholds at the same cost:",
        "",
        "| utility (x 405B cost) | accuracy | cost vs 405B | thresholds' best accuracy at that cost |",
        "|---|---|---|---|",
        ...summary.lookahead.map(
          (p) =>
            `| ${p.utilityPerApexCost} | ${pct(p.score.accuracy, 2)} | ${pct(p.score.costFraction)} | ${pct(p.thresholdsAccuracyAtSameCost, 2)} |`,
        ),
      );
    }
    console.log(`${run.title}: ${join(outDir, "summary.md")}`);
  }
  writeFileSync(join(OUT, "figures.md"), `${lines.join("\n")}\n`);
  console.log(`figures: ${join(OUT, "figures.md")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
