import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { AnswerTask } from "../../answers/types.js";
import { buildPyramidStateGraph } from "../../graph/build.js";
import { resolvePyramidOptions } from "../../graph/options.js";
import { codeBehaviourByDefault } from "../../graph/feature_groups.js";
import type { CodeBehaviourOptions } from "../../features/behaviour/options.js";
import { pyramidResult } from "../../graph/result.js";
import type { PyramidStateType } from "../../graph/state.js";
import type { Candidate } from "../../core/types.js";
import { callMember } from "../../members/call.js";
import type { DecisionPolicy } from "../../policy/decision.js";
import type { RecordedItem } from "../../replay/items.js";
import type { RecordedOutputs } from "../../replay/recorded_outputs.js";
import type { RecordedMessage } from "../../replay/schema.js";
import type { Router } from "../../router/types.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { RecordedGrader } from "./graders.js";
import type { Progress } from "./progress.js";
import type { TracesFile } from "./traces_file.js";

/** What {@link evaluateItems} runs: a two-tier pyramid of replayed models over recorded items. */
export interface ReplayedPyramid {
  /** Benchmark name written into the traces. */
  readonly benchmark: string;
  /** The recorded outputs. */
  readonly store: RecordedOutputs;
  /** Crowd model names. */
  readonly crowd: readonly string[];
  /** Oracle model name. */
  readonly oracle: string;
  /** Router at the crowd/Oracle boundary. */
  readonly router: Router;
  /** Escalation policy. */
  readonly policy: DecisionPolicy;
  /** Answer extractor. */
  readonly task: AnswerTask;
  /** Free text voted by meaning (`text`, `short-answer`): `lexical` or `exact` (default: the pyramid's). */
  readonly similarity?: "lexical" | "exact";
  /** Grader of recorded outputs. */
  readonly grade: RecordedGrader;
  /** Code behavioural agreement features (default: the pyramid's default, on for `task: "code"`). */
  readonly codeBehaviour?: boolean;
  /** Their claim features (default: the pyramid's default, on when the router was trained with them). */
  readonly codeClaims?: boolean;
  /** Use the router even if it was trained for other members (checked by the caller). */
  readonly allowRouterMemberMismatch?: boolean;
  /** Run the code behaviour probes without an OS sandbox when bubblewrap is unavailable (unsafe). */
  readonly unsafeAllowUnsandboxedCode?: boolean;
}

/**
 * Limits of the code behaviour features in evaluation runs: an offline run is not latency-bound, and its traces
 * train routers, so the wall-clock caps are generous enough that machine load (the grader's and other runs'
 * sandboxes queue with these) does not turn the features into NaN or failed candidates; the CPU-time caps of
 * the candidate's code and of each probe are the defaults.
 */
export const EVAL_CODE_BEHAVIOUR: CodeBehaviourOptions = { runTimeoutMs: 30_000, budgetMs: 600_000 };

/** Converts recorded chat messages to LangChain messages. */
export function toMessages(messages: readonly RecordedMessage[]): BaseMessage[] {
  return messages.map((message) =>
    message.role === "system"
      ? new SystemMessage(message.content)
      : message.role === "assistant"
        ? new AIMessage(message.content)
        : new HumanMessage(message.content),
  );
}

function representative(candidates: readonly Candidate[], winner: number): Candidate | undefined {
  return winner >= 0 ? candidates[winner] : undefined;
}

/**
 * Runs the real pyramid graph over replayed models on each item and appends one graded trace line per item to
 * `traces` (items already in the file are skipped, so an interrupted run resumes). The Oracle's recorded answer is
 * graded on every item, escalated or not, so that every threshold can be scored from the same traces.
 */
export async function evaluateItems(
  run: ReplayedPyramid,
  items: readonly RecordedItem[],
  traces: TracesFile,
  options: { concurrency?: number; progress?: Progress } = {},
): Promise<EvalTraceLine[]> {
  const spec = resolvePyramidOptions({
    crowd: run.crowd.map((name) => ({ name, model: run.store.model(name) })),
    oracle: { name: run.oracle, model: run.store.model(run.oracle) },
    router: run.router,
    policy: run.policy,
    task: run.task,
    ...(run.similarity ? { similarity: run.similarity } : {}),
    codeBehaviour:
      (run.codeBehaviour ?? codeBehaviourByDefault(run.task, [run.router]))
        ? { ...EVAL_CODE_BEHAVIOUR, ...(run.codeClaims !== undefined ? { claims: run.codeClaims } : {}) }
        : false,
    allowRouterMemberMismatch: run.allowRouterMemberMismatch,
    unsafeAllowUnsandboxedCode: run.unsafeAllowUnsandboxedCode,
  });
  const graph = buildPyramidStateGraph(spec).compile();
  const oracleMember = spec.tiers[1].members[0];
  const todo = items.filter((item) => !traces.has(item.id));
  let done = items.length - todo.length;
  options.progress?.update(done);

  const evaluateOne = async (item: RecordedItem): Promise<void> => {
    const messages = toMessages(item.messages);
    const state = (await graph.invoke({ messages, stream: false })) as PyramidStateType;
    const result = pyramidResult(spec, state);
    const crowdRun = state.tiers[0];
    const decision = state.decisions[0];
    const oracleRun = state.tiers[1];
    const oracleCandidate =
      oracleRun?.candidates[0] ?? (await callMember(oracleMember, messages, { tier: 1, index: 0, task: run.task }));
    const crowdRep = representative(crowdRun.candidates, crowdRun.vote.winner);
    const finalModel = String(result.message.response_metadata.model_name);
    const candidates = await Promise.all(
      crowdRun.candidates.map(async (candidate) => ({
        model: candidate.model,
        answer: candidate.answer,
        costUsd: candidate.costUsd,
        ...(candidate.error ? { error: candidate.error } : { correct: await run.grade(item, candidate.model) }),
      })),
    );
    const oracleCorrect = oracleCandidate.error ? false : await run.grade(item, run.oracle);
    const line: EvalTraceLine = {
      id: item.id,
      benchmark: run.benchmark,
      featureNames: Object.keys(decision.features),
      features: Object.values(decision.features).map((value) => (Number.isNaN(value) ? null : value)),
      candidates,
      crowdAnswer: crowdRun.vote.key,
      crowdCorrect: crowdRep ? await run.grade(item, crowdRep.model) : false,
      oracleAnswer: oracleCandidate.answer,
      oracleCorrect,
      pFail: decision.pFail,
      threshold: decision.threshold,
      escalated: decision.escalated,
      finalAnswer: result.pyramid.tier === 0 ? crowdRun.vote.key : oracleCandidate.answer,
      correct: finalModel === run.oracle ? oracleCorrect : await run.grade(item, finalModel),
      cost: {
        crowd: crowdRun.costUsd,
        oracle: oracleCandidate.costUsd,
        total: result.pyramid.cost.total,
        oracleOnly: oracleCandidate.costUsd,
      },
    };
    traces.append(line);
    done++;
    options.progress?.update(done);
  };

  const queue = [...todo];
  const workers = Array.from({ length: Math.max(1, options.concurrency ?? 8) }, async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await evaluateOne(item);
  });
  await Promise.all(workers);
  return traces.inOrder(items.map((item) => item.id));
}
