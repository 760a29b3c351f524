/**
 * Out-of-fold AUC gain of each math feature group (`src/features/math_signals.ts`) on the GSM8K router: the
 * training traces of `results/gsm8k` with the group's features added (computed from the crowd's recorded outputs and
 * the question), trained by `trainRouter` with 5-fold cross-validation for seeds 1-5, against the same traces without
 * them (the out-of-fold AUC of `metadata.validation.auc`, as in `scripts/router_params_check.ts`). A group is kept
 * when its mean gain is positive and larger than its spread over seeds. Needs libxgboost and the GSM8K run:
 *
 *   npm run demo            # -> results/gsm8k/train_traces.jsonl
 *   npx tsx scripts/math_features_check.ts [results/gsm8k] [recorded/gsm8k.jsonl]
 */
import { join } from "node:path";
import { extractAnswer } from "../src/answers/index.js";
import { dataDir } from "../src/eval/index.js";
import {
  MATH_SIGNAL_GROUPS,
  mathSignalNames,
  mathSignalValues,
  type MathSignalGroup,
} from "../src/features/math_signals.js";
import type { Candidate } from "../src/core/types.js";
import { getRecordedItems } from "../src/replay/items.js";
import { readTraces } from "../src/router/train/dataset.js";
import { trainRouter } from "../src/router/train/train_router.js";
import type { EvalTraceLine } from "../src/core/trace_schema.js";

const run = process.argv[2] ?? "results/gsm8k";
const recorded = process.argv[3] ?? join(dataDir(), "recorded", "gsm8k.jsonl");
const SEEDS = [1, 2, 3, 4, 5];
const traces = readTraces(join(run, "train_traces.jsonl"));
const items = new Map(getRecordedItems(recorded).map((item) => [item.id, item]));

/** The crowd's candidates of a trace, rebuilt from the recorded outputs. */
function candidatesOf(trace: EvalTraceLine): Candidate[] {
  const item = items.get(trace.id);
  if (!item) throw new Error(`${trace.id} is not in ${recorded}`);
  return trace.candidates.map((c, index) => {
    const text = item.byModel.get(c.model)?.output ?? "";
    const answer = extractAnswer(text, "math");
    return {
      model: c.model,
      tier: 0,
      index,
      text,
      answer: answer?.key ?? null,
      display: answer?.display ?? null,
      attempts: 1,
      latencyMs: 0,
      usage: { input: 0, output: 0 },
      costUsd: 0,
    } as unknown as Candidate;
  });
}

const rebuilt = traces.map((trace) => ({
  trace,
  candidates: candidatesOf(trace),
  question: items.get(trace.id)?.question ?? "",
}));

function withGroups(groups: readonly MathSignalGroup[]): EvalTraceLine[] {
  const names = mathSignalNames(groups);
  return rebuilt.map(({ trace, candidates, question }) => ({
    ...trace,
    featureNames: [...trace.featureNames, ...names],
    features: [
      ...trace.features,
      ...mathSignalValues(candidates, groups, { question }).map((v) => (Number.isNaN(v) ? null : v)),
    ],
  }));
}

function oofAuc(set: EvalTraceLine[]): number[] {
  return SEEDS.map((seed) => Number(trainRouter({ traces: set, seed }).bundle.metadata.validation.auc));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const base = oofAuc(traces);
const rows = [
  `GSM8K training part of ${run}: ${traces.length} traces; out-of-fold AUC (5-fold CV), seeds 1-5`,
  "",
  "| features | mean OOF AUC | gain vs current features (per seed: mean ± sd) | kept |",
  "|---|---|---|---|",
  `| current features (${traces[0].featureNames.length}) | ${mean(base).toFixed(4)} | | |`,
];
const kept: MathSignalGroup[] = [];
for (const group of Object.keys(MATH_SIGNAL_GROUPS) as MathSignalGroup[]) {
  const aucs = oofAuc(withGroups([group]));
  const gains = aucs.map((auc, i) => auc - base[i]);
  const keep = mean(gains) > 0 && mean(gains) > sd(gains);
  if (keep) kept.push(group);
  rows.push(
    `| + ${group} (${mathSignalNames([group]).join(", ")}) | ${mean(aucs).toFixed(4)} | ${mean(gains) >= 0 ? "+" : ""}${mean(gains).toFixed(4)} ± ${sd(gains).toFixed(4)} | ${keep ? "yes" : "no"} |`,
  );
}
const all = oofAuc(withGroups(Object.keys(MATH_SIGNAL_GROUPS) as MathSignalGroup[]));
rows.push(`| + all groups | ${mean(all).toFixed(4)} | ${(mean(all) - mean(base)).toFixed(4)} | |`);
if (kept.length > 1) {
  const together = oofAuc(withGroups(kept));
  rows.push(
    `| + kept groups together (${kept.join(", ")}) | ${mean(together).toFixed(4)} | ${(mean(together) - mean(base)).toFixed(4)} | |`,
  );
}
console.log(rows.join("\n"));
