/**
 * Crowd schedules on the recorded GSM8K development outputs (crowd Llama-3.1-8B, gemma-2-9b, Qwen2-7B; Oracle
 * Llama-3.1-70B; prices by parameter count, tokens as the replay estimates them), agreement router at one threshold:
 *
 * - `waves` vs `parallel`: final answers that differ (must be 0), accuracy, saving against the Oracle alone;
 * - under a latency model (per model: time to first token + output tokens / tokens per second, output length from
 *   the recordings), p50/p95 of the crowd's decision time and of the end-to-end time of `parallel` and `anytime`
 *   (`anytime` decides at the first arrival after which `isSettled` holds), with a bootstrap 95% interval of the
 *   ratio of means; `anytime` with speculative escalation (the Oracle started at the first disagreement);
 * - a deadline of half the Oracle's median latency under `anytime`: how many queries get an answer, and accuracy.
 *
 *   npx tsx scripts/anytime_replay.ts [--threshold 0.5] [--small-tps 150] [--large-tps 45] [--small-ttft-ms 150]
 *     [--large-ttft-ms 300] [--file <recorded gsm8k.jsonl>]
 *
 * The queries, the replays and the latency model are the library's (`scheduleQuery`, `replayQuery`,
 * `replaySpeculative`, `replayDeadline`, `LatencyModel`: src/eval/schedule/, as `eval --schedule` uses them);
 * `test/graph/schedule_replay.test.ts` checks the graph gives the same answers.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { dataDir } from "../src/eval/data_dir.js";
import { gradeGsm8k } from "../src/eval/graders/gsm8k.js";
import { replayDeadline } from "../src/eval/schedule/deadline.js";
import { LatencyModel } from "../src/eval/schedule/latency_model.js";
import { replayedPyramid, scheduleQuery } from "../src/eval/schedule/queries.js";
import { replayQuery } from "../src/eval/schedule/simulate.js";
import type { ReplayedQuery } from "../src/eval/schedule/simulate.js";
import { replaySpeculative } from "../src/eval/schedule/speculative.js";
import type { SettleContext } from "../src/graph/schedule/settle.js";
import { quantile } from "../src/policy/bootstrap.js";
import { getRecordedItems, itemsAnsweredByAll, RecordedOutputs } from "../src/replay/index.js";
import { AgreementRouter } from "../src/router/agreement.js";
import { seededRandom } from "../src/utils/random.js";

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const ORACLE = "Meta-Llama-3.1-70B-Instruct";

const { values } = parseArgs({
  options: {
    threshold: { type: "string", default: "0.5" },
    "small-tps": { type: "string", default: "150" },
    "large-tps": { type: "string", default: "45" },
    "small-ttft-ms": { type: "string", default: "150" },
    "large-ttft-ms": { type: "string", default: "300" },
    file: { type: "string", default: join(dataDir(), "recorded", "gsm8k.jsonl") },
  },
});
const threshold = Number(values.threshold);
const latency = new LatencyModel({
  default: { ttftMs: Number(values["small-ttft-ms"]), tokensPerSecond: Number(values["small-tps"]) },
  models: { [ORACLE]: { ttftMs: Number(values["large-ttft-ms"]), tokensPerSecond: Number(values["large-tps"]) } },
});
const context: SettleContext = { router: new AgreementRouter(), threshold, lower: [] };

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** Bootstrap 95% interval of mean(a) / mean(b) over paired queries (2,000 resamples, seed 1). */
function ratioInterval(a: readonly number[], b: readonly number[]): [number, number] {
  const random = seededRandom(1);
  const ratios: number[] = [];
  for (let r = 0; r < 2000; r++) {
    let sa = 0;
    let sb = 0;
    for (let k = 0; k < a.length; k++) {
      const i = Math.floor(random() * a.length);
      sa += a[i];
      sb += b[i];
    }
    ratios.push(sa / sb);
  }
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)];
}

const store = RecordedOutputs.load(values.file);
const pyramid = replayedPyramid(store, CROWD, ORACLE, "math");
const items = itemsAnsweredByAll(getRecordedItems(store), [...CROWD, ORACLE]);
const rows = await Promise.all(
  items.map(async (item) => {
    const gold = String(item.gold);
    const gradeText = (text: string) => gradeGsm8k(text, gold).correct;
    const query = await scheduleQuery(pyramid, item, (candidate) => gradeText(candidate.text));
    return {
      query,
      gradeText,
      oracleMs: latency.callMs(ORACLE, query.oracle.outputTokens),
      firstArrivalMs: Math.min(...query.crowd.map((c) => latency.callMs(c.model, c.usage.output))),
      parallel: replayQuery(query, "parallel", context, latency),
      waves: replayQuery(query, "waves", context, latency),
      anytime: replayQuery(query, "anytime", context, latency),
      speculative: replaySpeculative(query, "anytime", context, latency),
    };
  }),
);

const oracleOnly = sum(rows.map((r) => r.query.oracle.costUsd));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number) => `${Math.round(x)} ms`;
const returned = (r: ReplayedQuery) => (r.escalated ? "\u0000oracle" : `crowd:${r.key ?? ""}`);
const differ = (key: "waves" | "anytime") => rows.filter((r) => returned(r[key]) !== returned(r.parallel)).length;

console.log(
  `# Crowd schedules on ${rows.length} recorded GSM8K development items (agreement router, threshold ${threshold})`,
);
console.log(
  `latency model: small ${values["small-ttft-ms"]} ms + tokens/${values["small-tps"]} per s; ${ORACLE} ${values["large-ttft-ms"]} ms + tokens/${values["large-tps"]} per s`,
);
console.log("");
console.log("| schedule | final answers differing from parallel | accuracy | escalated | saving vs Oracle alone |");
console.log("|---|---|---|---|---|");
for (const name of ["parallel", "waves", "anytime"] as const) {
  const acc = mean(rows.map((r) => (r[name].correct ? 1 : 0)));
  const esc = mean(rows.map((r) => (r[name].escalated ? 1 : 0)));
  const cost = pct(1 - sum(rows.map((r) => r[name].costUsd)) / oracleOnly);
  console.log(`| ${name} | ${name === "parallel" ? "-" : differ(name)} | ${pct(acc)} | ${pct(esc)} | ${cost} |`);
}
console.log("");
console.log("| latency | parallel p50 | parallel p95 | anytime p50 | anytime p95 | mean anytime / parallel (95% CI) |");
console.log("|---|---|---|---|---|---|");
const latencyRow = (label: string, p: readonly number[], a: readonly number[]) => {
  const [lo, hi] = ratioInterval(a, p);
  console.log(
    `| ${label} | ${ms(quantile(p, 0.5))} | ${ms(quantile(p, 0.95))} | ${ms(quantile(a, 0.5))} | ${ms(quantile(a, 0.95))} | ${(mean(a) / mean(p)).toFixed(3)} (${lo.toFixed(3)}-${hi.toFixed(3)}) |`,
  );
};
const parallelEnd = rows.map((r) => r.parallel.endMs);
const speculativeEnd = rows.map((r) => r.speculative.endMs);
latencyRow(
  "crowd decision",
  rows.map((r) => r.parallel.crowdMs),
  rows.map((r) => r.anytime.crowdMs),
);
latencyRow(
  "end to end",
  parallelEnd,
  rows.map((r) => r.anytime.endMs),
);
latencyRow("end to end, anytime + speculative", parallelEnd, speculativeEnd);

const started = rows.filter((r) => r.speculative.speculation).length;
const wasted = rows.filter((r) => r.speculative.speculation?.outcome === "cancelled").length;
const saving = (key: "anytime" | "speculative") => pct(1 - sum(rows.map((r) => r[key].costUsd)) / oracleOnly);
const p95 = (xs: readonly number[]) => ms(quantile(xs, 0.95));
console.log("");
console.log(
  `anytime + speculative escalation: the Oracle started early on ${started} queries (${wasted} cancelled), saving vs Oracle alone ${saving("speculative")} (anytime alone ${saving("anytime")}); p95 end to end ${p95(speculativeEnd)} vs anytime ${p95(rows.map((r) => r.anytime.endMs))} and parallel ${p95(parallelEnd)}`,
);

// Deadline: half the Oracle's median latency, under anytime (see `replayDeadline`).
const deadlineMs =
  quantile(
    rows.map((r) => r.oracleMs),
    0.5,
  ) / 2;
const atDeadline = rows.map((r) => ({
  row: r,
  held: replayDeadline(r.query, r.anytime, context, latency, { deadlineMs, task: "math", gradeText: r.gradeText }),
}));
const answered = atDeadline.filter((d) => d.held.answeredBy !== "none").length;
const correct = atDeadline.filter((d) => d.held.correct).length;
const cut = atDeadline.filter((d) => d.held.answeredBy !== "finished").length;
const noneFinished = atDeadline.filter((d) => d.held.answeredBy === "partial" || d.held.answeredBy === "none");
const fromPartial = noneFinished.filter((d) => d.held.answeredBy === "partial");
const longestMissedMs = Math.max(0, ...noneFinished.map((d) => d.row.firstArrivalMs));
console.log("");
console.log(
  `deadline ${ms(deadlineMs)} (half the Oracle's median latency), anytime: ${answered}/${rows.length} queries answered, ${cut} cut, accuracy ${pct(correct / rows.length)}; ` +
    `${fromPartial.length} answered from partial outputs (no member had finished: the fastest took up to ${ms(longestMissedMs)}), ${fromPartial.filter((d) => d.held.correct).length} of them correct`,
);
