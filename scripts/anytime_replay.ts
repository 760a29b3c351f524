/**
 * Crowd schedules on the recorded GSM8K development outputs (crowd Llama-3.1-8B, gemma-2-9b, Qwen2-7B; Oracle
 * Llama-3.1-70B; prices by parameter count, tokens as the replay estimates them), agreement router at one threshold:
 *
 * - `waves` vs `parallel`: final answers that differ (must be 0), accuracy, saving against the Oracle alone;
 * - under a latency model (per model: time to first token + output tokens / tokens per second, output length from
 *   the recordings), p50/p95 of the crowd's decision time and of the end-to-end time of `parallel` and `anytime`
 *   (`anytime` decides at the first arrival after which `isSettled` holds), with a bootstrap 95% interval of the
 *   ratio of means;
 * - a deadline of half the Oracle's median latency under `anytime`: how many queries get an answer, and accuracy.
 *
 *   npx tsx scripts/anytime_replay.ts [--threshold 0.5] [--small-tps 150] [--large-tps 45] [--small-ttft-ms 150]
 *     [--large-ttft-ms 300] [--file <recorded gsm8k.jsonl>]
 *
 * The settlement and the vote are the library's own (`isSettled`, `tierOutcome`, `majorityVote`), on the candidates
 * the graph would build; `test/graph/schedule_replay.test.ts` checks the graph gives the same answers.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { extractAnswer } from "../src/answers/extract.js";
import { majorityVote } from "../src/answers/vote.js";
import { defaultPriceFor } from "../src/cost/price.js";
import { estimateTokens } from "../src/cost/usage.js";
import type { Candidate } from "../src/core/types.js";
import { dataDir } from "../src/eval/data_dir.js";
import { gradeGsm8k } from "../src/eval/graders/gsm8k.js";
import { isSettled, tierOutcome } from "../src/graph/schedule/settle.js";
import type { SettleContext } from "../src/graph/schedule/settle.js";
import { getRecordedItems, itemsAnsweredByAll } from "../src/replay/index.js";
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
const speed = (model: string) =>
  model === ORACLE
    ? { ttft: Number(values["large-ttft-ms"]), tps: Number(values["large-tps"]) }
    : { ttft: Number(values["small-ttft-ms"]), tps: Number(values["small-tps"]) };

interface Call {
  readonly candidate: Candidate;
  readonly correct: boolean;
  readonly costUsd: number;
  readonly latencyMs: number;
}

function call(model: string, index: number, input: string, output: string, gold: string): Call {
  const price = defaultPriceFor(model) ?? { input: 0, output: 0 };
  const usage = { input: estimateTokens(input), output: Math.ceil(output.length / 4), estimated: true };
  const costUsd = (usage.input * price.input + usage.output * price.output) / 1e6;
  const extracted = extractAnswer(output, "math");
  const { ttft, tps } = speed(model);
  return {
    candidate: {
      model,
      tier: 0,
      index,
      text: output,
      answer: extracted?.key ?? null,
      display: extracted?.display ?? null,
      attempts: 1,
      latencyMs: 0,
      usage,
      costUsd,
    },
    correct: gradeGsm8k(output, gold).correct,
    costUsd,
    latencyMs: ttft + (1000 * usage.output) / tps,
  };
}

const missing = (index: number): Candidate => ({
  model: CROWD[index],
  tier: 0,
  index,
  text: "",
  answer: null,
  display: null,
  error: "missing",
  attempts: 0,
  latencyMs: 0,
  usage: { input: 0, output: 0, estimated: true },
  costUsd: 0,
});

const context: SettleContext = { router: new AgreementRouter(), threshold, lower: [] };

/** The crowd's outcome on the members in `present` (the others missing), and whether its answer is correct. */
function crowdResult(crowd: readonly Call[], present: readonly boolean[]) {
  const candidates = crowd.map((c, i) => (present[i] ? c.candidate : missing(i)));
  const outcome = tierOutcome(candidates, context);
  const vote = majorityVote(candidates.map((c) => c.answer));
  return { outcome, correct: vote.winner >= 0 && crowd[vote.winner].correct };
}

const quantile = (xs: readonly number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
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

const items = itemsAnsweredByAll(getRecordedItems(values.file), [...CROWD, ORACLE]);
const rows = items.map((item) => {
  const input = item.messages.map((m) => m.content).join("\n");
  const gold = String(item.gold);
  const crowd = CROWD.map((model, i) => call(model, i, input, item.byModel.get(model)?.output ?? "", gold));
  const oracle = call(ORACLE, 0, input, item.byModel.get(ORACLE)?.output ?? "", gold);
  const final = (escalate: boolean, crowdCorrect: boolean, crowdKey: string | null) =>
    escalate
      ? { key: `oracle:${oracle.candidate.answer}`, correct: oracle.correct }
      : { key: crowdKey, correct: crowdCorrect };

  // parallel: every member, wait for all.
  const all = crowdResult(crowd, [true, true, true]);
  const crowdMs = Math.max(...crowd.map((c) => c.latencyMs));
  const parallel = {
    ...final(all.outcome.escalate, all.correct, all.outcome.key),
    cost: sum(crowd.map((c) => c.costUsd)) + (all.outcome.escalate ? oracle.costUsd : 0),
    decideMs: crowdMs,
    endMs: crowdMs + (all.outcome.escalate ? oracle.latencyMs : 0),
  };

  // waves: cheapest first, a majority (2) then one more, until settled.
  const order = CROWD.map((_, i) => i).sort(
    (a, b) => (defaultPriceFor(CROWD[a])?.input ?? 0) - (defaultPriceFor(CROWD[b])?.input ?? 0) || a - b,
  );
  const called = [false, false, false];
  for (const i of order.slice(0, 2)) called[i] = true;
  const presentOf = (flags: readonly boolean[]) => crowd.map((c, i) => (flags[i] ? c.candidate : undefined));
  if (!isSettled(presentOf(called), context)) called[order[2]] = true;
  const w = crowdResult(crowd, called);
  const wavesRow = {
    ...final(w.outcome.escalate, w.correct, w.outcome.key),
    cost: sum(crowd.filter((_, i) => called[i]).map((c) => c.costUsd)) + (w.outcome.escalate ? oracle.costUsd : 0),
  };

  // anytime: all start at once; decide at the first arrival after which the answers in hand settle the decision.
  const arrivals = CROWD.map((_, i) => i).sort((a, b) => crowd[a].latencyMs - crowd[b].latencyMs);
  const arrived = [false, false, false];
  let decideMs = crowdMs;
  for (const i of arrivals) {
    arrived[i] = true;
    if (isSettled(presentOf(arrived), context)) {
      decideMs = crowd[i].latencyMs;
      break;
    }
  }
  const a = crowdResult(crowd, arrived);
  // A call cut after `elapsedMs` costs its input and the output tokens it streamed by then.
  const partialCost = (c: Call, model: string, elapsedMs: number) => {
    const price = defaultPriceFor(model) ?? { input: 0, output: 0 };
    const { ttft, tps } = speed(model);
    const streamed = Math.min(c.candidate.usage.output, Math.max(0, Math.floor(((elapsedMs - ttft) * tps) / 1000)));
    return (c.candidate.usage.input * price.input + streamed * price.output) / 1e6;
  };
  const crowdCost = sum(crowd.map((c, i) => (arrived[i] ? c.costUsd : partialCost(c, CROWD[i], decideMs))));
  const anytime = {
    ...final(a.outcome.escalate, a.correct, a.outcome.key),
    decideMs,
    endMs: decideMs + (a.outcome.escalate ? oracle.latencyMs : 0),
    cost: crowdCost + (a.outcome.escalate ? oracle.costUsd : 0),
    arrived: [...arrived],
  };
  // anytime + speculative escalation: the Oracle starts at the first arrival after which the answers in hand
  // disagree (two different keys, or one without a key); adopted when the crowd escalates, else cancelled at the
  // decision and charged its input and the tokens it streamed.
  let specStart: number | undefined;
  const seen: (string | null)[] = [];
  for (const i of arrivals) {
    if (crowd[i].latencyMs > decideMs) break;
    seen.push(crowd[i].candidate.answer);
    if (seen.includes(null) || new Set(seen).size > 1) {
      specStart = crowd[i].latencyMs;
      break;
    }
  }
  const speculative = {
    endMs: a.outcome.escalate
      ? specStart === undefined
        ? decideMs + oracle.latencyMs
        : Math.max(decideMs, specStart + oracle.latencyMs)
      : decideMs,
    cost:
      anytime.cost +
      (!a.outcome.escalate && specStart !== undefined ? partialCost(oracle, ORACLE, decideMs - specStart) : 0),
    started: specStart !== undefined,
  };
  return { crowd, oracle, parallel, waves: wavesRow, anytime, speculative, gold };
});

const oracleOnly = sum(rows.map((r) => r.oracle.costUsd));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number) => `${Math.round(x)} ms`;
const differ = (key: "waves" | "anytime") => rows.filter((r) => r[key].key !== r.parallel.key).length;

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
  const esc = mean(rows.map((r) => (r[name].key?.startsWith("oracle:") ? 1 : 0)));
  const cost = pct(1 - sum(rows.map((r) => r[name].cost)) / oracleOnly);
  console.log(`| ${name} | ${name === "parallel" ? "-" : differ(name)} | ${pct(acc)} | ${pct(esc)} | ${cost} |`);
}
console.log("");
console.log("| latency | parallel p50 | parallel p95 | anytime p50 | anytime p95 | mean anytime / parallel (95% CI) |");
console.log("|---|---|---|---|---|---|");
for (const [label, field] of [
  ["crowd decision", "decideMs"],
  ["end to end", "endMs"],
] as const) {
  const p = rows.map((r) => r.parallel[field]);
  const a = rows.map((r) => r.anytime[field]);
  const [lo, hi] = ratioInterval(a, p);
  console.log(
    `| ${label} | ${ms(quantile(p, 0.5))} | ${ms(quantile(p, 0.95))} | ${ms(quantile(a, 0.5))} | ${ms(quantile(a, 0.95))} | ${(mean(a) / mean(p)).toFixed(3)} (${lo.toFixed(3)}-${hi.toFixed(3)}) |`,
  );
}

{
  const p = rows.map((r) => r.parallel.endMs);
  const sp = rows.map((r) => r.speculative.endMs);
  const [lo, hi] = ratioInterval(sp, p);
  console.log(
    `| end to end, anytime + speculative | ${ms(quantile(p, 0.5))} | ${ms(quantile(p, 0.95))} | ${ms(quantile(sp, 0.5))} | ${ms(quantile(sp, 0.95))} | ${(mean(sp) / mean(p)).toFixed(3)} (${lo.toFixed(3)}-${hi.toFixed(3)}) |`,
  );
  const started = rows.filter((r) => r.speculative.started).length;
  const wasted = rows.filter((r) => r.speculative.started && !r.anytime.key?.startsWith("oracle:")).length;
  console.log("");
  console.log(
    `anytime + speculative escalation: the Oracle started early on ${started} queries (${wasted} cancelled), saving vs Oracle alone ${pct(1 - sum(rows.map((r) => r.speculative.cost)) / oracleOnly)} (anytime alone ${pct(1 - sum(rows.map((r) => r.anytime.cost)) / oracleOnly)}); p95 end to end ${ms(quantile(sp, 0.95))} vs anytime ${ms(
      quantile(
        rows.map((r) => r.anytime.endMs),
        0.95,
      ),
    )} and parallel ${ms(quantile(p, 0.95))}`,
  );
}

// Deadline: half the Oracle's median latency, under anytime. What the pyramid holds at the deadline: the final answer
// if the query ended before it; else the crowd's majority of the answers arrived by then (none: no answer).
const deadlineMs =
  quantile(
    rows.map((r) => r.oracle.latencyMs),
    0.5,
  ) / 2;
let answered = 0;
let correct = 0;
let cut = 0;
let fromPartial = 0;
let partialCorrect = 0;
let longestMissedMs = 0;
for (const r of rows) {
  if (r.anytime.endMs <= deadlineMs) {
    answered++;
    if (r.anytime.correct) correct++;
    continue;
  }
  cut++;
  const inHand = r.crowd.map((c) => c.latencyMs <= deadlineMs);
  const held = crowdResult(r.crowd, inHand);
  if (held.outcome.key !== null) {
    answered++;
    if (held.correct) correct++;
    continue;
  }
  // No crowd member finished by the deadline: the pyramid (which streams its members under a deadline) returns the
  // majority of the answers in the members' partial outputs: the text streamed by then (4 characters a token).
  longestMissedMs = Math.max(longestMissedMs, Math.min(...r.crowd.map((c) => c.latencyMs)));
  const partial = r.crowd.map((c, i) => {
    const { ttft, tps } = speed(CROWD[i]);
    const tokens = Math.max(0, Math.floor(((deadlineMs - ttft) * tps) / 1000));
    const text = c.candidate.text.slice(0, 4 * tokens);
    return { key: extractAnswer(text, "math")?.key ?? null, correct: gradeGsm8k(text, String(r.gold)).correct };
  });
  const vote = majorityVote(partial.map((p) => p.key));
  if (vote.winner >= 0) {
    answered++;
    fromPartial++;
    if (partial[vote.winner].correct) {
      correct++;
      partialCorrect++;
    }
  }
}
console.log("");
console.log(
  `deadline ${ms(deadlineMs)} (half the Oracle's median latency), anytime: ${answered}/${rows.length} queries answered, ${cut} cut, accuracy ${pct(correct / rows.length)}; ` +
    `${fromPartial} answered from partial outputs (no member had finished: the fastest took up to ${ms(longestMissedMs)}), ${partialCorrect} of them correct`,
);
