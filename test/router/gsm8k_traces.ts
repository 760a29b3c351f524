import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "../../src/eval/data_dir.js";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";

/**
 * Graded traces built from REAL recorded GSM8K outputs (`recorded/gsm8k.jsonl`), with a simple
 * in-test feature computation over the paper's crowd (Llama-3.1-8B, gemma-2-9b, Qwen2-7B) and
 * Llama-3.1-70B as the Oracle. Labels are upstream's own grading (`reference.correct`) of the
 * majority answer. The lead's feature code replaces these features for the shipped routers.
 */
export const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"] as const;
/** The Oracle of the traces. */
export const ORACLE = "Meta-Llama-3.1-70B-Instruct";

/** Illustrative USD prices per million tokens (input and output alike), for the traces' costs. */
const PRICE_PER_MTOK: Record<string, number> = {
  "Meta-Llama-3.1-8B-Instruct": 0.06,
  "gemma-2-9b-it": 0.08,
  "Qwen2-7B-Instruct": 0.06,
  "Meta-Llama-3.1-70B-Instruct": 0.88,
};

/** Feature names of the in-test features. `avg_logprob` is always absent: the data have no log-probabilities. */
export const TEST_FEATURE_NAMES = [
  "members_answered",
  "vote_share",
  "distinct_answers",
  "unanimous",
  "agree_0",
  "agree_1",
  "agree_2",
  "length_mean",
  "length_std",
  "length_cv",
  "avg_logprob",
] as const;

interface RecordedLine {
  id: string;
  model: string;
  question: string;
  output: string;
  reference: { correct: boolean; answer_number?: string | null };
}

function normalize(answer: string | null | undefined): string | null {
  if (answer === null || answer === undefined) return null;
  const n = Number(answer.replace(/[,$\s]/g, ""));
  return Number.isFinite(n) ? String(n) : answer.trim() || null;
}

function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function cost(model: string, question: string, output: string): number {
  return ((tokens(question) + tokens(output)) * PRICE_PER_MTOK[model]) / 1e6;
}

/** Builds one graded trace per GSM8K item of the recorded development split. */
export function buildGsm8kTraces(): EvalTraceLine[] {
  const byItem = new Map<string, Map<string, RecordedLine>>();
  const text = readFileSync(join(dataDir(), "recorded", "gsm8k.jsonl"), "utf8");
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as RecordedLine;
    if (!(CROWD as readonly string[]).includes(record.model) && record.model !== ORACLE) continue;
    const item = byItem.get(record.id) ?? new Map<string, RecordedLine>();
    item.set(record.model, record);
    byItem.set(record.id, item);
  }
  const traces: EvalTraceLine[] = [];
  for (const [id, item] of byItem) {
    const members = CROWD.map((model) => item.get(model));
    const oracle = item.get(ORACLE);
    if (members.some((m) => m === undefined) || !oracle) continue;
    const answers = members.map((m) => normalize(m?.reference.answer_number));
    const counts = new Map<string, number>();
    for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
    // Majority, ties broken by member order.
    let majority: string | null = null;
    for (const a of answers)
      if (a !== null && (majority === null || (counts.get(a) ?? 0) > (counts.get(majority) ?? 0))) majority = a;
    const majorityMember = members[answers.indexOf(majority)];
    const answered = answers.filter((a) => a !== null).length;
    const lengths = members.map((m) => (m?.output ?? "").length);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    const std = Math.sqrt(lengths.reduce((a, b) => a + (b - mean) ** 2, 0) / lengths.length);
    const features: Array<number | null> = [
      answered,
      majority === null ? null : (counts.get(majority) ?? 0) / CROWD.length,
      counts.size,
      counts.size === 1 && answered === CROWD.length ? 1 : 0,
      ...answers.map((a) => (a === null ? null : a === majority ? 1 : 0)),
      mean,
      std,
      mean > 0 ? std / mean : null,
      null,
    ];
    const crowdCorrect = majority !== null && majorityMember?.reference.correct === true;
    const crowdCost = members.reduce((sum, m) => sum + (m ? cost(m.model, m.question, m.output) : 0), 0);
    const oracleCost = cost(ORACLE, oracle.question, oracle.output);
    traces.push({
      id,
      benchmark: "gsm8k",
      featureNames: [...TEST_FEATURE_NAMES],
      features,
      candidates: members.map((m, i) => ({ model: CROWD[i], answer: answers[i], correct: m?.reference.correct })),
      crowdAnswer: majority,
      crowdCorrect,
      oracleAnswer: normalize(oracle.reference.answer_number),
      oracleCorrect: oracle.reference.correct,
      pFail: 0,
      threshold: 1,
      escalated: false,
      finalAnswer: majority,
      correct: crowdCorrect,
      cost: { crowd: crowdCost, oracle: oracleCost, total: crowdCost, oracleOnly: oracleCost },
    });
  }
  return traces;
}

/** Writes traces as JSONL. */
export function writeTraces(path: string, traces: readonly EvalTraceLine[]): void {
  writeFileSync(path, `${traces.map((t) => JSON.stringify(t)).join("\n")}\n`);
}
