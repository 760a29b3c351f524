import { longestSecretLength, redactSecrets, secretSpans } from "./redact.js";

/** Characters held back at least, so that a token shape (`sk-...`, `Bearer ...`) split over chunks is still seen whole. */
const MIN_HOLDBACK = 96;

/**
 * Masks secrets in a text that arrives in pieces (a streamed answer): each {@link push} returns the part that can be
 * sent, holding back the last characters (at least the longest known secret, and 96) and never cutting through a
 * secret, so a key split over two chunks is masked like one in a single chunk; {@link flush} returns the rest.
 */
export class StreamRedactor {
  private buffer = "";
  private readonly holdback: number;

  /** `holdback` characters kept back at least (default: the longest known secret, at least 96). */
  constructor(holdback?: number) {
    this.holdback = holdback ?? Math.max(MIN_HOLDBACK, longestSecretLength());
  }

  /** Adds `text`; returns what can be sent now, secrets masked (possibly empty). */
  push(text: string): string {
    this.buffer += text;
    let cut = this.buffer.length - this.holdback;
    if (cut <= 0) return "";
    const spans = secretSpans(this.buffer);
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
    const out = this.buffer.slice(0, cut);
    this.buffer = this.buffer.slice(cut);
    return redactSecrets(out);
  }

  /** What is left, secrets masked. */
  flush(): string {
    const out = redactSecrets(this.buffer);
    this.buffer = "";
    return out;
  }
}
