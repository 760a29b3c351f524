import type { RuleScore } from "../metrics/types.js";
import type { DeepQuery } from "./queries.js";

/** Whether a rule stops at boundary `k` (keeps tier k's answer) on query `q`; it never runs past the apex. */
export type StopRule = (q: DeepQuery, k: number) => boolean;

/** A deep rule's score: a {@link RuleScore} plus the share of queries each tier answered. */
export interface DeepRuleScore extends RuleScore {
  /** Share of the queries answered by each tier (sums to 1). */
  readonly answeredShare: readonly number[];
}

/** Which tiers a rule calls (default every tier on the way up; a skipped tier is neither paid nor asked). */
export type TierFilter = (k: number) => boolean;

/** The tier whose answer the rule returns on `q`. */
export function answeringTier(q: DeepQuery, stop: StopRule, calls: TierFilter = () => true): number {
  const apex = q.tiers.length - 1;
  for (let k = 0; k < apex; k++) if (calls(k) && stop(q, k)) return k;
  return apex;
}

/** USD of the apex alone over the queries (the cost reference of every rule). */
export function apexAloneCost(queries: readonly DeepQuery[]): number {
  return queries.reduce((sum, q) => sum + q.tiers[q.tiers.length - 1].cost, 0);
}

function scoreOf(
  name: string,
  queries: readonly DeepQuery[],
  outcome: (q: DeepQuery) => { correct: boolean; cost: number; tier: number; escalated: boolean },
): DeepRuleScore {
  const n = Math.max(1, queries.length);
  const tiers = queries[0]?.tiers.length ?? 0;
  const answered = new Array<number>(tiers).fill(0);
  let correct = 0;
  let cost = 0;
  let escalated = 0;
  let crowdErrors = 0;
  let caught = 0;
  for (const q of queries) {
    const o = outcome(q);
    if (o.correct) correct++;
    cost += o.cost;
    if (o.escalated) escalated++;
    answered[o.tier]++;
    if (!q.tiers[0].correct) {
      crowdErrors++;
      if (o.escalated) caught++;
    }
  }
  const apex = apexAloneCost(queries);
  const costFraction = apex > 0 ? cost / apex : Number.NaN;
  return {
    name,
    accuracy: correct / n,
    escalationRate: escalated / n,
    cost,
    costPerQuery: cost / n,
    costFraction,
    costSaving: 1 - costFraction,
    recallOfCrowdErrors: crowdErrors > 0 ? caught / crowdErrors : Number.NaN,
    answeredShare: answered.map((a) => a / n),
  };
}

/**
 * Scores a pyramid rule: every query climbs from the crowd until the rule stops (or the apex answers), paying every
 * tier it called; "escalated" means it went past the crowd.
 */
export function scoreDeepRule(
  name: string,
  queries: readonly DeepQuery[],
  stop: StopRule,
  calls: TierFilter = () => true,
): DeepRuleScore {
  return scoreOf(name, queries, (q) => {
    const tier = answeringTier(q, stop, calls);
    let cost = 0;
    for (let j = 0; j <= tier; j++) if (calls(j) || j === tier) cost += q.tiers[j].cost;
    return { correct: q.tiers[tier].correct, cost, tier, escalated: tier > 0 };
  });
}

/** The stop rule of per-boundary thresholds: stop at boundary k iff `P_fail_k <= thresholds[k]`. */
export function thresholdStop(thresholds: readonly number[]): StopRule {
  return (q, k) => q.pFail[k] <= thresholds[k];
}

/** Thresholds as a label, e.g. `t=0.30/0.55`. */
export function thresholdsLabel(thresholds: readonly number[]): string {
  return `t=${thresholds.map((t) => t.toFixed(2)).join("/")}`;
}

/** The pyramid at per-boundary thresholds. */
export function scoreThresholds(queries: readonly DeepQuery[], thresholds: readonly number[], name?: string) {
  return scoreDeepRule(name ?? `pyramid (${thresholdsLabel(thresholds)})`, queries, thresholdStop(thresholds));
}

/** Tier `k` alone answers every query (its own calls only). */
export function tierAlone(queries: readonly DeepQuery[], k: number, name?: string): DeepRuleScore {
  return scoreOf(name ?? `${queries[0]?.tiers[k].name ?? `tier ${k}`} alone`, queries, (q) => ({
    correct: q.tiers[k].correct,
    cost: q.tiers[k].cost,
    tier: k,
    escalated: k > 0,
  }));
}

/** The apex alone (every query, no lower tier paid). */
export function apexAlone(queries: readonly DeepQuery[]): DeepRuleScore {
  return tierAlone(queries, (queries[0]?.tiers.length ?? 1) - 1, "apex alone");
}

/** One member of tier `k` alone. */
export function memberAlone(queries: readonly DeepQuery[], k: number, model: string): DeepRuleScore {
  return scoreOf(model, queries, (q) => {
    const m = q.tiers[k].members.find((x) => x.model === model);
    return { correct: m?.correct ?? false, cost: m?.cost ?? 0, tier: k, escalated: k > 0 };
  });
}

function unanimousMembers(q: DeepQuery, k: number): boolean {
  const answers = q.tiers[k].members.map((m) => m.answer);
  return answers.length > 0 && answers[0] !== null && answers.every((a) => a === answers[0]);
}

function majorityMembers(q: DeepQuery, k: number): boolean {
  const counts = new Map<string, number>();
  for (const m of q.tiers[k].members) if (m.answer !== null) counts.set(m.answer, (counts.get(m.answer) ?? 0) + 1);
  return Math.max(0, ...counts.values()) * 2 > q.tiers[k].members.length;
}

/** Whether tier k's answer equals the answer of some member of a lower tier. */
function agreesBelow(q: DeepQuery, k: number): boolean {
  const answer = q.tiers[k].answer;
  return answer !== null && q.tiers.slice(0, k).some((tier) => tier.members.some((m) => m.answer === answer));
}

/**
 * The simple agreement rules (no router): the crowd stops when unanimous (or when a majority agrees), a higher tier
 * stops when its answer agrees with some member below it, else the query climbs to the apex.
 */
export const AGREEMENT_RULES: readonly {
  readonly name: string;
  readonly stop: StopRule;
  readonly calls?: TierFilter;
}[] = [
  {
    name: "agreement: unanimous crowd, then agreement with a lower member",
    stop: (q, k) => (k === 0 ? unanimousMembers(q, 0) : agreesBelow(q, k)),
  },
  {
    name: "agreement: crowd majority, then agreement with a lower member",
    stop: (q, k) => (k === 0 ? majorityMembers(q, 0) : agreesBelow(q, k)),
  },
  {
    name: "two tiers: crowd -> apex unless unanimous",
    stop: (q, k) => k === 0 && unanimousMembers(q, 0),
    calls: (k) => k === 0,
  },
];

/**
 * Routing with hindsight: the cheapest tier that is right (the apex when none is), a tier of several members only when
 * a majority of them agrees (a router can keep only an answer its tier stands behind); an upper bound for routers.
 */
export function hindsightRouter(queries: readonly DeepQuery[]): DeepRuleScore {
  return scoreDeepRule(
    "hindsight: cheapest right tier",
    queries,
    (q, k) => q.tiers[k].correct && (q.tiers[k].members.length === 1 || majorityMembers(q, k)),
  );
}
