import { knownSecretLiterals, redactSecrets, secretSpans } from "./redact.js";

/**
 * The tail of a text that may still grow into something {@link redactSecrets} masks: a run of token characters,
 * with a `Bearer ` or a `name: ` / `name=` before it (a token shape or a named value cut by a chunk boundary).
 */
const TRAILING_TOKEN = /(?:\bBearer\s+|\b[A-Za-z][\w-]{0,40}["']?\s{0,3}[:=]\s{0,3}["']?)?[A-Za-z0-9._~+/=-]*$/i;

/** Characters of a trailing token run held back at most (beyond the longest known secret). */
const MAX_TOKEN_HOLD = 512;

/**
 * Masks secrets in a text that arrives in pieces (a streamed answer): each {@link push} returns the part that can be
 * sent now, holding back only what may be the beginning of a secret (a tail that starts a known secret, or a
 * trailing run of token characters) and never cutting through a secret, so a key split over two chunks is masked
 * like one in a single chunk; {@link flush} returns the rest.
 */
export class StreamRedactor {
  private buffer = "";
  private readonly literals = knownSecretLiterals();
  /** The secrets known when the stream started, so each piece does not scan the environment again. */
  private readonly known = { extraSecrets: this.literals, env: {} };
  /** Most characters held back: a run of token characters longer than this is no key (and would make pushes slow). */
  private readonly maxHold = MAX_TOKEN_HOLD + this.literals.reduce((longest, s) => Math.max(longest, s.length), 0);

  /** Adds `text`; returns what can be sent now, secrets masked (possibly empty). */
  push(text: string): string {
    this.buffer += text;
    const buffer = this.buffer;
    let cut = TRAILING_TOKEN.exec(buffer)?.index ?? buffer.length;
    for (const secret of this.literals) {
      for (let k = Math.min(secret.length - 1, buffer.length); k > 0; k--) {
        if (buffer.endsWith(secret.slice(0, k))) {
          cut = Math.min(cut, buffer.length - k);
          break;
        }
      }
    }
    if (buffer.length - cut > this.maxHold) cut = buffer.length - this.maxHold;
    const spans = secretSpans(buffer, this.known);
    let moved = true;
    while (moved) {
      moved = false;
      for (const [start, end] of spans) {
        if (start < cut && end > cut) {
          cut = start;
          moved = true;
        }
      }
    }
    if (cut <= 0) return "";
    this.buffer = buffer.slice(cut);
    return redactSecrets(buffer.slice(0, cut), this.known);
  }

  /** What is left, secrets masked. */
  flush(): string {
    const out = redactSecrets(this.buffer, this.known);
    this.buffer = "";
    return out;
  }
}
