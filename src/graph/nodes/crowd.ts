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
import { estimateTokens, messageText } from "../../cost/usage.js";

/** The chat model's LangChain type (`openai`, `llama-cpp`, ...) as the GenAI provider name, when it has one. */
function providerOf(runnable: unknown): string | undefined {
  const llmType = (runnable as { _llmType?: () => unknown })._llmType;
  if (typeof llmType !== "function") return undefined;
  const value: unknown = llmType.call(runnable);
  return typeof value === "string" ? value : undefined;
}

/** One `onChunk` calling both (undefined when neither is given). */
function bothChunks(
  a: ((chunk: AIMessageChunk) => void) | undefined,
  b: ((chunk: AIMessageChunk) => void) | undefined,
): ((chunk: AIMessageChunk) => void) | undefined {
  if (!a || !b) return a ?? b;
  return (chunk) => {
    a(chunk);
    b(chunk);
  };
}

/** Runs the members of tier `tier` under its schedule (`parallel`: all concurrently) and returns the tier run (candidates, vote, cost). */
export async function runTier(
  spec: PyramidSpec,
  tier: number,
  state: PyramidStateType,
  config: LangGraphRunnableConfig,
  onChunk?: (chunk: AIMessageChunk) => void,
): Promise<TierRun> {
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
    config.signal,
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
            onChunk: bothChunks(onChunk, tally?.onChunk(index)),
            structured: spec.structured,
            callOptions: invocation.options,
          });
        return traceMemberCall(tierSpan, member.name, providerOf(member.runnable), call);
      }
    },
    deadlineAt,
    tally,
  );
  const costUsd = candidates.reduce((sum, candidate) => sum + candidate.costUsd, 0);
  endTierSpan(tierSpan, costUsd, candidates);
  // The ledger replaces this tier's hold (the crowd's, made before the run) or reservation (made by the router that
  // sent the query here) with the real cost, or charges the cost when there was none.
  await runLedger(spec, state, config).settle(tier, costUsd);
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
    if (tier > 0 || configLedger(config) || state.ledger) return { tiers: [await runTier(spec, tier, state, config)] };
    const ledger = new BudgetLedger({ shared: spec.budget });
    return { tiers: [await runTier(spec, tier, { ...state, ledger }, config)], ledger };
  };
}
