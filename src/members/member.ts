import type { BaseMessage } from "@langchain/core/messages";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { Runnable } from "@langchain/core/runnables";
import type { Price } from "../cost/price.js";
import type { Semaphore } from "./semaphore.js";

/** A chat model (or a chat model with bound tools) that a tier calls. */
export type ChatRunnable = Runnable<BaseLanguageModelInput, BaseMessage>;

/** A tier member as given by the user: a chat model, or a chat model with settings. */
export type MemberInput =
  | ChatRunnable
  | {
      /** Name used in traces, prices and router feature positions. Default: the model's own name. */
      readonly name?: string;
      /** The chat model. */
      readonly model: ChatRunnable;
      /** USD per 1M tokens; overrides `prices[name]`. */
      readonly price?: Price;
      /** Per-call time limit in milliseconds (each attempt). Default: the pyramid's `memberTimeoutMs`, else 10 minutes. */
      readonly timeoutMs?: number;
      /** Retries on transient errors (429, 5xx, network, timeout). */
      readonly retries?: number;
      /** First backoff delay in milliseconds; doubles each retry. Default 250. */
      readonly backoffMs?: number;
      /** Randomize each backoff delay within its upper half, so that failing members do not retry in lockstep. */
      readonly jitter?: boolean;
      /**
       * At most this many calls of this member in flight at once, across batch and concurrent queries and across
       * every pyramid (and `bindTools` copy) that uses the same chat model object with the same limit.
       */
      readonly maxConcurrency?: number;
    };

/** A member with every setting resolved. */
export interface Member {
  /** Name used in traces and prices. */
  readonly name: string;
  /** The runnable that is called. */
  readonly runnable: ChatRunnable;
  /** Price, when known. */
  readonly price?: Price;
  /** Per-call time limit in milliseconds (each attempt; undefined only for members resolved by hand). */
  readonly timeoutMs?: number;
  /** Retries on transient errors. */
  readonly retries: number;
  /** First backoff delay in milliseconds. */
  readonly backoffMs: number;
  /** Whether backoff delays are randomized (equal jitter). */
  readonly jitter: boolean;
  /** Concurrency limiter, when `maxConcurrency` was given. */
  readonly limiter?: Semaphore;
  /** The settings as given, kept so that `bindTools` can rebuild the member around a new runnable. */
  readonly input: Exclude<MemberInput, ChatRunnable>;
}
