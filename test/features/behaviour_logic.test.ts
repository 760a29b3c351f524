import { describe, expect, it } from "vitest";
import {
  BEHAVIOUR_CLAIMS_PREFIX,
  behaviourAgreement,
  behaviourFeatureNames,
  behaviourFeatureValues,
} from "../../src/features/behaviour/agreement.js";
import { codeBehaviourOptionsSchema, resolveCodeBehaviourOptions } from "../../src/features/behaviour/options.js";
import type { CandidateBehaviour } from "../../src/features/behaviour/run.js";
import { mayHaveProbes, probeSource } from "../../src/features/behaviour/sources.js";
import { thrownBy } from "../helpers/thrown.js";

// The code behavioural agreement's logic without the sandbox (code_behaviour.test.ts runs real candidates): how the
// probe results of the candidates become features, exactly.

const ran = (probes: string[], results: string[], claims: (boolean | null)[] = []): CandidateBehaviour => ({
  kind: "ran",
  probes,
  results,
  claims,
});
const failed = (probes?: string[], claimed?: boolean[]): CandidateBehaviour => ({
  kind: "failed",
  reason: "syntax",
  ...(probes ? { probes } : {}),
  ...(claimed ? { claimed } : {}),
});
const absent: CandidateBehaviour = { kind: "absent" };

describe("behaviour clusters", () => {
  it("clusters members by equal results on every probe; the share is over the members that answered", () => {
    const p = ["f(1)", "f(2)"];
    const agreement = behaviourAgreement([
      ran(p, ["1", "2"]),
      ran(p, ["1", "3"]),
      absent,
      ran(p, ["1", "2"]),
      failed(p),
      ran(p, ["!ValueError", "?unmapped"]),
    ]);
    expect(agreement.probes).toBe(2);
    // Answered: 0, 1, 3, 4, 5. Largest cluster {0, 3}.
    expect(agreement.clusterShare).toBe(2 / 5);
    expect(agreement.failed).toBe(2);
    expect(agreement.inLargest).toEqual([1, 0, Number.NaN, 1, 0, 0]);
    // Pairs of answered members: 10. Same-result shares: (0,1) 1/2, (0,3) 1, (1,3) 1/2; pairs with a failed member 0.
    expect(agreement.pairwiseAgreement).toBeCloseTo(2 / 10, 15);
  });

  it("gives size ties to the cluster of the earliest member, and aligns results by probe", () => {
    const agreement = behaviourAgreement([
      ran(["a", "b"], ["2", "1"]),
      ran(["a", "b"], ["1", "1"]),
      ran(["b", "a"], ["1", "1"]),
      ran(["b", "a"], ["1", "2"]),
    ]);
    expect(agreement.inLargest).toEqual([1, 0, 0, 1]);
    expect(agreement.clusterShare).toBe(0.5);
    // A run missing a probe reads it as "?missing".
    const missing = behaviourAgreement([ran(["a", "b"], ["1", "1"]), ran(["a"], ["1"])]);
    expect(missing.pairwiseAgreement).toBe(0.5);
    expect(missing.inLargest).toEqual([1, 0]);
  });

  it("is NaN without probes, 0 probes when none were found, NaN when nobody answered", () => {
    const none = behaviourAgreement([failed(), absent]);
    expect(none.probes).toBeNaN();
    expect([none.clusterShare, none.pairwiseAgreement, none.failed].every(Number.isNaN)).toBe(true);
    expect(none.inLargest).toEqual([Number.NaN, Number.NaN]);
    expect(none.claimsMet).toEqual([Number.NaN, Number.NaN]);
    const zero = behaviourAgreement([failed([]), ran([], [])]);
    expect(zero.probes).toBe(0);
    expect(zero.clusterShare).toBeNaN();
    // Probes from a failed run count; a lone answered member has no pair.
    const lone = behaviourAgreement([failed(["f(1)"]), absent]);
    expect(lone.probes).toBe(1);
    expect(lone.clusterShare).toBe(0);
    expect(lone.failed).toBe(1);
    expect(lone.pairwiseAgreement).toBeNaN();
  });

  it("scores each member's own claims: the share its code meets, 0 when it failed after claiming, NaN otherwise", () => {
    const p = ["f(1)"];
    const agreement = behaviourAgreement([
      ran(p, ["1"], [true, false, null, true]),
      ran(p, ["1"], [null]),
      failed(p, [false, true]),
      failed(p, [false]),
      failed(p),
      absent,
    ]);
    expect(agreement.claimsMet).toEqual([2 / 3, Number.NaN, 0, Number.NaN, Number.NaN, Number.NaN]);
  });

  it("names and orders the features, with the claim features only when asked", () => {
    expect(BEHAVIOUR_CLAIMS_PREFIX).toBe("behaviour_claims_met");
    expect(behaviourFeatureNames(2)).toEqual([
      "behaviour_probes",
      "behaviour_cluster_share",
      "behaviour_pairwise_agreement",
      "behaviour_failed",
      "behaviour_in_largest_0",
      "behaviour_in_largest_1",
    ]);
    expect(behaviourFeatureNames(1, true).slice(4)).toEqual(["behaviour_in_largest_0", "behaviour_claims_met_0"]);
    const agreement = behaviourAgreement([ran(["x"], ["1"], [true]), ran(["x"], ["2"], [false])]);
    expect(behaviourFeatureValues(agreement)).toEqual([1, 0.5, 0, 0, 1, 0]);
    expect(behaviourFeatureValues(agreement, true)).toEqual([1, 0.5, 0, 0, 1, 0, 1, 0]);
  });
});

describe("code behaviour options", () => {
  it("fills the defaults", () => {
    expect(resolveCodeBehaviourOptions()).toEqual({
      runTimeoutMs: 3000,
      budgetMs: 8000,
      probeTimeSec: 0.5,
      moduleTimeSec: 1,
      maxProbes: 16,
      claims: false,
      unsafeAllowUnsandboxedCode: false,
    });
  });

  it("refuses bad limits and unknown keys, naming codeBehaviour.<field>", () => {
    for (const [options, field] of [
      [{ runTimeoutMs: 0 }, "codeBehaviour.runTimeoutMs"],
      [{ runTimeoutMs: 1.5 }, "codeBehaviour.runTimeoutMs"],
      [{ budgetMs: -1 }, "codeBehaviour.budgetMs"],
      [{ probeTimeSec: 61 }, "codeBehaviour.probeTimeSec"],
      [{ probeTimeSec: 0 }, "codeBehaviour.probeTimeSec"],
      [{ moduleTimeSec: 60.5 }, "codeBehaviour.moduleTimeSec"],
      [{ maxProbes: 201 }, "codeBehaviour.maxProbes"],
      [{ maxProbes: 0 }, "codeBehaviour.maxProbes"],
      [{ pool: {} }, "codeBehaviour.pool"],
      [{ extra: 1 }, "codeBehaviour"],
    ] as const) {
      expect(
        thrownBy(() => resolveCodeBehaviourOptions(options as never)),
        JSON.stringify(options),
      ).toMatchObject({
        field,
      });
    }
    expect(resolveCodeBehaviourOptions({ probeTimeSec: 60, moduleTimeSec: 60, maxProbes: 200 }).maxProbes).toBe(200);
    const pool = { run: () => undefined };
    expect(codeBehaviourOptionsSchema.parse({ pool }).pool).toBe(pool);
    expect(codeBehaviourOptionsSchema.safeParse({ pool: null }).success).toBe(false);
    const poolError = codeBehaviourOptionsSchema.safeParse({ pool: { run: 1 } });
    expect(poolError.success ? "" : poolError.error.issues[0].message).toBe(
      "expected a SandboxPool (from pyramid-moa/eval)",
    );
  });
});

describe("probe sources", () => {
  it("splits an output into Python blocks and the prose around them", () => {
    const text = "Use it:\r\n```python\r\ndef f(x):\r\n    return x\r\n```\r\nThen ```js\nf(1)\n```\nand f(2).";
    const source = probeSource(text);
    expect(source.blocks).toEqual(["def f(x):\n    return x\n"]);
    expect(source.prose).toBe("Use it:\n```python\n\n```\nThen ```js\n\n```\nand f(2).");
  });

  it("takes the unfenced code as a block only when it defines a function", () => {
    expect(probeSource("def g(a):\n    return a\n\nprint(g(3))")).toEqual({
      blocks: ["def g(a):\n    return a\n"],
      prose: "def g(a):\n    return a\n\nprint(g(3))",
    });
    expect(probeSource("import os\nx = 1")).toEqual({ blocks: [], prose: "import os\nx = 1" });
  });

  it("may hold probes only when some text calls, with an argument, a function a block defines", () => {
    const src = (blocks: string[], prose = "") => ({ blocks, prose });
    expect(mayHaveProbes([src(["def f(x):\n    return x"], "f(2) is 2")])).toBe(true);
    expect(mayHaveProbes([src(["async def f(x):\n    return x"], "f (2)")])).toBe(true);
    expect(mayHaveProbes([src(["def f(x):\n    return x\nassert f(3) == 3"])])).toBe(true);
    expect(mayHaveProbes([src(["def f(x):\n    return x"], "f() and f( ) and obj.f(2) and gf(2)")])).toBe(false);
    expect(mayHaveProbes([src(["x = 1"], "f(2)")])).toBe(false);
    expect(mayHaveProbes([src([], "f(2)")])).toBe(false);
    // Names from one source, calls in another.
    expect(mayHaveProbes([src(["def h(a): return a"]), src([], "h('x')")])).toBe(true);
  });
});
