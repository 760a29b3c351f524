import type { LlamaModel, Token } from "node-llama-cpp";
import type { GrammarState } from "./grammar_state.js";

/** How a token can take part in grammar-constrained text. */
export type TokenKind = "text" | "eog" | "byte" | "never";

/**
 * The vocabulary of a model prepared for grammar checks: the text of every token (special-token text
 * included, as it reads after an ordinary token), sorted so that tokens sharing a prefix are checked together.
 */
export class GrammarVocabulary {
  /** Token texts in code-unit order. */
  readonly pieces: string[] = [];
  /** `tokens[i]` has text `pieces[i]`. */
  readonly tokens: Token[] = [];
  /** End-of-generation tokens. */
  readonly eog: Token[] = [];
  /** Tokens that are only part of a UTF-8 character (byte-fallback tokens). */
  readonly bytes: Token[] = [];
  private readonly kinds = new Map<Token, TokenKind>();
  private readonly textOf = new Map<Token, string>();

  /** Indexes `entries` (token, text, kind). */
  constructor(entries: Iterable<{ token: Token; text: string; kind: TokenKind }>) {
    const texts: { token: Token; text: string }[] = [];
    for (const { token, text, kind } of entries) {
      this.kinds.set(token, kind);
      if (kind === "eog") this.eog.push(token);
      else if (kind === "byte") this.bytes.push(token);
      else if (kind === "text") {
        this.textOf.set(token, text);
        texts.push({ token, text });
      }
    }
    texts.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : a.token - b.token));
    for (const { token, text } of texts) {
      this.pieces.push(text);
      this.tokens.push(token);
    }
  }

  /** The kind of `token` (`"never"` for control, unused and empty tokens). */
  kind(token: Token): TokenKind {
    return this.kinds.get(token) ?? "never";
  }

  /** The text of a `"text"` token as it reads after an ordinary token. */
  text(token: Token): string | undefined {
    return this.textOf.get(token);
  }

  /**
   * The `"text"` tokens whose whole text `state` allows next, or null as soon as more than `limit` are allowed.
   * Walks the sorted texts once, reusing the state of the prefix shared with the previous text and skipping
   * every text that starts with a prefix the grammar rejects.
   */
  allowedTextTokens(state: GrammarState, limit: number): Token[] | null {
    const allowed: Token[] = [];
    const states: GrammarState[] = [state];
    let previous = "";
    let i = 0;
    while (i < this.pieces.length) {
      const piece = this.pieces[i]!;
      const max = Math.min(previous.length, piece.length, states.length - 1);
      let shared = 0;
      while (shared < max && previous.charCodeAt(shared) === piece.charCodeAt(shared)) shared++;
      states.length = shared + 1;
      let depth = shared;
      let dead = false;
      for (; depth < piece.length; depth++) {
        const next = states[depth]!.step(piece.charCodeAt(depth));
        if (next === null) {
          dead = true;
          break;
        }
        states.push(next);
      }
      if (dead) {
        i = this.endOfPrefix(piece.slice(0, depth + 1), i);
        previous = piece.slice(0, depth);
        continue;
      }
      allowed.push(this.tokens[i]!);
      if (allowed.length > limit) return null;
      previous = piece;
      i++;
    }
    return allowed;
  }

  /** The first index after `from` whose text does not start with `prefix` (texts with a prefix are contiguous). */
  private endOfPrefix(prefix: string, from: number): number {
    let lo = from + 1;
    let hi = this.pieces.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const piece = this.pieces[mid]!;
      if (piece.startsWith(prefix) || piece < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const vocabularies = new WeakMap<LlamaModel, GrammarVocabulary>();

/** The grammar vocabulary of `model` (built on first use, then cached for the model's lifetime). */
export function grammarVocabulary(model: LlamaModel): GrammarVocabulary {
  let vocabulary = vocabularies.get(model);
  if (vocabulary === undefined) {
    vocabulary = new GrammarVocabulary(modelTokens(model));
    vocabularies.set(model, vocabulary);
  }
  return vocabulary;
}

function* modelTokens(model: LlamaModel): Generator<{ token: Token; text: string; kind: TokenKind }> {
  const anchor = model.tokenize("a", false).slice(-1);
  for (const token of model.iterateAllTokens()) {
    if (model.isEogToken(token)) {
      yield { token, text: "", kind: "eog" };
      continue;
    }
    const attributes = model.getTokenAttributes(token);
    if (attributes.control || attributes.unused || attributes.undefined || attributes.unknown) {
      yield { token, text: "", kind: "never" };
      continue;
    }
    const text = model.detokenize([token], true, anchor);
    yield { token, text, kind: text.length === 0 ? "never" : text.includes("\uFFFD") ? "byte" : "text" };
  }
}
