import { quantile } from "../../policy/bootstrap.js";
import type { SettleContext } from "../../graph/schedule/settle.js";
import type { CrowdSchedule } from "../../graph/schedule/schedule.js";
import type { LatencyModel } from "./latency_model.js";
import { replayQuery } from "./simulate.js";
import type { ReplayedQuery, ScheduleQuery } from "./simulate.js";
import { replaySpeculative } from "./speculative.js";
import type { SpeculativeReplay } from "./speculative.js";

/**
 * One rule the schedule replay scores: a crowd rule (its router and threshold, decided under the schedule), one crowd
 * member alone, or the Oracle alone (neither depends on a schedule).
 */
export type ScheduleRule =
  | { readonly name: string; readonly kind: "crowd"; readonly context: SettleContext }
  | { readonly name: string; readonly kind: "single"; readonly member: number }
  | { readonly name: string; readonly kind: "oracle" };

/** One rule under one schedule, over all the replayed queries. */
export interface ScheduleRuleScore {
  /** The rule's name (as in `summary.md`). */
  readonly rule: string;
  /** The crowd schedule. */
  readonly schedule: CrowdSchedule;
  /** Queries replayed. */
  readonly queries: number;
  /** Fraction answered correctly. */
  readonly accuracy: number;
  /** Fraction sent to the Oracle. */
  readonly escalationRate: number;
  /** Total USD (members called, cancelled ones as far as they streamed, the Oracle when escalated). */
  readonly costUsd: number;
  /** 1 - cost / Oracle alone's cost. */
  readonly costSaving: number;
  /** Mean crowd members whose call was started, per query. */
  readonly membersCalled: number;
  /** Mean members cancelled per query (`anytime`). */
  readonly membersCancelled: number;
  /** Queries whose returned answer (the crowd's key, or the Oracle's) differs from `parallel`'s for the same rule. */
  readonly differingFromParallel: number;
  /** End-to-end latency: median, 95th percentile and mean, in ms. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  /** Time to the crowd's decision: median and 95th percentile, in ms. */
  readonly crowdP50Ms: number;
  readonly crowdP95Ms: number;
  /**
   * Set on the rows replayed with speculative escalation (`replaySpeculative`: the Oracle started at the first
   * disagreement of the answers in hand): the fraction of queries where it started early, and where it was then
   * cancelled (the crowd did not escalate; charged its input and the tokens it streamed by the decision).
   */
  readonly speculative?: { readonly startedRate: number; readonly cancelledRate: number };
}

function replayRule(
  query: ScheduleQuery,
  rule: ScheduleRule,
  schedule: CrowdSchedule,
  latency: LatencyModel,
): ReplayedQuery {
  if (rule.kind === "crowd") return replayQuery(query, schedule, rule.context, latency);
  if (rule.kind === "oracle") {
    const ms = latency.callMs(query.oracle.model, query.oracle.outputTokens);
    return {
      key: null,
      correct: query.oracle.correct,
      escalated: true,
      costUsd: query.oracle.costUsd,
      crowdMs: 0,
      endMs: ms,
      status: query.crowd.map(() => "not_called"),
    };
  }
  const member = query.crowd[rule.member];
  const ms = latency.callMs(member.model, member.usage.output);
  return {
    key: member.answer,
    correct: query.memberCorrect[rule.member] === true,
    escalated: false,
    costUsd: member.costUsd,
    crowdMs: ms,
    endMs: ms,
    status: query.crowd.map((_, i) => (i === rule.member ? "answered" : "not_called")),
  };
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN);
const returned = (r: ReplayedQuery): string => (r.escalated ? "\u0000oracle" : `crowd:${r.key ?? ""}`);

function scoreRuns(
  rule: string,
  schedule: CrowdSchedule,
  runs: readonly ReplayedQuery[],
  reference: readonly ReplayedQuery[],
  oracleCost: number,
): ScheduleRuleScore {
  const cost = runs.reduce((s, r) => s + r.costUsd, 0);
  const ends = runs.map((r) => r.endMs);
  const crowd = runs.map((r) => r.crowdMs);
  return {
    rule,
    schedule,
    queries: runs.length,
    accuracy: mean(runs.map((r) => (r.correct ? 1 : 0))),
    escalationRate: mean(runs.map((r) => (r.escalated ? 1 : 0))),
    costUsd: cost,
    costSaving: oracleCost > 0 ? 1 - cost / oracleCost : Number.NaN,
    membersCalled: mean(runs.map((r) => r.status.filter((s) => s !== "not_called").length)),
    membersCancelled: mean(runs.map((r) => r.status.filter((s) => s === "cancelled").length)),
    differingFromParallel: runs.filter((r, i) => returned(r) !== returned(reference[i])).length,
    p50Ms: quantile(ends, 0.5),
    p95Ms: quantile(ends, 0.95),
    meanMs: mean(ends),
    crowdP50Ms: quantile(crowd, 0.5),
    crowdP95Ms: quantile(crowd, 0.95),
  };
}

/**
 * Replays every query under each schedule (always with `parallel`, the reference) for every rule, and scores each:
 * accuracy, escalation, cost and saving against the Oracle alone, members called and cancelled, answers differing
 * from `parallel`, and the p50/p95/mean end-to-end and crowd-decision latency under `latency`. The crowd rules named
 * in `speculative` are also replayed with speculative escalation under `parallel` and `anytime` (rows after the
 * others, with {@link ScheduleRuleScore.speculative} set).
 */
export function scheduleScores(
  queries: readonly ScheduleQuery[],
  rules: readonly ScheduleRule[],
  schedules: readonly CrowdSchedule[],
  latency: LatencyModel,
  speculative: readonly string[] = [],
): ScheduleRuleScore[] {
  const oracleCost = queries.reduce((s, q) => s + q.oracle.costUsd, 0);
  const wanted: CrowdSchedule[] = ["parallel", ...schedules.filter((s) => s !== "parallel")];
  const scores: ScheduleRuleScore[] = [];
  for (const rule of rules) {
    const reference = queries.map((q) => replayRule(q, rule, "parallel", latency));
    for (const schedule of wanted) {
      if (rule.kind !== "crowd" && schedule !== "parallel") continue;
      const runs = schedule === "parallel" ? reference : queries.map((q) => replayRule(q, rule, schedule, latency));
      scores.push(scoreRuns(rule.name, schedule, runs, reference, oracleCost));
    }
  }
  for (const rule of rules) {
    if (rule.kind !== "crowd" || !speculative.includes(rule.name)) continue;
    const reference = queries.map((q) => replayQuery(q, "parallel", rule.context, latency));
    // Speculative escalation is replayed with every member started at once: not under `waves`.
    for (const schedule of wanted.filter((s): s is "parallel" | "anytime" => s === "parallel" || s === "anytime")) {
      const runs: SpeculativeReplay[] = queries.map((q) => replaySpeculative(q, schedule, rule.context, latency));
      scores.push({
        ...scoreRuns(rule.name, schedule, runs, reference, oracleCost),
        speculative: {
          startedRate: mean(runs.map((r) => (r.speculation ? 1 : 0))),
          cancelledRate: mean(runs.map((r) => (r.speculation?.outcome === "cancelled" ? 1 : 0))),
        },
      });
    }
  }
  return scores;
}

/** The scores as a markdown table (one row per rule and schedule). */
export function scheduleMarkdown(scores: readonly ScheduleRuleScore[], title: string, latencyNote: string): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const ms = (x: number): string => `${Math.round(x)}`;
  const lines = [
    `# ${title}`,
    "",
    latencyNote,
    "",
    "| rule | schedule | accuracy | escalated | saving vs Oracle | members called | cancelled | differing from parallel | p50 ms | p95 ms | mean ms | crowd p50 ms | crowd p95 ms |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...scores.map(
      (s) =>
        `| ${s.rule} | ${s.schedule}${s.speculative ? " + speculative" : ""} | ${pct(s.accuracy)} | ${pct(s.escalationRate)} | ${pct(s.costSaving)} | ${s.membersCalled.toFixed(2)} | ${s.membersCancelled.toFixed(2)} | ${s.schedule === "parallel" ? "-" : s.differingFromParallel} | ${ms(s.p50Ms)} | ${ms(s.p95Ms)} | ${ms(s.meanMs)} | ${ms(s.crowdP50Ms)} | ${ms(s.crowdP95Ms)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
