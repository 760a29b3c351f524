import { z } from "zod";

/**
 * One line of `traces.jsonl`: what the pyramid did on one query of an evaluation run, graded.
 *
 * This is the router's training format too (`pyramid-moa train --traces`): `features` (with `null`
 * for NaN, since JSON has no NaN) and `crowdCorrect` are what a router learns from; `oracleCorrect`
 * and the costs are what calibration needs. Both tiers are always evaluated in an evaluation run, so
 * that every threshold can be scored from the same file.
 */
export const evalTraceLineSchema = z.object({
  /** Benchmark item id, e.g. `gsm8k/test/17`. */
  id: z.string(),
  /** Benchmark name, e.g. `gsm8k`. */
  benchmark: z.string(),
  /** Feature names, in order. */
  featureNames: z.array(z.string()),
  /** Feature values in the order of `featureNames`; `null` stands for NaN (absent signal). */
  features: z.array(z.number().nullable()),
  /** Crowd members' answers, in member order. */
  candidates: z.array(
    z.object({
      model: z.string(),
      answer: z.string().nullable(),
      correct: z.boolean().optional(),
      error: z.string().optional(),
      /** USD cost of this member's call. */
      costUsd: z.number().optional(),
    }),
  ),
  /** The crowd's majority answer. */
  crowdAnswer: z.string().nullable(),
  /** Whether the crowd's majority answer is correct: the router's label is `crowdCorrect ? 0 : 1`. */
  crowdCorrect: z.boolean(),
  /** The Oracle's answer on this query (evaluated for every query, used or not). */
  oracleAnswer: z.string().nullable().optional(),
  /** Whether the Oracle's answer is correct. */
  oracleCorrect: z.boolean().optional(),
  /** Router output. */
  pFail: z.number(),
  /** Threshold in force for this run. */
  threshold: z.number(),
  /** Whether the router escalated at `threshold`. */
  escalated: z.boolean(),
  /** Answer returned by the pyramid at `threshold`, and whether it is correct. */
  finalAnswer: z.string().nullable(),
  correct: z.boolean(),
  /** USD: the crowd's calls, the Oracle's call, what the pyramid spent at `threshold`, Oracle alone. */
  cost: z.object({
    crowd: z.number(),
    oracle: z.number(),
    total: z.number(),
    oracleOnly: z.number(),
  }),
});

/** One graded trace line; see {@link evalTraceLineSchema}. */
export type EvalTraceLine = z.infer<typeof evalTraceLineSchema>;
