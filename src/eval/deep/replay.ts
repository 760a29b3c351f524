import type { AnswerTask } from "../../answers/types.js";
import type { Candidate } from "../../core/types.js";
import type { DeepBoundaryLine, DeepTierLine, EvalTraceLine } from "../../core/trace_schema.js";
import type { Price } from "../../cost/price.js";
import type { FeatureVector } from "../../features/types.js";
import { buildPyramidStateGraph } from "../../graph/build.js";
import { codeBehaviourByDefault } from "../../graph/feature_groups.js";
import { resolvePyramidOptions } from "../../graph/options.js";
import { pyramidResult } from "../../graph/result.js";
import type { LookaheadOptions, PyramidSpec } from "../../graph/spec.js";
import type { PyramidStateType } from "../../graph/state.js";
import type { DecisionPolicy } from "../../policy/decision.js";
import type { RecordedItem } from "../../replay/items.js";
import type { RecordedOutputs } from "../../replay/recorded_outputs.js";
import type { Router } from "../../router/types.js";
import { EVAL_CODE_BEHAVIOUR, toMessages } from "../run/evaluate_items.js";
import type { RecordedGrader } from "../run/graders.js";
import type { Progress } from "../run/progress.js";
import type { TracesFile } from "../run/traces_file.js";

/** What {@link evaluateDeepItems} runs: a pyramid of any number of tiers of replayed models over recorded items. */
export interface ReplayedDeepPyramid {
  /** Benchmark name written into the traces. */
  readonly benchmark: string;
  /** The recorded outputs (every tier's models). */
  readonly store: RecordedOutputs;
  /** Model names per tier, cheapest tier first; the last tier is the apex. */
  readonly tiers: readonly (readonly string[])[];
  /** Tier names (default `crowd`, `tier_1`, ..., `apex`). */
  readonly tierNames?: readonly string[];
  /** One router per boundary (after every tier but the apex). */
  readonly routers: readonly Router[];
  /** Escalation policy at every boundary (a preset resolves against each boundary's router). */
  readonly policy: DecisionPolicy;
  /** Look-ahead decisions over the remaining tiers instead of the thresholds. */
  readonly lookahead?: LookaheadOptions;
  /** USD per 1M tokens by member name (default: by parameter count). */
  readonly prices?: Readonly<Record<string, Price>>;
  /** Answer extractor. */
  readonly task: AnswerTask;
  /** Grader of recorded outputs. */
  readonly grade: RecordedGrader;
  /** Use routers trained for other members (checked by the caller). */
  readonly allowRouterMemberMismatch?: boolean;
}

/** Default names of the tiers of a pyramid of `count` tiers. */
export function defaultTierNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? "crowd" : i === count - 1 ? "apex" : `tier_${i}`));
}

/** A router that always says the tier failed: the "every tier" run that evaluates all tiers on every query. */
const ESCALATE_ALL: Router = { predict: () => 1 };

function pyramidSpec(
  run: ReplayedDeepPyramid,
  routers: readonly Router[],
  policy: DecisionPolicy,
  lookahead: LookaheadOptions | undefined,
): PyramidSpec {
  const names = run.tierNames ?? defaultTierNames(run.tiers.length);
  return resolvePyramidOptions({
    tiers: run.tiers.map((models, i) => ({
      name: names[i],
      models: models.map((name) => ({ name, model: run.store.model(name) })),
      ...(i < routers.length ? { router: routers[i] } : {}),
    })),
    policy,
    task: run.task,
    ...(run.prices ? { prices: run.prices } : {}),
    ...(lookahead ? { lookahead } : {}),
    codeBehaviour: codeBehaviourByDefault(run.task, run.routers) ? EVAL_CODE_BEHAVIOUR : false,
    allowRouterMemberMismatch: run.allowRouterMemberMismatch,
  });
}

/** The feature vector of a decision's record (names and values in the record's order, as the graph built it). */
function vectorOf(record: Readonly<Record<string, number>>): FeatureVector {
  return { names: Object.keys(record), values: Object.values(record) };
}

function answered(candidates: readonly Candidate[]): boolean {
  return candidates.some((candidate) => candidate.error === undefined && candidate.invalid === undefined);
}

/**
 * Runs the real pyramid graph of `run.tiers.length` tiers over replayed models on each item and appends one graded
 * trace line per item to `traces` (items already in the file are skipped). Every tier is evaluated on every item, by a
 * second run of the same graph whose boundaries all escalate: its feature vectors are the ones the graph computes at
 * each boundary (the pool of the tiers so far), and each boundary's router scores them as the router node does, so
 * that any thresholds can be scored from the same traces. The line keeps the two-tier fields with the apex in the
 * Oracle's place, and adds `answeredTier`, `tiers` and `boundaries`.
 */
export async function evaluateDeepItems(
  run: ReplayedDeepPyramid,
  items: readonly RecordedItem[],
  traces: TracesFile,
  options: { concurrency?: number; progress?: Progress } = {},
): Promise<EvalTraceLine[]> {
  const spec = pyramidSpec(run, run.routers, run.policy, run.lookahead);
  const everyTier = pyramidSpec(
    run,
    run.routers.map(() => ESCALATE_ALL),
    { threshold: 0.5 },
    undefined,
  );
  const graph = buildPyramidStateGraph(spec).compile();
  const fullGraph = buildPyramidStateGraph(everyTier).compile();
  const apex = spec.tiers.length - 1;
  const todo = items.filter((item) => !traces.has(item.id));
  let done = items.length - todo.length;
  options.progress?.update(done);

  const evaluateOne = async (item: RecordedItem): Promise<void> => {
    const messages = toMessages(item.messages);
    const state = (await graph.invoke({ messages, stream: false })) as PyramidStateType;
    const full = (await fullGraph.invoke({ messages, stream: false })) as PyramidStateType;
    const result = pyramidResult(spec, state);
    const tiers: DeepTierLine[] = await Promise.all(
      full.tiers.map(async (tierRun) => {
        const winner = tierRun.vote.winner >= 0 ? tierRun.candidates[tierRun.vote.winner] : undefined;
        return {
          name: tierRun.name,
          answer: tierRun.vote.key,
          correct: winner && !winner.error ? await run.grade(item, winner.model) : false,
          costUsd: tierRun.costUsd,
          candidates: await Promise.all(
            tierRun.candidates.map(async (candidate) => ({
              model: candidate.model,
              answer: candidate.answer,
              costUsd: candidate.costUsd,
              ...(candidate.error ? { error: candidate.error } : { correct: await run.grade(item, candidate.model) }),
            })),
          ),
        };
      }),
    );
    const boundaries: DeepBoundaryLine[] = full.decisions.map((fullDecision, k) => {
      const features = vectorOf(fullDecision.features);
      const taken = state.decisions[k];
      return {
        featureNames: [...features.names],
        features: features.values.map((value) => (Number.isNaN(value) ? null : value)),
        pFail: answered(full.tiers[k].candidates) ? spec.tiers[k].router.predict(features) : 1,
        threshold: spec.tiers[k].threshold,
        reached: taken !== undefined,
        escalated: taken?.escalated ?? false,
      };
    });
    const chosen = result.pyramid.tier;
    const top = tiers[apex];
    const line: EvalTraceLine = {
      id: item.id,
      benchmark: run.benchmark,
      featureNames: boundaries[0].featureNames,
      features: boundaries[0].features,
      candidates: tiers[0].candidates,
      crowdAnswer: tiers[0].answer,
      crowdCorrect: tiers[0].correct,
      oracleAnswer: top.answer,
      oracleCorrect: top.correct,
      pFail: boundaries[0].pFail,
      threshold: boundaries[0].threshold,
      escalated: boundaries[0].escalated,
      finalAnswer: state.tiers[chosen]?.vote.key ?? null,
      correct: await run.grade(item, String(result.message.response_metadata.model_name)),
      cost: { crowd: tiers[0].costUsd, oracle: top.costUsd, total: result.pyramid.cost.total, oracleOnly: top.costUsd },
      answeredTier: chosen,
      tiers,
      boundaries,
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
