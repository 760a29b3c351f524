import { describe, expect, it } from "vitest";
import { lookaheadEstimates } from "../../../src/eval/deep/lookahead.js";
import { answeringTier } from "../../../src/eval/deep/rules.js";
import { deepQueriesFromTraces, runDeepEvaluation } from "../../../src/eval/index.js";
import { lookaheadDecision } from "../../../src/index.js";
import { tempDirs } from "../../helpers/temp_dirs.js";

const tmp = tempDirs("pyramid-lookahead-");

describe("the look-ahead measured offline is the look-ahead the graph runs", () => {
  it("answers every query at the tier the graph's look-ahead chose, for two utilities", async () => {
    const base = { benchmark: "gsm8k", limit: 60, shippedRouters: false } as const;
    const first = await runDeepEvaluation({ ...base, outDir: tmp() });
    const estimates = lookaheadEstimates(deepQueriesFromTraces(first.traces));
    const apexCost = estimates[estimates.length - 1].cost;
    const seen = new Set<number>();
    for (const multiple of [3, 40]) {
      const lookahead = { utility: multiple * apexCost, tiers: estimates };
      const run = await runDeepEvaluation({ ...base, lookahead, outDir: tmp() });
      for (const query of deepQueriesFromTraces(run.traces)) {
        const offline = answeringTier(
          query,
          (q, k) =>
            !lookaheadDecision({ pFail: q.pFail[k], remaining: estimates.slice(k), utility: lookahead.utility })
              .escalate,
        );
        const line = run.traces.find((t) => t.id === query.id);
        expect(line?.answeredTier).toBe(offline);
        seen.add(offline);
      }
    }
    expect(seen.size).toBeGreaterThan(1);
  }, 180_000);
});
