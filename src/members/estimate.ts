import type { BaseMessage } from "@langchain/core/messages";
import type { Candidate } from "../core/types.js";
import type { Member } from "./member.js";
import { CHARS_PER_TOKEN, messageText } from "../cost/usage.js";

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
