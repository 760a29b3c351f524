import type { AIMessageChunk } from "@langchain/core/messages";
import { extractAnswer } from "../../answers/extract.js";
import type { AnswerTask } from "../../answers/types.js";
import type { Price } from "../../cost/price.js";
import { costOf, estimateTokens, messageText } from "../../cost/usage.js";

/**
 * What the members of one tier streamed so far, by member index: the text and (estimated) tokens of a call that is
 * cut or cancelled, so that it is charged as far as it went and, when no member answered by the query's deadline,
 * its partial output can stand as the best answer held.
 */
export class StreamTally {
  private readonly texts = new Map<number, string>();

  /** The prompt's estimated input tokens (charged to every call started). */
  constructor(readonly inputTokens: number) {}

  /** The `onChunk` of member `index`'s call: appends the chunk's text. */
  onChunk(index: number): (chunk: AIMessageChunk) => void {
    return (chunk) => {
      this.texts.set(index, (this.texts.get(index) ?? "") + messageText(chunk));
    };
  }

  /** The text member `index` has streamed so far ("" when none). */
  text(index: number): string {
    return this.texts.get(index) ?? "";
  }

  /** Estimated output tokens member `index` has streamed so far. */
  outputTokens(index: number): number {
    return estimateTokens(this.text(index));
  }

  /**
   * USD of member `index`'s call cut now: its input and the output streamed so far at `price` (`fallbackUsd`, the
   * member's estimate, when nothing was streamed and the call may have run without streaming).
   */
  partialCostUsd(index: number, price: Price | undefined, fallbackUsd = 0): number {
    const output = this.outputTokens(index);
    if (output === 0 && fallbackUsd > 0) return fallbackUsd;
    return costOf({ input: this.inputTokens, output, estimated: true }, price);
  }

  /** The answer in member `index`'s partial output, if one can be extracted from it. */
  partialAnswer(index: number, task: AnswerTask): { key: string; display: string } | null {
    const text = this.text(index);
    if (text.trim() === "") return null;
    const extracted = extractAnswer(text, task);
    return extracted ? { key: extracted.key, display: extracted.display } : null;
  }
}
