import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { messageText } from "../../cost/usage.js";
import { CONFIDENCE_INSTRUCTION } from "../../members/confidence.js";
import type { Candidate } from "../../core/types.js";
import type { GenerativePrompt } from "./generative_prompt.js";

/**
 * Adds `extra` to the conversation's system instructions: appended to the first message when it is a system
 * message, otherwise as a new leading system message. The rest of the conversation is left untouched, so
 * tool-calling turns stay valid.
 */
export function withSystemText(messages: readonly BaseMessage[], extra: string): BaseMessage[] {
  const [first, ...rest] = messages;
  if (first && SystemMessage.isInstance(first)) {
    return [new SystemMessage(`${messageText(first)}\n\n${extra}`), ...rest];
  }
  return [new SystemMessage(extra), ...messages];
}

/**
 * The messages a tier's members receive: the user's messages, untouched; in generative mode (tiers above the crowd)
 * followed by one user-role message holding the lower tiers' candidates framed as untrusted data (never in the
 * client's system message, whose authority a candidate must not borrow); with the confidence instruction when it is
 * asked for.
 */
export function tierPrompt(
  messages: readonly BaseMessage[],
  options: {
    readonly lowerCandidates?: readonly Candidate[];
    readonly generativePrompt?: GenerativePrompt;
    readonly askConfidence?: boolean;
  },
): BaseMessage[] {
  let prompt = [...messages];
  if (options.lowerCandidates && options.generativePrompt && options.lowerCandidates.some((c) => !c.error)) {
    prompt = [...prompt, new HumanMessage(options.generativePrompt(options.lowerCandidates))];
  }
  if (options.askConfidence) {
    const last = prompt[prompt.length - 1];
    if (last && HumanMessage.isInstance(last)) {
      prompt = [...prompt.slice(0, -1), new HumanMessage(`${messageText(last)}\n\n${CONFIDENCE_INSTRUCTION}`)];
    } else {
      prompt = withSystemText(prompt, CONFIDENCE_INSTRUCTION);
    }
  }
  return prompt;
}
