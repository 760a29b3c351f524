import type { LlamaModel, Token } from "node-llama-cpp";

/**
 * Turns generated tokens into text one token at a time. A token that ends inside a multi-byte UTF-8
 * character is held until the character is complete, so no chunk ever carries a broken character.
 */
export class TokenTextDecoder {
  private pending: Token[] = [];
  private history: Token[] = [];
  /** How many tokens the text returned by the last `push` covers (0 while held back). */
  lastCount = 0;

  constructor(private readonly model: LlamaModel) {}

  /** Adds one token; returns the text it completes ("" while a character is still incomplete). */
  push(token: Token): string {
    this.pending.push(token);
    const text = this.model.detokenize(this.pending, false, this.history);
    if (text.endsWith("\uFFFD") && this.pending.length < 4) {
      this.lastCount = 0;
      return "";
    }
    this.lastCount = this.pending.length;
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
    this.history = this.history.concat(this.pending).slice(-4);
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

/** A token's text and UTF-8 bytes (bytes are null when the token is part of a multi-byte character). */
export interface TokenPiece {
  /** Text of the token when it follows an ordinary token (keeps a leading space). */
  text: string;
  /** UTF-8 bytes of `text`, or null when the token alone is not valid UTF-8. */
  bytes: number[] | null;
}

const pieceCaches = new WeakMap<LlamaModel, { anchor: Token[]; pieces: Map<Token, TokenPiece> }>();

/**
 * The text of `token` as it reads after an ordinary token (so a word-initial token keeps its space),
 * cached per model: log-probability entries need the text of several candidate tokens per step.
 */
export function tokenPiece(model: LlamaModel, token: Token): TokenPiece {
  let cache = pieceCaches.get(model);
  if (cache === undefined) {
    cache = { anchor: model.tokenize("a", false).slice(-1), pieces: new Map() };
    pieceCaches.set(model, cache);
  }
  let piece = cache.pieces.get(token);
  if (piece === undefined) {
    const text = model.detokenize([token], false, cache.anchor);
    piece = { text, bytes: text.includes("\uFFFD") ? null : Array.from(Buffer.from(text, "utf8")) };
    cache.pieces.set(token, piece);
  }
  return piece;
}
