import { z } from "zod";
import { evalTraceLineSchema } from "../core/trace_schema.js";

/**
 * One answered query of a production trace file (`new PyramidChatModel({ traces })`, `pyramid-moa serve --traces`).
 *
 * It reuses the evaluation trace's fields where they mean the same thing (`id`, `featureNames`, `features` with
 * `null` for NaN, `candidates`, `crowdAnswer`, `pFail`, `threshold`, `escalated`, `finalAnswer`), so that one reader
 * serves `train` and `report`; what production cannot know (whether an answer is correct) is absent, and what only
 * production has (time, tier, decisions, latency, the apex's answer when escalated) is added.
 */
export const queryTraceLineSchema = z.object({
  type: z.literal("query"),
  id: z.string().min(1),
  /** ISO 8601 time the answer was returned. */
  time: z.string(),
  featureNames: evalTraceLineSchema.shape.featureNames,
  features: evalTraceLineSchema.shape.features,
  /** Every member's answer key, tier by tier (`answer` is the key used for voting). */
  candidates: z.array(
    z.object({
      model: z.string(),
      tier: z.number().int().nonnegative(),
      answer: z.string().nullable(),
      error: z.string().optional(),
      costUsd: z.number(),
      latencyMs: z.number(),
      /** Under the `anytime` and `waves` schedules (and a deadline): what happened to the call, and when (ms from the tier's start). */
      schedule: z
        .object({
          status: z.enum(["answered", "cancelled", "not_called", "deadline"]),
          startedMs: z.number().optional(),
          arrivedMs: z.number().optional(),
          /** Cut by the deadline, its partial output gave the answer (nobody had answered in full). */
          partial: z.literal(true).optional(),
        })
        .optional(),
    }),
  ),
  /** The crowd's (tier 0) majority answer key. */
  crowdAnswer: z.string().nullable(),
  /** The apex's majority answer key when the query was escalated to it, else `null`. */
  apexAnswer: z.string().nullable(),
  /** `P_fail` and threshold of the crowd's decision (tier 0). */
  pFail: z.number().nullable(),
  threshold: z.number().nullable(),
  /** Whether the query went past the crowd. */
  escalated: z.boolean(),
  /** Whether the query reached the apex tier. */
  reachedApex: z.boolean(),
  /** Index of the tier whose answer was returned. */
  tier: z.number().int().nonnegative(),
  /** Every decision: tier, P_fail, threshold, escalated, reason. */
  decisions: z.array(
    z.object({
      tier: z.number().int(),
      pFail: z.number().nullable(),
      threshold: z.number(),
      escalated: z.boolean(),
      reason: z.string().optional(),
    }),
  ),
  /** The returned answer's key. */
  finalAnswer: z.string().nullable(),
  /** USD: the crowd's calls, the tiers above it, the total, and the apex alone (estimated when not called). */
  cost: z.object({ crowd: z.number(), oracle: z.number(), total: z.number(), oracleOnly: z.number() }),
  /** Set when the query's deadline passed: the members cut while running and the tiers not reached because of it. */
  deadline: z.literal(true).optional(),
  cut: z
    .object({
      members: z.array(z.object({ tier: z.number().int(), model: z.string() })),
      tiers: z.array(z.string()),
    })
    .optional(),
  /** Speculative escalation: each tier started before the tier below decided, adopted or cancelled (and its cost). */
  speculation: z
    .array(
      z.object({
        tier: z.number().int(),
        tierName: z.string(),
        outcome: z.enum(["adopted", "cancelled"]),
        startedMs: z.number(),
        costUsd: z.number(),
        cancelled: z.array(z.object({ model: z.string(), streamedTokens: z.number() })),
      }),
    )
    .optional(),
  /** Wall time of the query, in milliseconds. */
  latencyMs: z.number(),
  /** Whether this query was drawn for a shadow call to the apex (its result comes in a `shadow` line). */
  shadowScheduled: z.boolean(),
  /** The shadow rate in force (the probability that a kept query is drawn). */
  shadowRate: z.number().min(0).max(1),
  /** Answer extractor in force (`math`, `code`, ...). */
  task: z.string(),
  /** Prompt and answer text, only with `traces: { content: true }`, secrets redacted. */
  content: z.object({ prompt: z.string(), answer: z.string() }).optional(),
});

/** The background apex call of a sampled query. */
export const shadowTraceLineSchema = z.object({
  type: z.literal("shadow"),
  id: z.string().min(1),
  time: z.string(),
  /** The apex's majority answer key (`null` when it gave none). */
  apexAnswer: z.string().nullable(),
  /** Whether the crowd's answer equals the apex's (the same normalized answer key of the task's extractor). */
  agrees: z.boolean().nullable(),
  /** USD spent on the shadow call (shadow cost: not part of any answer's cost). */
  costUsd: z.number(),
  latencyMs: z.number(),
  /** Set when the shadow call failed or was skipped (e.g. the budget would be exceeded). */
  error: z.string().optional(),
  skipped: z.string().optional(),
});

/** Ground truth attached to a query by a user or a grader (`pyramid.feedback(id, correct)`, `POST /v1/feedback`). */
export const feedbackTraceLineSchema = z.object({
  type: z.literal("feedback"),
  id: z.string().min(1),
  time: z.string(),
  /** Whether the answer returned for query `id` was correct. */
  correct: z.boolean(),
});

/** Any line of a production trace file. */
export const trafficLineSchema = z.discriminatedUnion("type", [
  queryTraceLineSchema,
  shadowTraceLineSchema,
  feedbackTraceLineSchema,
]);

/** One answered query; see {@link queryTraceLineSchema}. */
export type QueryTraceLine = z.infer<typeof queryTraceLineSchema>;
/** One shadow call; see {@link shadowTraceLineSchema}. */
export type ShadowTraceLine = z.infer<typeof shadowTraceLineSchema>;
/** One feedback; see {@link feedbackTraceLineSchema}. */
export type FeedbackTraceLine = z.infer<typeof feedbackTraceLineSchema>;
/** Any production trace line. */
export type TrafficLine = z.infer<typeof trafficLineSchema>;
