import { z } from "zod";

/** A member's graded answer on one query. */
const candidateLineSchema = z.object({
  model: z.string(),
  answer: z.string().nullable(),
  correct: z.boolean().optional(),
  error: z.string().optional(),
  /** USD cost of this member's call. */
  costUsd: z.number().optional(),
});

/** One tier of a deep pyramid's trace line (see `tiers` of {@link evalTraceLineSchema}). */
export const deepTierSchema = z.object({
  /** Tier name. */
  name: z.string(),
  /** The tier's majority answer. */
  answer: z.string().nullable(),
  /** Whether it is correct. */
  correct: z.boolean(),
  /** USD of the tier's calls. */
  costUsd: z.number(),
  /** The members' graded answers, in member order. */
  candidates: z.array(candidateLineSchema),
});

/** One boundary of a deep pyramid's trace line (see `boundaries` of {@link evalTraceLineSchema}). */
export const deepBoundarySchema = z.object({
  /** Feature names over the pool of tiers `0..k`. */
  featureNames: z.array(z.string()),
  /** Feature values; `null` for NaN. */
  features: z.array(z.number().nullable()),
  /** The boundary router's `P_fail` of tier k's answer. */
  pFail: z.number(),
  /** Threshold in force at this boundary. */
  threshold: z.number(),
  /** Whether the pyramid reached this boundary on this query. */
  reached: z.boolean(),
  /** Whether it escalated here (false when not reached). */
  escalated: z.boolean(),
});

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
  candidates: z.array(candidateLineSchema),
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
  /** Pyramids of more than two tiers: the index of the tier whose answer was returned (0 = crowd). */
  answeredTier: z.number().int().nonnegative().optional(),
  /**
   * Pyramids of more than two tiers: every tier, evaluated on every query (used or not), so that any thresholds can be
   * scored from the same file: its vote, whether it is correct, its cost and its members' answers. The top-level
   * `candidates` are tier 0's; the apex stands in the Oracle's place (`oracleAnswer`, `oracleCorrect`, `cost.oracle`).
   */
  tiers: z.array(deepTierSchema).optional(),
  /**
   * Pyramids of more than two tiers: the router's inputs and output after every tier but the apex (the pool of tiers
   * `0..k`, as the graph computes them), and whether the pyramid reached and escalated that boundary.
   */
  boundaries: z.array(deepBoundarySchema).optional(),
});

/** One graded trace line; see {@link evalTraceLineSchema}. */
export type EvalTraceLine = z.infer<typeof evalTraceLineSchema>;

/** One tier of a deep pyramid's trace line. */
export type DeepTierLine = z.infer<typeof deepTierSchema>;
/** One boundary of a deep pyramid's trace line. */
export type DeepBoundaryLine = z.infer<typeof deepBoundarySchema>;
