import { AIMessage } from "@langchain/core/messages";
import type { UsageMetadata } from "@langchain/core/messages";
import { estimateTierCost } from "../members/estimate.js";
import { ModelCallError } from "../errors/index.js";
import type { SpeculationRecord } from "./schedule/speculation.js";
import type { PyramidSpec } from "./spec.js";
import type { PyramidStateType, TierRun } from "./state.js";
import type { Candidate, CandidateSchedule, TierDecision } from "../core/types.js";

/** `response_metadata.pyramid`: how the pyramid reached its answer. */
export interface PyramidMetadata {
  /** Index of the tier whose answer was returned (0 = crowd). */
  readonly tier: number;
  /** Name of that tier. */
  readonly tierName: string;
  /** Whether the query went past the crowd. */
  readonly escalated: boolean;
  /** `P_fail` of the last router decision. */
  readonly pFail: number;
  /** Threshold of the last router decision. */
  readonly threshold: number;
  /** Feature vector of the last router decision (NaN = absent signal). */
  readonly features: Record<string, number>;
  /** Every decision, tier by tier. */
  readonly decisions: readonly TierDecision[];
  /** Every member's answer, tier by tier. */
  readonly candidates: ReadonlyArray<{
    readonly model: string;
    readonly tier: number;
    readonly answer: string | null;
    readonly error?: string;
    /** Why the member's output was unusable (an invalid tool call, no object of the schema); it did not vote. */
    readonly invalid?: string;
    readonly latencyMs: number;
    readonly costUsd: number;
    /** Under the `anytime` and `waves` schedules: answered, cancelled or not called, and when (ms from the tier's start). */
    readonly schedule?: CandidateSchedule;
  }>;
  /** USD costs. */
  readonly cost: {
    /** What this query cost. */
    readonly total: number;
    /** Cost per tier name. */
    readonly byTier: Record<string, number>;
    /** What calling only the apex would have cost. */
    readonly oracleOnly: number;
    /** True when `oracleOnly` is an estimate (the apex was not called). */
    readonly oracleOnlyEstimated: boolean;
    /** True when some token counts were estimated (a model reported no usage). */
    readonly tokensEstimated: boolean;
  };
  /** Set when the apex failed and a lower tier's answer was returned (`onApexError: "crowd"`). */
  readonly degraded?: boolean;
  /** The apex error, when degraded. */
  readonly error?: string;
  /** The query's id in the production trace file (with `traces`): pass it to `feedback(id, correct)`. */
  readonly traceId?: string;
  /** Set when the query's deadline (`deadlineMs`) passed before the pyramid finished: the best answer held was returned. */
  readonly deadline?: boolean;
  /** With `deadline`: the members cut while running, and the tiers the query did not reach because of it. */
  readonly cut?: {
    readonly members: readonly { readonly tier: number; readonly model: string }[];
    readonly tiers: readonly string[];
  };
  /**
   * Speculative escalation (`speculative`): every tier started before the tier below decided, `adopted` (it escalated)
   * or `cancelled` (it did not: its calls were aborted and charged as far as they went, in `cost`).
   */
  readonly speculation?: readonly SpeculationRecord[];
  /** Whether the query was drawn for a background shadow call to the apex (with `shadow`). */
  readonly shadow?: boolean;
}

/** The pyramid's final answer: the message to return and its metadata. */
export interface PyramidResult {
  /** The answer message (content and tool calls of the winning member), with summed usage and metadata. */
  readonly message: AIMessage;
  /** The routing trace, also in `message.response_metadata.pyramid`. */
  readonly pyramid: PyramidMetadata;
}

function representative(run: TierRun): Candidate | undefined {
  if (run.vote.winner >= 0) return run.candidates[run.vote.winner];
  return run.candidates.find((candidate) => candidate.error === undefined && candidate.invalid === undefined);
}

/** The last candidate that answered at all, though unusably (kept so that its output, as a model's, is returned). */
function unusableOutput(runs: readonly TierRun[]): { run: TierRun; candidate: Candidate } | undefined {
  for (let i = runs.length - 1; i >= 0; i--) {
    const candidate = runs[i].candidates.find((c) => c.error === undefined && c.message !== undefined);
    if (candidate) return { run: runs[i], candidate };
  }
  return undefined;
}

function sumUsage(candidates: readonly Candidate[]): UsageMetadata {
  let input = 0;
  let output = 0;
  for (const candidate of candidates) {
    input += candidate.usage.input;
    output += candidate.usage.output;
  }
  return { input_tokens: input, output_tokens: output, total_tokens: input + output };
}

/** Assembles the final answer and the routing trace from the graph's final state. */
export function pyramidResult(spec: PyramidSpec, state: PyramidStateType): PyramidResult {
  const runs = state.tiers;
  let chosen: TierRun | undefined;
  for (let i = runs.length - 1; i >= 0 && !chosen; i--) if (representative(runs[i])) chosen = runs[i];
  let winner = chosen ? representative(chosen) : undefined;
  if (!chosen || !winner) {
    const fallback = unusableOutput(runs);
    chosen = fallback?.run;
    winner = fallback?.candidate;
  }
  if (!chosen || !winner) {
    const errors = runs.flatMap((run) => run.candidates.map((c) => `${c.model}: ${c.error ?? "no answer"}`));
    throw new ModelCallError("pyramid", `no tier produced an answer (${errors.join("; ")})`, {
      fix: "check the models' availability, timeouts and API keys",
    });
  }
  const candidates = runs.flatMap((run) => run.candidates);
  const apexIndex = spec.tiers.length - 1;
  const apexRun = runs.find((run) => run.tier === apexIndex);
  const oracleOnly = apexRun
    ? apexRun.costUsd
    : estimateTierCost(spec.tiers[apexIndex].members, state.messages, runs[0]?.candidates ?? []);
  const byTier: Record<string, number> = {};
  for (const run of runs) byTier[run.name] = (byTier[run.name] ?? 0) + run.costUsd;
  // A cancelled speculative start cost what its calls streamed: charged to its tier.
  const speculations = state.speculations ?? [];
  let speculativeUsd = 0;
  for (const record of speculations) {
    if (record.outcome !== "cancelled") continue;
    speculativeUsd += record.costUsd;
    byTier[record.tierName] = (byTier[record.tierName] ?? 0) + record.costUsd;
  }
  const last = state.decisions[state.decisions.length - 1];
  const pyramid: PyramidMetadata = {
    tier: chosen.tier,
    tierName: chosen.name,
    escalated: runs.length > 1,
    pFail: last?.pFail ?? Number.NaN,
    threshold: last?.threshold ?? Number.NaN,
    features: last?.features ?? {},
    decisions: state.decisions,
    candidates: candidates.map((c) => ({
      model: c.model,
      tier: c.tier,
      answer: c.display ?? c.answer,
      ...(c.error !== undefined ? { error: c.error } : {}),
      ...(c.invalid !== undefined ? { invalid: c.invalid } : {}),
      latencyMs: c.latencyMs,
      costUsd: c.costUsd,
      ...(c.schedule ? { schedule: c.schedule } : {}),
    })),
    cost: {
      total: runs.reduce((sum, run) => sum + run.costUsd, 0) + speculativeUsd,
      byTier,
      oracleOnly,
      oracleOnlyEstimated: !apexRun,
      tokensEstimated: candidates.some((c) => c.error === undefined && c.usage.estimated),
    },
    ...(state.degraded ? { degraded: true, error: state.degraded } : {}),
    ...deadlineMetadata(spec, runs, state.decisions),
    ...(speculations.length > 0 ? { speculation: speculations } : {}),
  };
  const source = winner.message;
  const message = new AIMessage({
    content: source?.content ?? winner.text,
    tool_calls: source?.tool_calls ?? [],
    invalid_tool_calls: source?.invalid_tool_calls ?? [],
    usage_metadata: sumUsage(candidates),
    response_metadata: { model_name: winner.model, pyramid },
  });
  return { message, pyramid };
}

/** `deadline` and `cut` of the metadata: members cut by the deadline, tiers not reached because of it. */
function deadlineMetadata(
  spec: PyramidSpec,
  runs: readonly TierRun[],
  decisions: readonly TierDecision[],
): Pick<PyramidMetadata, "deadline" | "cut"> {
  const members = runs.flatMap((run) =>
    run.candidates.filter((c) => c.schedule?.status === "deadline").map((c) => ({ tier: c.tier, model: c.model })),
  );
  const stopped = decisions.find((decision) => decision.reason?.startsWith("deadline"));
  if (members.length === 0 && !stopped) return {};
  const tiers = stopped ? spec.tiers.slice(stopped.tier + 1).map((tier) => tier.name) : [];
  for (const member of members) {
    const name = spec.tiers[member.tier].name;
    if (!tiers.includes(name)) tiers.push(name);
  }
  return { deadline: true, cut: { members, tiers } };
}
