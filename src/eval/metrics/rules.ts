import type { GradedQuery, RuleScore } from "./types.js";
import { seededRandom } from "../../utils/random.js";
import { tallyEscalation } from "../../policy/profile.js";

/** Total USD of sending every query to the Oracle alone. */
export function oracleAloneCost(queries: readonly GradedQuery[]): number {
  return queries.reduce((s, q) => s + q.oracleCost, 0);
}

/**
 * Scores a pyramid rule that escalates the queries for which `escalate(q, i)` is true: the crowd
 * answers everything (its cost is always paid), escalated queries take the Oracle's answer and cost.
 */
export function scorePyramidRule(
  name: string,
  queries: readonly GradedQuery[],
  escalate: (q: GradedQuery, index: number) => boolean,
): RuleScore {
  const tally = tallyEscalation(queries, escalate);
  return {
    ...finish(name, queries, tally.correct, tally.cost, tally.escalated),
    recallOfCrowdErrors: tally.crowdErrors > 0 ? tally.escalatedCrowdWrong / tally.crowdErrors : Number.NaN,
  };
}

/** Builds a {@link RuleScore} from totals. */
export function finish(
  name: string,
  queries: readonly GradedQuery[],
  correct: number,
  cost: number,
  escalated: number,
): RuleScore {
  const n = Math.max(1, queries.length);
  const oracle = oracleAloneCost(queries);
  const costFraction = oracle > 0 ? cost / oracle : Number.NaN;
  return {
    name,
    accuracy: correct / n,
    escalationRate: escalated / n,
    cost,
    costPerQuery: cost / n,
    costFraction,
    costSaving: 1 - costFraction,
  };
}

/** The learned router at threshold `t`: escalate iff `pFail > t`. */
export function scoreThreshold(
  queries: readonly GradedQuery[],
  t: number,
  name = `pyramid (t=${t.toFixed(2)})`,
): RuleScore {
  return scorePyramidRule(name, queries, (q) => q.pFail > t);
}

/** Whether the members' answers all agree (and are not missing). */
export function unanimous(q: GradedQuery): boolean {
  const answers = q.members.map((m) => m.answer);
  return answers.length > 0 && answers[0] !== null && answers.every((a) => a === answers[0]);
}

/** How many members gave the most common (non-missing) answer; 0 when none answered. */
export function largestAgreement(q: GradedQuery): number {
  const counts = new Map<string, number>();
  for (const m of q.members) if (m.answer !== null) counts.set(m.answer, (counts.get(m.answer) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

/** Whether a strict majority of the members gave the same (non-missing) answer. */
export function majorityAgrees(q: GradedQuery): boolean {
  return largestAgreement(q) * 2 > q.members.length;
}

/** The crowd's majority vote alone (no escalation). */
export function crowdMajority(queries: readonly GradedQuery[]): RuleScore {
  return scorePyramidRule("crowd majority", queries, () => false);
}

/** The Oracle alone: every query answered by the Oracle, no crowd cost. */
export function oracleAlone(queries: readonly GradedQuery[]): RuleScore {
  const correct = queries.filter((q) => q.oracleCorrect).length;
  const crowdErrors = queries.filter((q) => !q.crowdCorrect).length;
  return {
    ...finish("Oracle alone", queries, correct, oracleAloneCost(queries), queries.length),
    recallOfCrowdErrors: crowdErrors > 0 ? 1 : Number.NaN,
  };
}

/** Each crowd member alone (by model name, in member order of the first query). */
export function singleModels(queries: readonly GradedQuery[]): RuleScore[] {
  const names = queries[0]?.members.map((m) => m.model) ?? [];
  return names.map((model) => {
    let correct = 0;
    let cost = 0;
    for (const q of queries) {
      const m = q.members.find((x) => x.model === model);
      if (m?.correct) correct += 1;
      cost += m?.cost ?? 0;
    }
    return finish(model, queries, correct, cost, 0);
  });
}

/** "Escalate unless unanimous": escalate every query whose members do not all agree. */
export function escalateUnlessUnanimous(queries: readonly GradedQuery[]): RuleScore {
  return scorePyramidRule("escalate unless unanimous", queries, (q) => !unanimous(q));
}

/** "Escalate unless a majority agrees": escalate when no strict majority of members agree. */
export function escalateUnlessMajority(queries: readonly GradedQuery[]): RuleScore {
  return scorePyramidRule("escalate unless a majority agrees", queries, (q) => !majorityAgrees(q));
}

/**
 * The perfect router (upper bound): escalate exactly the queries where the crowd is wrong and the
 * Oracle is right, so accuracy is the best any router can reach at the least Oracle cost.
 */
export function perfectRouter(queries: readonly GradedQuery[]): RuleScore {
  return scorePyramidRule("perfect router", queries, (q) => !q.crowdCorrect && q.oracleCorrect);
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1) (the library's one generator). */
export const mulberry32 = seededRandom;

/**
 * A random router at escalation rate `rate`: each draw escalates exactly `round(rate * n)` queries
 * chosen uniformly (seeded Fisher-Yates); accuracy and cost are averaged over `draws` draws, and
 * `accuracyStd` is the spread between draws.
 */
export function randomRouter(queries: readonly GradedQuery[], rate: number, draws = 100, seed = 1): RuleScore {
  const n = queries.length;
  const k = Math.round(rate * n);
  const rand = mulberry32(seed);
  const accs: number[] = [];
  let costSum = 0;
  let accSum = 0;
  let recallSum = 0;
  const idx = queries.map((_, i) => i);
  for (let d = 0; d < draws; d += 1) {
    for (let i = n - 1; i > 0; i -= 1) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    const chosen = new Set(idx.slice(0, k));
    const s = scorePyramidRule("random", queries, (_, i) => chosen.has(i));
    accs.push(s.accuracy);
    accSum += s.accuracy;
    costSum += s.cost;
    recallSum += s.recallOfCrowdErrors ?? Number.NaN;
  }
  const mean = accSum / Math.max(1, draws);
  const std = Math.sqrt(accs.reduce((s, a) => s + (a - mean) ** 2, 0) / Math.max(1, draws));
  const score = finish(
    `random router (rate ${(100 * rate).toFixed(1)}%)`,
    queries,
    mean * n,
    costSum / Math.max(1, draws),
    k,
  );
  return { ...score, recallOfCrowdErrors: recallSum / Math.max(1, draws), accuracyStd: std };
}
