import { describe, expect, it } from "vitest";
import type { GradedPrediction } from "../../src/index.js";
import {
  bettingPValue,
  binomialCdf,
  clopperPearsonUpper,
  combinedPValue,
  describeGuarantee,
  discordantPValue,
  harmPValue,
  netLossCdf,
  riskControlledThreshold,
  trinomialPValue,
} from "../../src/router/train/index.js";
import { riskAt, synthetic } from "./synthetic_workload.js";

describe("the net-loss p-values", () => {
  it("discordantPValue: gamma alone when the discordant rate's upper bound is at most delta", () => {
    // No discordant row among 200: U = 1 - 0.025^(1/200) = 0.018276 <= 0.02, the null is impossible given p_d <= U.
    expect(clopperPearsonUpper(0, 200, 0.025)).toBeCloseTo(1 - 0.025 ** (1 / 200), 9);
    expect(discordantPValue(0, 0, 200, 0.02, 0.025)).toBe(0.025);
    // Same rows, delta 1 point: U > delta, q0 = (1 + 0.01 / U) / 2 and Binomial(0, q0) <= 0 has probability 1.
    expect(discordantPValue(0, 0, 200, 0.01, 0.025)).toBe(1);
  });

  it("discordantPValue: gamma plus the binomial tail of the harms among the discordant rows at q0 = (1 + delta / U) / 2", () => {
    // 1 harm, 3 gains among 100 rows; delta 5 points, gamma 0.025.
    const upper = clopperPearsonUpper(4, 100, 0.025);
    expect(binomialCdf(4, 100, upper)).toBeCloseTo(0.025, 9); // U is the 97.5% upper bound of 4/100 (about 0.0988)
    expect(upper).toBeGreaterThan(0.09);
    expect(upper).toBeLessThan(0.11);
    const q0 = (1 + 0.05 / upper) / 2;
    // P(Binomial(4, q0) <= 1) = (1 - q0)^4 + 4 q0 (1 - q0)^3.
    const tail = (1 - q0) ** 4 + 4 * q0 * (1 - q0) ** 3;
    expect(discordantPValue(1, 3, 100, 0.05, 0.025)).toBeCloseTo(0.025 + tail, 12);
    expect(discordantPValue(1, 3, 0, 0.05, 0.025)).toBe(1);
  });

  it("combinedPValue is twice the smaller of the harm and betting (at alpha / 2) p-values, at most 1", () => {
    const losses = [0, -1, 0, 0, 1, 0, -1, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, -1, 0, 0];
    const harm = harmPValue(1, 20, 0.1);
    const betting = bettingPValue(losses, 0.1, 0.05);
    expect(combinedPValue(1, losses, 0.1, 0.1)).toBeCloseTo(Math.min(1, 2 * Math.min(harm, betting)), 12);
    expect(combinedPValue(20, new Array(20).fill(1), 0.1, 0.1)).toBe(1);
  });

  it("netLossCdf: the tail of harms minus (weighted) gains, by enumeration of two rows", () => {
    // Each row +1 w.p. 0.3, -1 w.p. 0.2, 0 w.p. 0.5. P(H - G <= 0) = 1 - P(+1 +1) - 2 P(+1 0) = 1 - 0.09 - 0.3.
    expect(netLossCdf(0, 2, 0.3, 0.2)).toBeCloseTo(0.61, 12);
    // A gain weighs half a harm: H - G / 2 <= 0 only for (0, 0), (0, -), (-, 0), (-, -): 0.25 + 0.2 + 0.04.
    expect(netLossCdf(0, 2, 0.3, 0.2, 0.5)).toBeCloseTo(0.49, 12);
    expect(netLossCdf(-1, 2, 0, 0)).toBe(0);
    expect(netLossCdf(0, 2, 0, 0)).toBe(1);
    // 300 rows: the sum matches a direct convolution of the three-point law.
    let pmf = new Map<number, number>([[0, 1]]);
    for (let i = 0; i < 300; i++) {
      const next = new Map<number, number>();
      for (const [v, p] of pmf)
        for (const [step, w] of [
          [1, 0.02],
          [-1, 0.01],
          [0, 0.97],
        ] as const)
          next.set(v + step, (next.get(v + step) ?? 0) + p * w);
      pmf = next;
    }
    const direct = [...pmf].filter(([v]) => v <= 2).reduce((s, [, p]) => s + p, 0);
    expect(netLossCdf(2, 300, 0.02, 0.01)).toBeCloseTo(direct, 10);
  });

  it("trinomialPValue: gamma when U <= delta, else at least gamma plus the tail at any boundary point with p_d <= U", () => {
    expect(trinomialPValue(0, 0, 200, 0.02, 0.025)).toBe(0.025);
    const [harms, gains, n, delta, gamma] = [8, 10, 460, 0.01, 0.025];
    const upper = clopperPearsonUpper(harms + gains, n, gamma);
    const p = trinomialPValue(harms, gains, n, delta, gamma);
    let sup = 0;
    for (let i = 0; i <= 400; i++) {
      const pd = delta + ((upper - delta) * i) / 400;
      sup = Math.max(sup, netLossCdf(harms - gains, n, (pd + delta) / 2, (pd - delta) / 2));
    }
    expect(p).toBeGreaterThanOrEqual(gamma + sup - 1e-12); // never below the sup over the boundary
    expect(p).toBeLessThan(gamma + sup + 0.02); // the grid's slack is small
    expect(trinomialPValue(8, 10, 460, 0.01, 0.025, 0.5)).toBeGreaterThanOrEqual(
      gamma + netLossCdf(8 - 5, n, delta, 0, 0.5) - 1e-12,
    );
  });

  it("states the net tests in the guarantee", () => {
    expect(describeGuarantee({ delta: 0.01, alpha: 0.1, test: "discordant" })).toMatch(
      /minus 1\.0 points with probability at least 90% \(Learn-then-Test on the calibration rows: exact conditional tests of the net loss/,
    );
    expect(describeGuarantee({ delta: 0.01, alpha: 0.1, test: "combined" })).toMatch(/Bonferroni-combined/);
  });
});

/** `harms` rows the Oracle gets right and the crowd wrong, `gains` the reverse, `agree` where both are right. */
function rows(harms: number, gains: number, agree: number): GradedPrediction[] {
  const row = (crowdCorrect: boolean, oracleCorrect: boolean): GradedPrediction => ({
    pFail: 0.1,
    crowdCorrect,
    oracleCorrect,
    crowdCost: 0.2,
    oracleCost: 1,
    oracleOnlyCost: 1,
  });
  return [
    ...Array.from({ length: harms }, () => row(false, true)),
    ...Array.from({ length: gains }, () => row(true, false)),
    ...Array.from({ length: agree }, () => row(true, true)),
  ];
}

describe("net tests count the gains", () => {
  it("20 harms and 40 gains in 1000 rows: the harm test refuses 1 point, the discordant test certifies it", () => {
    const calibration = rows(20, 40, 940);
    const guarantee = { delta: 0.01, alpha: 0.1 };
    expect(riskControlledThreshold(calibration, [0.5], { ...guarantee, test: "binomial" }, 1).certified).toBe(false);
    const net = riskControlledThreshold(calibration, [0.5], { ...guarantee, test: "discordant" }, 1);
    expect(net).toMatchObject({ threshold: 0.5, certified: true });
    expect(net.pValue).toBeCloseTo(discordantPValue(20, 40, 1000, 0.01, 0.025), 12);
    // 40 harms and 20 gains: net loss 2 points on the rows, refused.
    expect(riskControlledThreshold(rows(40, 20, 940), [0.5], { ...guarantee, test: "discordant" }, 1).certified).toBe(
      false,
    );
  });
});

// The synthetic workload (synthetic_workload.ts): keeping P_fail <= t gives up R(t) = 0.9 t^2 / 2 - 0.1 (t - t^2 / 2).

describe("the net tests' risk bound on a synthetic workload (400 draws of 400 rows)", () => {
  it("the chosen threshold gives up more than delta in at most alpha of the draws; ignoring the test does not", () => {
    const draws = 400;
    const delta = 0.01;
    const exceeded = { discordant: 0, combined: 0, trinomial: 0, weighted: 0 };
    let naive = 0;
    for (let seed = 1; seed <= draws; seed++) {
      const calibration = synthetic(400, seed);
      const thresholds = Array.from({ length: 101 }, (_, i) => i / 100);
      for (const test of ["discordant", "combined", "trinomial", "weighted"] as const) {
        const { threshold } = riskControlledThreshold(calibration, thresholds, { delta, alpha: 0.1, test }, seed);
        if (riskAt(threshold) > delta) exceeded[test]++;
      }
      // The naive choice: the highest threshold whose net loss on the rows themselves is at most delta.
      let best = 0;
      for (const t of thresholds) {
        const net = calibration.reduce(
          (s, r) => s + (r.pFail <= t ? (r.oracleCorrect ? 1 : 0) - (r.crowdCorrect ? 1 : 0) : 0),
          0,
        );
        if (net / calibration.length <= delta) best = t;
        else break;
      }
      if (riskAt(best) > delta) naive++;
    }
    // alpha = 0.1 plus two Monte Carlo standard errors (0.03).
    expect(exceeded.discordant / draws).toBeLessThanOrEqual(0.13);
    expect(exceeded.combined / draws).toBeLessThanOrEqual(0.13);
    expect(exceeded.trinomial / draws).toBeLessThanOrEqual(0.13);
    expect(exceeded.weighted / draws).toBeLessThanOrEqual(0.13);
    expect(naive / draws).toBeGreaterThan(0.3);
  });
});
