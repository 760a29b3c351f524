import {
  crowdMajority,
  escalateUnlessMajority,
  escalateUnlessUnanimous,
  oracleAlone,
  perfectRouter,
  scoreThreshold,
  singleModels,
} from "./rules.js";
import type { ScoredRule } from "./significance.js";
import type { GradedQuery } from "./types.js";

/** The Oracle alone, as a {@link ScoredRule} (the reference of the paired comparisons). */
export const ORACLE_RULE: ScoredRule = { name: "Oracle alone", score: oracleAlone };

/**
 * The rules of a summary that get intervals, named as in its tables: the pyramid at `threshold` and at each preset
 * (compared with the Oracle), each single model, the crowd majority and the two agreement rules (compared with the
 * Oracle), the Oracle alone and the perfect router. The random router is left out: its spread is its own
 * `accuracyStd`.
 */
export function significanceRules(
  queries: readonly GradedQuery[],
  threshold: number,
  presets: Readonly<Record<string, number>> = {},
): ScoredRule[] {
  const models = queries[0]?.members.map((m) => m.model) ?? [];
  return [
    { name: scoreThreshold([], threshold).name, score: (qs) => scoreThreshold(qs, threshold), paired: true },
    ...Object.entries(presets).map(([name, t]) => {
      const label = `preset ${name} (t=${t.toFixed(2)})`;
      return { name: label, score: (qs: readonly GradedQuery[]) => scoreThreshold(qs, t, label), paired: true };
    }),
    ...models.map((model, i) => ({ name: model, score: (qs: readonly GradedQuery[]) => singleModels(qs)[i] })),
    { name: "crowd majority", score: crowdMajority, paired: true },
    ORACLE_RULE,
    { name: "escalate unless unanimous", score: escalateUnlessUnanimous, paired: true },
    { name: "escalate unless a majority agrees", score: escalateUnlessMajority, paired: true },
    { name: "perfect router", score: perfectRouter },
  ];
}
