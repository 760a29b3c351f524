import type { BaseMessage } from "@langchain/core/messages";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import { Runnable } from "@langchain/core/runnables";
import { z } from "zod";
import { priceSchema } from "../cost/price.js";
import type { Price } from "../cost/price.js";
import type { Semaphore } from "./semaphore.js";

/** A chat model (or a chat model with bound tools) that a tier calls. */
export type ChatRunnable = Runnable<BaseLanguageModelInput, BaseMessage>;

/** Whether a value is a LangChain runnable (chat model or bound chat model). */
export function isChatRunnable(value: unknown): value is ChatRunnable {
  return Runnable.isRunnable(value);
}

/**
 * The settings of one member that are plain data, as zod fields: the same fields, limits and messages for a member
 * given in code (`{ model, ...settings }`) and for a member of `pyramid.config.json` (`{ provider, model, ...settings }`).
 */
export const memberSettingsShape = {
  name: z
    .string()
    .min(1, "must be a non-empty name")
    .optional()
    .describe("name in traces, prices and router feature positions (default: `model`); must be unique in the file"),
  price: priceSchema
    .strict()
    .optional()
    .describe(
      "`{ input, output }` in USD per 1M tokens; overrides `prices[name]` (default: guessed from the parameter count in the name, e.g. `70B`)",
    ),
  timeoutMs: z
    .number()
    .int("must be a whole number of milliseconds")
    .positive("must be a positive number of milliseconds")
    .optional()
    .describe(
      "per-call time limit in milliseconds, each attempt (default: the pyramid's `memberTimeoutMs`, else 10 minutes)",
    ),
  retries: z
    .number()
    .int()
    .min(0)
    .max(10, "must be at most 10 (each retry doubles the backoff)")
    .optional()
    .describe(
      "retries on transient errors (429, 5xx, network, timeout), with exponential backoff (default: the pyramid's `memberRetries`, else 0)",
    ),
  backoffMs: z
    .number()
    .min(0)
    .optional()
    .describe("first retry delay in milliseconds, doubled each retry (default 250)"),
  jitter: z
    .boolean()
    .optional()
    .describe("randomize each backoff delay within its upper half, so that failing members do not retry in lockstep"),
  maxConcurrency: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "at most this many calls of this member in flight at once, across batch and concurrent queries and across every pyramid (and `bindTools` copy) that uses the same chat model object with the same limit",
    ),
  maxOutputTokens: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      "the most output tokens one call can produce, for budget holds (a tenant's crowd hold, an escalation's reservation; docs/ledger.md); default: the chat model's own `maxTokens`, else 4096. A call that writes more is still settled with its real cost",
    ),
};

/** The names of `memberSettingsShape`'s fields. */
export const MEMBER_SETTING_KEYS = Object.keys(memberSettingsShape) as readonly (keyof typeof memberSettingsShape)[];

/** zod schema of a member given in code with settings: `{ model, name?, price?, timeoutMs?, ... }`. */
export const memberWithSettingsSchema = z
  .object({
    ...memberSettingsShape,
    /** The chat model. */
    model: z.custom<ChatRunnable>(isChatRunnable, { message: "expected a LangChain chat model" }),
  })
  .strict()
  .readonly();

/** zod schema of {@link MemberInput}: a chat model, or a chat model with settings. */
export const memberInputSchema = z.union([
  z.custom<ChatRunnable>(isChatRunnable, { message: "expected a LangChain chat model" }),
  memberWithSettingsSchema,
]);

/** A tier member as given by the user: a chat model, or a chat model with settings (see `memberSettingsShape`). */
export type MemberInput = z.input<typeof memberInputSchema>;

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
  /** The `maxOutputTokens` setting, when given (see `maxOutputTokensOf` in `members/estimate.ts`). */
  readonly maxOutputTokens?: number;
  /** Concurrency limiter, when `maxConcurrency` was given. */
  readonly limiter?: Semaphore;
  /** The settings as given, kept so that `bindTools` can rebuild the member around a new runnable. */
  readonly input: Exclude<MemberInput, ChatRunnable>;
}
