import type { LlamaModel, Token } from "node-llama-cpp";
import { TokenTextDecoder } from "../text_stream.js";
import type { Grammar } from "./grammar.js";
import { GrammarState } from "./grammar_state.js";
import { grammarVocabulary, type GrammarVocabulary } from "./vocabulary.js";

/**
 * Which logits a constrained step needs: exactly the allowed `tokens` (few of them), the most likely tokens
 * (`"top"`: most tokens are allowed, so one of the top candidates nearly always is), or the whole vocabulary
 * (`"all"`: the first step, whose token texts read differently, and the retry after a miss).
 */
export type ConstrainedPlan = { kind: "tokens"; tokens: Token[] } | { kind: "top" } | { kind: "all" };

/** Largest allowed-token set requested by token list (llama.cpp filters logits in O(vocabulary x list)). */
const MAX_LISTED_TOKENS = 32;

/** U+FFFD stands for "some non-ASCII character" when checking byte-fallback tokens. */
const NON_ASCII_PROBE = 0xfffd;

/**
 * Keeps generated tokens inside a grammar: says which tokens may come next and follows the text as tokens
 * are accepted. Tokens are checked by their text; a byte-fallback token (part of a UTF-8 character) is allowed
 * where a non-ASCII character is, and the character is checked once complete. End-of-generation tokens are
 * allowed only where the grammar accepts the text so far.
 */
export class GrammarTokenConstraint {
  private state: GrammarState;
  private readonly vocabulary: GrammarVocabulary;
  private readonly bytes: TokenTextDecoder;
  private pendingBytes = 0;
  private first = true;
  /** How many tokens the text returned by the last `accept` covers (0 while a character is incomplete). */
  lastCount = 0;

  constructor(
    private readonly model: LlamaModel,
    grammar: Grammar,
  ) {
    this.state = GrammarState.initial(grammar);
    this.vocabulary = grammarVocabulary(model);
    this.bytes = new TokenTextDecoder(model);
  }

  /** Whether the text is complete and nothing may follow (generation should stop). */
  get done(): boolean {
    return this.pendingBytes === 0 && this.state.done;
  }

  /** Whether the grammar allows any continuation from here on (constraining can stop). */
  get free(): boolean {
    return this.pendingBytes === 0 && this.state.free;
  }

  /** The logits the next step needs. */
  plan(): ConstrainedPlan {
    if (this.first) return { kind: "all" };
    if (this.pendingBytes > 0) return { kind: "tokens", tokens: this.vocabulary.bytes };
    const text = this.vocabulary.allowedTextTokens(this.state, MAX_LISTED_TOKENS);
    if (text === null) return { kind: "top" };
    const tokens = [...text];
    if (this.state.accepting) tokens.push(...this.vocabulary.eog);
    if (this.vocabulary.bytes.length > 0 && this.state.step(NON_ASCII_PROBE) !== null) {
      if (tokens.length + this.vocabulary.bytes.length > MAX_LISTED_TOKENS) return { kind: "top" };
      tokens.push(...this.vocabulary.bytes);
    }
    return { kind: "tokens", tokens };
  }

  /** Whether `token` may come next. */
  allows(token: Token): boolean {
    const kind = this.vocabulary.kind(token);
    if (this.pendingBytes > 0) return kind === "byte";
    if (kind === "eog") return this.state.accepting;
    if (kind === "byte") return this.state.step(NON_ASCII_PROBE) !== null;
    if (kind === "never") return false;
    const text = this.textOf(token);
    return text.length > 0 && this.state.advance(text) !== null;
  }

  /**
   * Records `token` (which `allows` accepted) and returns the text it adds: its own text, or for byte-fallback
   * tokens the character once complete ("" before). Throws a RangeError if the text breaks the grammar.
   */
  accept(token: Token): string {
    const kind = this.vocabulary.kind(token);
    let text: string;
    if (kind === "byte" || this.pendingBytes > 0) {
      this.pendingBytes++;
      text = this.bytes.push(token);
      this.lastCount = this.bytes.lastCount;
      if (text.length === 0) return "";
      this.pendingBytes = 0;
    } else {
      text = this.textOf(token);
      this.lastCount = 1;
    }
    const next = this.state.advance(text);
    if (next === null) throw new RangeError(`the text ${JSON.stringify(text)} does not fit the grammar`);
    this.state = next;
    this.first = false;
    return text;
  }

  /** A token's text where it stands: the first token of an answer reads without the space an ordinary token would give it. */
  private textOf(token: Token): string {
    if (this.first) return this.model.detokenize([token], true);
    return this.vocabulary.text(token) ?? "";
  }
}
