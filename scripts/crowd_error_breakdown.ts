/**
 * Prints where the crowd's errors sit, by agreement pattern of the members' answers (unanimous, a majority against
 * the rest, no majority), over the graded traces of an evaluation run (training and holdout parts together): how many
 * queries, how many crowd errors, and on how many of those the Oracle is right. It tells how much an agreement-based
 * router can catch before it needs other signals.
 *
 *   npm run demo && npx tsx scripts/crowd_error_breakdown.ts [results/gsm8k]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gradedQueriesFromTraces, largestAgreement, type GradedQuery } from "../src/eval/metrics/index.js";
import { readCompletedTraces } from "../src/eval/run/traces_file.js";

/** The agreement pattern of one query's member answers, e.g. `3 of 3 agree`, `2 of 3 agree`, `no majority`. */
export function agreementPattern(q: GradedQuery): string {
  const top = largestAgreement(q);
  return top * 2 > q.members.length ? `${top} of ${q.members.length} agree` : "no majority";
}

/** Markdown table: per agreement pattern, queries, crowd errors and Oracle-right among them. */
export function crowdErrorBreakdown(queries: readonly GradedQuery[]): string {
  const rows = new Map<string, { queries: number; wrong: number; oracleFixes: number }>();
  for (const q of queries) {
    const key = agreementPattern(q);
    const row = rows.get(key) ?? { queries: 0, wrong: 0, oracleFixes: 0 };
    row.queries += 1;
    if (!q.crowdCorrect) row.wrong += 1;
    if (!q.crowdCorrect && q.oracleCorrect) row.oracleFixes += 1;
    rows.set(key, row);
  }
  const lines = ["| members' answers | queries | crowd wrong | of which Oracle right |", "|---|---|---|---|"];
  const rank = (key: string): number => (key === "no majority" ? 0 : Number.parseInt(key, 10));
  for (const [key, r] of [...rows.entries()].sort((a, b) => rank(b[0]) - rank(a[0]))) {
    lines.push(`| ${key} | ${r.queries} | ${r.wrong} | ${r.oracleFixes} |`);
  }
  const wrong = queries.filter((q) => !q.crowdCorrect);
  lines.push(`| all | ${queries.length} | ${wrong.length} | ${wrong.filter((q) => q.oracleCorrect).length} |`);
  return `${lines.join("\n")}\n`;
}

if (process.argv[1]?.endsWith("crowd_error_breakdown.ts")) {
  const dir = process.argv[2] ?? "results/gsm8k";
  const files = ["train_traces.jsonl", "traces.jsonl"].map((f) => join(dir, f)).filter((f) => existsSync(f));
  const queries = files.flatMap((f) => gradedQueriesFromTraces(readCompletedTraces(f).lines));
  process.stdout.write(crowdErrorBreakdown(queries));
}
