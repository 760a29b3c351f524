import { RedisScript } from "./connection.js";
import type { RedisConnection } from "./connection.js";

/** How long a labelled trace id is remembered in Redis by default: 30 days. */
export const DEFAULT_FEEDBACK_CLAIM_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** Remembers which answers have been labelled, so each gets at most one label. */
export interface FeedbackClaims {
  /** Marks `traceId` labelled; false when it already was. */
  claim(traceId: string): Promise<boolean>;
}

/** KEYS: the id's key. ARGV: TTL in ms. */
const CLAIM_SCRIPT = new RedisScript(
  "if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 else return 0 end",
);

/**
 * {@link FeedbackClaims} kept in Redis (one `SET NX` per label, expiring after `ttlMs`): every server on the same
 * Redis refuses a second label of the same answer, whichever process took the first.
 */
export class RedisFeedbackClaims implements FeedbackClaims {
  /** Claims on an open connection; keys start with `{prefix}` (default `pyramid-moa`). */
  constructor(
    readonly redis: RedisConnection,
    private readonly ttlMs: number = DEFAULT_FEEDBACK_CLAIM_TTL_MS,
    private readonly prefix = "pyramid-moa",
  ) {}

  async claim(traceId: string): Promise<boolean> {
    const reply = await CLAIM_SCRIPT.run(this.redis, [`{${this.prefix}}:feedback:${traceId}`], [this.ttlMs]);
    return Number(reply) === 1;
  }
}
