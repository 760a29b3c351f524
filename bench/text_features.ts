import { extractAnswer } from "../src/index.js";
import { MATH_SIGNAL_GROUPS, mathSignalValues, type MathSignalGroup } from "../src/router/train/index.js";
import { LatencyChatModel } from "./latency_model.js";
import { realisticCrowds } from "./router.js";
import { figure, median, now } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the text-features suite. */
export interface TextFeaturesOptions {
  /** Measured rounds. Default 7. */
  readonly rounds?: number;
  /** Queries (crowds of 3) per round. Default 1000. */
  readonly queries?: number;
  /** Calls of the 50 ms member measured for the baseline. Default 7. */
  readonly memberCalls?: number;
}

const GROUPS = Object.keys(MATH_SIGNAL_GROUPS) as MathSignalGroup[];

/**
 * The cost per query of the math text features (`mathSignalValues`, every group: hedges, answer in reasoning,
 * integrality, steps, MATH-key agreement) and of the `math-latex` vote keys of the three outputs, on the recorded
 * GSM8K outputs of the paper's crowd, against a 50 ms member call measured in the same run.
 */
export function createTextFeaturesSuite(options: TextFeaturesOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 7;
  const queries = options.queries ?? 1000;
  const memberCalls = options.memberCalls ?? 7;
  return async (): Promise<BenchFigure[]> => {
    const { crowds, source } = realisticCrowds();
    let sink = 0;
    const features = (i: number): void => {
      const crowd = crowds[i % crowds.length];
      for (const v of mathSignalValues(crowd, GROUPS, { question: "How many apples are left?" }))
        sink += Number.isNaN(v) ? 0 : v;
    };
    const keys = (i: number): void => {
      for (const c of crowds[i % crowds.length]) sink += extractAnswer(c.text, "math-latex")?.key.length ?? 0;
    };
    // CPU time, not wall time: the work is synchronous, and CPU time is what it takes from a shared machine.
    const perQueryUs = (fn: (i: number) => void): number => {
      const c0 = process.cpuUsage();
      for (let i = 0; i < queries; i++) fn(i);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / queries;
    };
    perQueryUs(features);
    perQueryUs(keys);
    const member = new LatencyChatModel({ name: "member-50ms", latencyMs: 50, reply: "The answer is 42." });
    await member.invoke("warm-up");
    const featureValues: number[] = [];
    const keyValues: number[] = [];
    const baselines: number[] = [];
    for (let r = 0; r < rounds; r++) {
      featureValues.push(perQueryUs(features));
      keyValues.push(perQueryUs(keys));
      if (r < memberCalls) {
        const t0 = now();
        await member.invoke("What is 6 x 7?");
        baselines.push((now() - t0) * 1000);
      } else baselines.push(median(baselines));
    }
    if (!Number.isFinite(sink)) throw new Error("text features suite: non-finite value");
    const note = `3 candidates per query from ${source}; value = CPU time; baseline = a 50 ms LatencyChatModel.invoke measured in the same run; ${rounds} rounds x ${queries} queries`;
    return [
      figure({
        section: "Text features",
        name: "math text features (all groups) per query vs a 50 ms member call",
        unit: "µs/query",
        values: featureValues,
        baselines,
        note: `mathSignalValues(${GROUPS.join(", ")}); ${note}`,
      }),
      figure({
        section: "Text features",
        name: "math-latex vote keys of 3 outputs per query vs a 50 ms member call",
        unit: "µs/query",
        values: keyValues,
        baselines,
        note: `extractAnswer(text, "math-latex") x 3; ${note}`,
      }),
    ];
  };
}
