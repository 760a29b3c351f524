import { taskLabel } from "../answers/key_forms.js";
import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "../cost/usage.js";
import type { PyramidResult } from "../graph/result.js";
import type { PyramidSpec } from "../graph/spec.js";
import type { PyramidStateType } from "../graph/state.js";
import { redactSecrets } from "../security/redact.js";
import type { QueryTraceLine } from "./schema.js";

/** What {@link queryTraceLine} records about one answered query besides the graph's state. */
export interface QueryTraceContext {
  readonly id: string;
  readonly latencyMs: number;
  readonly shadowScheduled: boolean;
  readonly shadowRate: number;
  /** Record the prompt and the answer (redacted). */
  readonly content: boolean;
}

function finite(x: number | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

/** The trace line of one answered query, from the pyramid's final state and result. */
export function queryTraceLine(
  spec: PyramidSpec,
  state: PyramidStateType,
  result: PyramidResult,
  context: QueryTraceContext,
): QueryTraceLine {
  const apex = spec.tiers.length - 1;
  const runs = state.tiers;
  const crowdDecision = state.decisions.find((d) => d.tier === 0);
  const featureEntries = Object.entries(crowdDecision?.features ?? {});
  const apexRun = runs.find((run) => run.tier === apex);
  const chosen = runs.find((run) => run.tier === result.pyramid.tier);
  const line: QueryTraceLine = {
    type: "query",
    id: context.id,
    time: new Date().toISOString(),
    featureNames: featureEntries.map(([name]) => name),
    features: featureEntries.map(([, value]) => finite(value)),
    candidates: runs.flatMap((run) =>
      run.candidates.map((c) => ({
        model: c.model,
        tier: c.tier,
        answer: c.answer,
        ...(c.error !== undefined ? { error: redactSecrets(c.error) } : {}),
        costUsd: c.costUsd,
        latencyMs: c.latencyMs,
        ...(c.schedule ? { schedule: c.schedule } : {}),
      })),
    ),
    crowdAnswer: runs[0]?.vote.key ?? null,
    apexAnswer: apexRun?.vote.key ?? null,
    pFail: finite(crowdDecision?.pFail),
    threshold: finite(crowdDecision?.threshold),
    escalated: result.pyramid.escalated,
    reachedApex: apexRun !== undefined,
    tier: result.pyramid.tier,
    decisions: state.decisions.map((d) => ({
      tier: d.tier,
      pFail: finite(d.pFail),
      threshold: d.threshold,
      escalated: d.escalated,
      ...(d.reason !== undefined ? { reason: redactSecrets(d.reason) } : {}),
    })),
    finalAnswer: chosen?.vote.key ?? null,
    cost: {
      crowd: runs[0]?.costUsd ?? 0,
      oracle: runs.slice(1).reduce((sum, run) => sum + run.costUsd, 0),
      total: result.pyramid.cost.total,
      oracleOnly: result.pyramid.cost.oracleOnly,
    },
    ...(result.pyramid.deadline ? { deadline: true as const } : {}),
    ...(result.pyramid.cut
      ? { cut: { members: [...result.pyramid.cut.members], tiers: [...result.pyramid.cut.tiers] } }
      : {}),
    ...(result.pyramid.speculation
      ? { speculation: result.pyramid.speculation.map((s) => ({ ...s, cancelled: [...s.cancelled] })) }
      : {}),
    latencyMs: context.latencyMs,
    shadowScheduled: context.shadowScheduled,
    shadowRate: context.shadowRate,
    task: taskLabel(spec.task),
  };
  if (!context.content) return line;
  const prompt = state.messages.map((m: BaseMessage) => `${m.getType()}: ${messageText(m)}`).join("\n");
  return { ...line, content: { prompt: redactSecrets(prompt), answer: redactSecrets(messageText(result.message)) } };
}
