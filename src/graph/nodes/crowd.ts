import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { AIMessageChunk } from "@langchain/core/messages";
import { majorityVote } from "../../answers/vote.js";
import { semanticVote } from "../../features/semantic/vote.js";
import { callMember } from "../../members/call.js";
import { acceptsCallOption, memberInvocation } from "../../members/call_options.js";
import type { PyramidSpec } from "../spec.js";
import type { PyramidStateType, PyramidUpdate, TierRun } from "../state.js";
import { tierPrompt, withSystemText } from "./tier_prompt.js";
import { configLedger, runSettings } from "../run_config.js";
import { runLedger } from "../ledger.js";
import { BudgetLedger } from "../../ledger/budget_ledger.js";
import { endTierSpan, startTierSpan, traceMemberCall } from "../../telemetry/spans.js";
import { tierCalls } from "../schedule/tier_calls.js";
import { StreamTally } from "../schedule/stream_tally.js";
import { disagreement, Speculation } from "../schedule/speculation.js";
import { estimateTierCost } from "../../members/estimate.js";
import { estimateTokens, messageText } from "../../cost/usage.js";

/** The chat model's LangChain type (`openai`, `llama-cpp`, ...) as the GenAI provider name, when it has one. */
function providerOf(runnable: unknown): string | undefined {
  const llmType = (runnable as { _llmType?: () => unknown })._llmType;
  if (typeof llmType !== "function") return undefined;
  const value: unknown = llmType.call(runnable);
  return typeof value === "string" ? value : undefined;
}

type OnChunk = (chunk: AIMessageChunk) => void;

/** One `onChunk` calling every one given (undefined when none is). */
function allChunks(...sinks: (OnChunk | undefined)[]): OnChunk | undefined {
  const given = sinks.filter((sink): sink is OnChunk => sink !== undefined);
  if (given.length <= 1) return given[0];
  return (chunk) => {
    for (const sink of given) sink(chunk);
  };
}

/** Options of {@link runTier} for a tier run speculatively, or one that may start the next tier speculatively. */
export interface RunTierOptions {
  /** The tier's own abort signal (a speculative start's), instead of the query's. */
  readonly signal?: AbortSignal;
  /** An `onChunk` per member (a speculative start counts the tokens each streams). */
  readonly onChunkOf?: (index: number) => OnChunk;
  /** Settle the tier's cost through the ledger (default true; a speculative start is settled when adopted or cancelled). */
  readonly settle?: boolean;
  /** The next tier, started at this tier's first disagreement. */
  readonly speculation?: Speculation<TierRun>;
}

/**
 * The next tier of `tier` ready to start speculatively (undefined when `tier` is not speculative): its calls stream,
 * run under their own signal (and the query's), and are settled by the router (cancelled) or the next tier (adopted).
 */
export function makeSpeculation(
  spec: PyramidSpec,
  tier: number,
  state: PyramidStateType,
  config: LangGraphRunnableConfig,
): Speculation<TierRun> | undefined {
  if (!spec.tiers[tier].speculative) return undefined;
  const next = tier + 1;
  const t0 = performance.now();
  const prompt = state.messages;
  const members = spec.tiers[next].members.map((member) => ({
    name: member.name,
    ...(member.price ? { price: member.price } : {}),
    estimateUsd: estimateTierCost([member], prompt, []),
  }));
  return new Speculation<TierRun>(
    next,
    spec.tiers[next].name,
    (signal, onChunkOf) =>
      runTier(spec, next, state, config, undefined, {
        signal: config.signal ? AbortSignal.any([config.signal, signal]) : signal,
        onChunkOf,
        settle: false,
      }),
    new StreamTally(estimateTokens(prompt.map(messageText).join("\n"))),
    members,
    () => performance.now() - t0,
  );
}

/** Runs the members of tier `tier` under its schedule (`parallel`: all concurrently) and returns the tier run (candidates, vote, cost). */
export async function runTier(
  spec: PyramidSpec,
  tier: number,
  state: PyramidStateType,
  config: LangGraphRunnableConfig,
  onChunk?: (chunk: AIMessageChunk) => void,
  options: RunTierOptions = {},
): Promise<TierRun> {
  // Started speculatively by the tier below, which escalated: its calls are running (or done); adopt them.
  const adopted = state.speculation?.tier === tier ? state.speculation.adopt(onChunk) : undefined;
  if (adopted) {
    const run = await adopted.run;
    await runLedger(spec, state, config).settle(tier, run.costUsd);
    return run;
  }
  const tierSpec = spec.tiers[tier];
  const lowerCandidates =
    tier > 0 && spec.mode === "generative" ? state.tiers.flatMap((run) => run.candidates) : undefined;
  const prompt = tierPrompt(state.messages, {
    lowerCandidates,
    generativePrompt: spec.generativePrompt,
    askConfidence: spec.askConfidence,
  });
  const tierSpan = startTierSpan(runSettings(config).span, tier, tierSpec.name);
  const deadlineAt = runSettings(config).deadlineAt;
  // Under a deadline the members stream, so that a cut call is charged as far as it went and its partial output can
  // stand when nobody answered in time.
  const tally =
    deadlineAt !== undefined ? new StreamTally(estimateTokens(prompt.map(messageText).join("\n"))) : undefined;
  const candidates = await tierCalls(
    spec,
    tier,
    state,
    options.signal ?? config.signal,
    (index, signal) => {
      const member = tierSpec.members[index];
      {
        const invocation = memberInvocation(member, state.callOptions ?? {});
        // Structured output as JSON text: members without `response_format` are told the schema instead.
        const instruction = spec.structured?.instruction;
        const memberPrompt =
          instruction && !acceptsCallOption(invocation.runnable, "response_format")
            ? withSystemText(prompt, instruction)
            : prompt;
        const call = () =>
          callMember({ ...member, runnable: invocation.runnable }, memberPrompt, {
            tier,
            index,
            task: spec.task,
            signal,
            callbacks: config.callbacks,
            askConfidence: spec.askConfidence,
            onChunk: allChunks(onChunk, tally?.onChunk(index), options.onChunkOf?.(index)),
            structured: spec.structured,
            callOptions: invocation.options,
          });
        return traceMemberCall(tierSpan, member.name, providerOf(member.runnable), call);
      }
    },
    deadlineAt,
    tally,
    options.speculation
      ? (present) => {
          if (disagreement(present)) options.speculation?.start();
        }
      : undefined,
  );
  const costUsd = candidates.reduce((sum, candidate) => sum + candidate.costUsd, 0);
  endTierSpan(tierSpan, costUsd, candidates);
  // The ledger replaces this tier's hold (the crowd's, made before the run) or reservation (made by the router that
  // sent the query here) with the real cost, or charges the cost when there was none.
  if (options.settle !== false) await runLedger(spec, state, config).settle(tier, costUsd);
  if (spec.similarity) {
    const semantic = await semanticVote(candidates, spec.similarity, config.signal);
    const vote = majorityVote(semantic.candidates.map((candidate) => candidate.answer));
    // The largest cluster's medoid answers for it (the exact vote would take its first member).
    const winner =
      semantic.winner >= 0 && semantic.candidates[semantic.winner].answer === vote.key ? semantic.winner : vote.winner;
    return { tier, name: tierSpec.name, candidates: semantic.candidates, vote: { ...vote, winner }, costUsd };
  }
  return {
    tier,
    name: tierSpec.name,
    candidates,
    vote: majorityVote(candidates.map((candidate) => candidate.answer)),
    costUsd,
  };
}

/**
 * The `crowd` node (and the node of every middle tier): calls the tier's members under its schedule (`parallel`:
 * concurrently, so the tier costs the slowest member's latency; `anytime`/`waves`: until the answers settle the
 * decision, see `tierCalls`). A member's failure is kept on its candidate; the others' answers stay.
 */
export function makeCrowdNode(spec: PyramidSpec, tier: number) {
  return async (state: PyramidStateType, config: LangGraphRunnableConfig): Promise<PyramidUpdate> => {
    // A run without a ledger in its config gets one over the pyramid's budget, kept in the state for the next tiers.
    const own =
      tier > 0 || configLedger(config) || state.ledger ? {} : { ledger: new BudgetLedger({ shared: spec.budget }) };
    const ready = { ...state, ...own };
    const speculation = makeSpeculation(spec, tier, ready, config);
    const run = await runTier(spec, tier, ready, config, undefined, speculation ? { speculation } : {});
    return { tiers: [run], ...own, speculation: speculation?.started ? speculation : undefined };
  };
}
