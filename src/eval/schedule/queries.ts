import type { AnswerTask } from "../../answers/types.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { PyramidConfigError } from "../../errors/index.js";
import { resolvePyramidOptions } from "../../graph/options.js";
import { callMember } from "../../members/call.js";
import type { RecordedItem } from "../../replay/items.js";
import type { RecordedOutputs } from "../../replay/recorded_outputs.js";
import { AgreementRouter } from "../../router/agreement.js";
import { toMessages } from "../run/evaluate_items.js";
import type { ScheduleQuery } from "./simulate.js";

/** Where the schedule replay takes its queries from: the evaluation's recordings, items and graded traces. */
export interface ScheduleSource {
  /** The recorded outputs. */
  readonly store: RecordedOutputs;
  /** The evaluated items (their ids are the traces'). */
  readonly items: readonly RecordedItem[];
  /** Crowd model names, in member order. */
  readonly crowd: readonly string[];
  /** Oracle model name. */
  readonly oracle: string;
  /** Answer extractor. */
  readonly task: AnswerTask;
  /** The graded traces of the evaluation (member and Oracle grades). */
  readonly traces: readonly EvalTraceLine[];
}

/**
 * The replay's queries: each traced item's crowd calls (the replayed members, through the library's member call: the
 * same answer keys, token counts and costs as the evaluation), its grades from the traces, and the Oracle's call.
 */
export async function scheduleQueries(source: ScheduleSource): Promise<ScheduleQuery[]> {
  const spec = resolvePyramidOptions({
    crowd: source.crowd.map((name) => ({ name, model: source.store.model(name) })),
    oracle: { name: source.oracle, model: source.store.model(source.oracle) },
    router: new AgreementRouter(),
    task: source.task,
  });
  const members = spec.tiers[0].members;
  const oracleMember = spec.tiers[1].members[0];
  const byId = new Map(source.items.map((item) => [item.id, item]));
  const queries: ScheduleQuery[] = [];
  for (const line of source.traces) {
    const item = byId.get(line.id);
    if (!item) {
      throw new PyramidConfigError(`traced item ${line.id} is not in the recordings`, {
        field: "--schedule",
        fix: "replay the schedules on the recordings the evaluation ran on (same --recorded files)",
      });
    }
    const messages = toMessages(item.messages);
    const crowd = await Promise.all(
      members.map((member, index) => callMember(member, messages, { tier: 0, index, task: source.task })),
    );
    const oracle = await callMember(oracleMember, messages, { tier: 1, index: 0, task: source.task });
    queries.push({
      id: line.id,
      crowd,
      memberCorrect: crowd.map((_, i) => line.candidates[i]?.correct === true),
      prices: members.map((member) => member.price),
      oracle: {
        model: oracle.model,
        outputTokens: oracle.usage.output,
        costUsd: oracle.costUsd,
        correct: line.oracleCorrect === true,
      },
    });
  }
  return queries;
}
