import type { LlamaModel, Token } from "node-llama-cpp";

/**
 * Turns generated tokens into text one token at a time. A token that ends inside a multi-byte UTF-8
 * character is held until the character is complete, so no chunk ever carries a broken character.
 */
export class TokenTextDecoder {
  private pending: Token[] = [];
  private history: Token[] = [];

  constructor(private readonly model: LlamaModel) {}

  /** Adds one token; returns the text it completes ("" while a character is still incomplete). */
  push(token: Token): string {
    this.pending.push(token);
    const text = this.model.detokenize(this.pending, false, this.history);
    if (text.endsWith("\uFFFD") && this.pending.length < 4) return "";
    this.commit();
    return text;
  }

  /** The text of any tokens still held back. */
  flush(): string {
    if (this.pending.length === 0) return "";
    const text = this.model.detokenize(this.pending, false, this.history);
    this.commit();
    return text;
  }

  private commit(): void {
    this.history = this.history.concat(this.pending).slice(-16);
    this.pending = [];
  }
}

/** Result of feeding text to a `StopSequenceMatcher`. */
export interface StopMatch {
  /** Text that can be shown now. */
  text: string;
  /** Whether a stop sequence was found (generation must end; `text` is everything before it). */
  stopped: boolean;
}

/**
 * Finds stop sequences in streamed text. Text that could be the beginning of a stop sequence is held
 * back until it is known not to be one, so stop sequences never leak into the output.
 */
export class StopSequenceMatcher {
  private buffer = "";

  constructor(private readonly stops: readonly string[]) {}

  /** Adds text; returns the part that is safe to show and whether a stop sequence completed. */
  push(text: string): StopMatch {
    if (this.stops.length === 0) return { text, stopped: false };
    this.buffer += text;
    let earliest = -1;
    for (const stop of this.stops) {
      const index = this.buffer.indexOf(stop);
      if (index >= 0 && (earliest < 0 || index < earliest)) earliest = index;
    }
    if (earliest >= 0) {
      const out = this.buffer.slice(0, earliest);
      this.buffer = "";
      return { text: out, stopped: true };
    }
    let hold = 0;
    for (const stop of this.stops) {
      const max = Math.min(stop.length - 1, this.buffer.length);
      for (let n = max; n > hold; n--) {
        if (this.buffer.endsWith(stop.slice(0, n))) {
          hold = n;
          break;
        }
      }
    }
    const out = this.buffer.slice(0, this.buffer.length - hold);
    this.buffer = this.buffer.slice(this.buffer.length - hold);
    return { text: out, stopped: false };
  }

  /** The held-back text, released at the end of generation. */
  flush(): string {
    const out = this.buffer;
    this.buffer = "";
    return out;
  }
}
