import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { AIMessageChunk } from "@langchain/core/messages";
import { ModelCallError, ReplayMissError } from "../../errors/index.js";
import type { PyramidSpec } from "../spec.js";
import type { PyramidStateType, PyramidTokenEvent, PyramidUpdate } from "../state.js";
import { runTier } from "./crowd.js";

/**
 * The `oracle` node (the apex tier). When the graph is streamed and the apex has a single member, its
 * tokens are forwarded as they come through the graph's custom stream ({@link PyramidTokenEvent}). When every
 * apex member fails: with `onApexError: "throw"` the query fails; with `"crowd"` the best lower tier's answer is
 * returned and the result is marked `degraded`.
 */
export function makeOracleNode(spec: PyramidSpec) {
  const tier = spec.tiers.length - 1;
  return async (state: PyramidStateType, config: LangGraphRunnableConfig): Promise<PyramidUpdate> => {
    const streamLive = state.stream && spec.tiers[tier].members.length === 1 && typeof config.writer === "function";
    const onChunk = streamLive
      ? (chunk: AIMessageChunk) => {
          const event: PyramidTokenEvent = { type: "pyramid.token", tier, chunk };
          config.writer?.(event);
        }
      : undefined;
    const run = await runTier(spec, tier, state, config, onChunk);
    const failures = run.candidates.filter(
      (candidate) => candidate.error !== undefined || candidate.invalid !== undefined,
    );
    if (failures.length < run.candidates.length) return { tiers: [run] };
    // A member's error text may carry its own "Fix: ..." part: listed once, as the error's fix, not inside it.
    const parts = failures.map((candidate) => splitFix(candidate.error ?? candidate.invalid ?? ""));
    const errors = failures.map((candidate, i) => `${candidate.model}: ${parts[i].message}`).join("; ");
    const memberFixes = [...new Set(parts.flatMap((part) => (part.fix ? [part.fix] : [])))];
    const hasLowerAnswer = state.tiers.some((lower) => lower.vote.key !== null);
    const allCallsFailed = run.candidates.every((candidate) => candidate.error !== undefined);
    // The apex answered but unusably (an invalid tool call, no object of the schema) and no tier below has an
    // answer: its output is returned as it is, as a single model's would be (and LangChain's parsers judge it).
    if (!allCallsFailed && !hasLowerAnswer) return { tiers: [run] };
    if (!hasLowerAnswer && failures.every((candidate) => candidate.error?.startsWith("ReplayMissError:"))) {
      // Replayed models asked an unrecorded prompt: the request's fault, not the models' availability.
      throw new ReplayMissError(`no replayed model has a recorded answer to this prompt (${errors})`, {
        fix: memberFixes[0] ?? "send a recorded prompt",
      });
    }
    if (spec.onApexError === "throw" || !hasLowerAnswer) {
      throw new ModelCallError(spec.tiers[tier].name, `every member of the apex tier failed (${errors})`, {
        fix: hasLowerAnswer
          ? 'set onApexError: "crowd" to fall back to the crowd\'s answer'
          : memberFixes.length === 1
            ? memberFixes[0]
            : "no tier produced an answer; check the models' availability",
      });
    }
    return { tiers: [run], degraded: `apex failed: ${errors}` };
  };
}

/** A PyramidError's text split into its message and its "Fix: ..." part. */
function splitFix(text: string): { message: string; fix?: string } {
  const at = text.lastIndexOf(" Fix: ");
  return at < 0 ? { message: text } : { message: text.slice(0, at), fix: text.slice(at + " Fix: ".length) };
}
