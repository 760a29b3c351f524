import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { FeedbackClaims } from "../redis/feedback_claims.js";

/** Environment variable holding the secret that binds trace ids to tenants (shared by the workers of a cluster). */
export const FEEDBACK_SECRET_ENV = "PYRAMID_FEEDBACK_SECRET";

/** Default number of labelled trace ids a server remembers to refuse a second label (about 100 bytes each). */
export const DEFAULT_FEEDBACK_REMEMBERED = 200_000;

/** Characters of the tag (base64url of HMAC-SHA256, 128 bits). */
const TAG_LENGTH = 22;

/**
 * The secret of a server's feedback handles: `explicit` when given, else one derived from the tenants' keys and the
 * bearer token (stable across restarts and shared by every process with the same keys, unknown to any one tenant),
 * else a random one for this process.
 */
export function feedbackSecret(explicit: string | undefined, keys: readonly string[]): Buffer {
  if (explicit !== undefined && explicit.length > 0) return Buffer.from(explicit, "utf8");
  if (keys.length === 0) return randomBytes(32);
  const hash = createHash("sha256").update("pyramid-moa feedback handles\u0000");
  for (const key of [...keys].sort()) hash.update(key).update("\u0000");
  return hash.digest();
}

/**
 * Binds the trace ids a server hands out to the tenant that asked: the client sees `<traceId>.<tag>`, the tag an
 * HMAC of the tenant's name and the id under the server's secret, so `POST /v1/feedback` can tell, without any
 * shared state, that the handle was issued by this server (or one with the same secret) to this tenant. It also
 * remembers the ids already labelled, so each answer is labelled at most once: in `shared` claims (Redis: every
 * server on it), else in this process (the newest `remembered`).
 */
export class FeedbackIds {
  private readonly labelled = new Set<string>();

  /**
   * `secret` from {@link feedbackSecret}; `remembered` labelled ids kept in this process (default
   * {@link DEFAULT_FEEDBACK_REMEMBERED}); `shared` claims replace that memory.
   */
  constructor(
    private readonly secret: Buffer,
    private readonly remembered: number = DEFAULT_FEEDBACK_REMEMBERED,
    private readonly shared?: FeedbackClaims,
  ) {}

  private tag(traceId: string, tenant: string): string {
    return createHmac("sha256", this.secret)
      .update(`${tenant}\u0000${traceId}`)
      .digest("base64url")
      .slice(0, TAG_LENGTH);
  }

  /** The handle a client of `tenant` gets for the trace id `traceId`. */
  issue(traceId: string, tenant: string): string {
    return `${traceId}.${this.tag(traceId, tenant)}`;
  }

  /** The trace id of a handle issued to `tenant`, or undefined (made up, altered, or another tenant's). */
  verify(handle: string, tenant: string): string | undefined {
    const dot = handle.lastIndexOf(".");
    if (dot <= 0) return undefined;
    const traceId = handle.slice(0, dot);
    const given = Buffer.from(handle.slice(dot + 1));
    const expected = Buffer.from(this.tag(traceId, tenant));
    return given.length === expected.length && timingSafeEqual(given, expected) ? traceId : undefined;
  }

  /** Marks `traceId` labelled; false when it already was. */
  async claim(traceId: string): Promise<boolean> {
    if (this.shared) return this.shared.claim(traceId);
    if (this.labelled.has(traceId)) return false;
    this.labelled.add(traceId);
    if (this.labelled.size > this.remembered) {
      const oldest = this.labelled.values().next();
      if (!oldest.done) this.labelled.delete(oldest.value);
    }
    return true;
  }
}
