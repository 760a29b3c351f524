import type { BaseMessage } from "@langchain/core/messages";
import type { Candidate } from "../core/types.js";
import type { Member } from "./member.js";
import { CHARS_PER_TOKEN, messageText } from "../cost/usage.js";
import { underlyingChatModel } from "./underlying.js";

/** Input and output tokens expected of one call on this query, from what the members that ran used. */
export function expectedCallTokens(
  messages: readonly BaseMessage[],
  ran: readonly Candidate[],
): { input: number; output: number } {
  const answered = ran.filter((candidate) => candidate.error === undefined);
  const promptTokens = Math.ceil(messages.reduce((sum, m) => sum + messageText(m).length, 0) / CHARS_PER_TOKEN);
  if (answered.length === 0) return { input: promptTokens, output: promptTokens };
  const input = Math.max(...answered.map((candidate) => candidate.usage.input));
  const output = answered.reduce((sum, candidate) => sum + candidate.usage.output, 0) / answered.length;
  return { input, output };
}

/**
 * Estimated USD cost of calling `members` on this query: the input tokens the lower tier used and its mean
 * output tokens, at the members' prices. Used for budgets and for the Oracle-only cost when the Oracle was
 * not called.
 */
export function estimateTierCost(
  members: readonly Member[],
  messages: readonly BaseMessage[],
  ran: readonly Candidate[],
): number {
  const { input, output } = expectedCallTokens(messages, ran);
  return members.reduce(
    (sum, member) => sum + (member.price ? (input * member.price.input + output * member.price.output) / 1e6 : 0),
    0,
  );
}

/** Output tokens a budget hold assumes for a member that gives no `maxOutputTokens` and whose model has no `maxTokens`. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4096;

/**
 * The most output tokens one call of `member` can produce: its `maxOutputTokens` setting, else its chat model's own
 * `maxTokens` (when a positive number), else {@link DEFAULT_MAX_OUTPUT_TOKENS}.
 */
export function maxOutputTokensOf(member: Member): number {
  if (member.maxOutputTokens !== undefined) return member.maxOutputTokens;
  const own = (underlyingChatModel(member.runnable) as { maxTokens?: unknown } | undefined)?.maxTokens;
  return typeof own === "number" && Number.isFinite(own) && own > 0 ? own : DEFAULT_MAX_OUTPUT_TOKENS;
}

/**
 * The most calling `members` on this query can cost (USD), for budget holds: every member writing its
 * `maxOutputTokensOf` (the output is what a hostile or verbose answer can blow up). Its prompt: above the first
 * tier, the largest prompt a member of the lower tier was billed for (plus every candidate it wrote, with
 * `withCandidates`: a generative prompt); for the first tier, the prompt's estimate ({@link CHARS_PER_TOKEN}
 * characters a token). Settled with the real cost once the tier answered.
 */
export function worstCaseTierCost(
  members: readonly Member[],
  messages: readonly BaseMessage[],
  ran: readonly Candidate[],
  withCandidates = false,
): number {
  const answered = ran.filter((candidate) => candidate.error === undefined);
  const fromPrompt = Math.ceil(messages.reduce((sum, m) => sum + messageText(m).length, 0) / CHARS_PER_TOKEN);
  const lowerInput = Math.max(0, ...answered.map((c) => c.usage.input));
  const written = withCandidates ? answered.reduce((sum, c) => sum + c.usage.output, 0) : 0;
  const input = answered.length > 0 ? lowerInput + written : fromPrompt;
  return members.reduce(
    (sum, member) =>
      sum + (member.price ? (input * member.price.input + maxOutputTokensOf(member) * member.price.output) / 1e6 : 0),
    0,
  );
}
