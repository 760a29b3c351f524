import type { GradedPrediction } from "../../src/index.js";
import { seededRandom } from "../../src/utils/random.js";

// The synthetic workload of the risk-control tests (risk_control_binomial.test.ts, risk_control_net.test.ts).

/**
 * A synthetic workload whose risk is known in closed form: P_fail ~ U(0, 1) and calibrated (the crowd is wrong with
 * probability P_fail), the Oracle right with probability 0.9 independently; crowd cost 0.2, Oracle cost 1.
 */
export function synthetic(n: number, seed: number): GradedPrediction[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const pFail = random();
    return {
      pFail,
      crowdCorrect: random() >= pFail,
      oracleCorrect: random() < 0.9,
      crowdCost: 0.2,
      oracleCost: 1,
      oracleOnlyCost: 1,
    };
  });
}

/** Keeping every query with P_fail <= t at the crowd of {@link synthetic} harms H(t) = 0.9 t^2 / 2 of all queries. */
export const harmAt = (t: number): number => (0.9 * t * t) / 2;

/** ... and gives up R(t) = H(t) - 0.1 (t - t^2 / 2) of accuracy (harms minus gains). */
export const riskAt = (t: number): number => harmAt(t) - 0.1 * (t - (t * t) / 2);
