import type { AnswerTask } from "../../answers/types.js";
import type { Candidate } from "../../core/types.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { PyramidConfigError } from "../../errors/index.js";
import { resolvePyramidOptions } from "../../graph/options.js";
import { callMember } from "../../members/call.js";
import type { Member } from "../../members/member.js";
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

/** The replayed members of a crowd-and-Oracle pyramid, as the pyramid resolves them (names, prices), and its task. */
export interface ReplayedPyramid {
  /** The crowd's members, in member order. */
  readonly crowd: readonly Member[];
  /** The Oracle's member. */
  readonly oracle: Member;
  /** Answer extractor. */
  readonly task: AnswerTask;
}

/** The members of a pyramid of `crowd` and `oracle` replayed from `store` (each resolved as the pyramid does). */
export function replayedPyramid(
  store: RecordedOutputs,
  crowd: readonly string[],
  oracle: string,
  task: AnswerTask,
): ReplayedPyramid {
  const spec = resolvePyramidOptions({
    crowd: crowd.map((name) => ({ name, model: store.model(name) })),
    oracle: { name: oracle, model: store.model(oracle) },
    router: new AgreementRouter(),
    task,
  });
  return { crowd: spec.tiers[0].members, oracle: spec.tiers[1].members[0], task };
}

/**
 * One item as the schedule replay needs it: its crowd calls and the Oracle's, through the library's member call (the
 * same answer keys, token counts and costs as the evaluation), each graded by `grade` (tier 0: a crowd member, by
 * its `index`; tier 1: the Oracle).
 */
export async function scheduleQuery(
  pyramid: ReplayedPyramid,
  item: RecordedItem,
  grade: (candidate: Candidate) => boolean,
): Promise<ScheduleQuery> {
  const messages = toMessages(item.messages);
  const crowd = await Promise.all(
    pyramid.crowd.map((member, index) => callMember(member, messages, { tier: 0, index, task: pyramid.task })),
  );
  const oracle = await callMember(pyramid.oracle, messages, { tier: 1, index: 0, task: pyramid.task });
  return {
    id: item.id,
    crowd,
    memberCorrect: crowd.map(grade),
    prices: pyramid.crowd.map((member) => member.price),
    oracle: {
      model: oracle.model,
      inputTokens: oracle.usage.input,
      outputTokens: oracle.usage.output,
      price: pyramid.oracle.price,
      costUsd: oracle.costUsd,
      correct: grade(oracle),
    },
  };
}

/**
 * The replay's queries: each traced item's crowd calls and Oracle call (see {@link scheduleQuery}), graded as the
 * traces grade them.
 */
export async function scheduleQueries(source: ScheduleSource): Promise<ScheduleQuery[]> {
  const pyramid = replayedPyramid(source.store, source.crowd, source.oracle, source.task);
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
    queries.push(
      await scheduleQuery(pyramid, item, (candidate) =>
        candidate.tier === 0 ? line.candidates[candidate.index]?.correct === true : line.oracleCorrect === true,
      ),
    );
  }
  return queries;
}
