import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { defaultPriceFor } from "../cost/price.js";
import type { Price } from "../cost/price.js";
import { isChatRunnable } from "./member.js";
import type { ChatRunnable, Member, MemberInput } from "./member.js";
import { Semaphore } from "./semaphore.js";

/**
 * Per-call time limit of a member that sets none (and of a pyramid without `memberTimeoutMs`): 10 minutes,
 * a ceiling so that a hung connection can never hang a query forever. Set your own, much lower, in production.
 */
export const DEFAULT_MEMBER_TIMEOUT_MS = 600_000;

/** Defaults applied to members that do not set their own. */
export interface MemberDefaults {
  /** Per-call time limit in milliseconds. */
  readonly timeoutMs?: number;
  /** Retries on transient errors. */
  readonly retries?: number;
  /** First backoff delay in milliseconds. */
  readonly backoffMs?: number;
  /** Randomized backoff delays. */
  readonly jitter?: boolean;
}

/** The name LangChain tracing uses for a chat model: its `ls_model_name`, else its class name. */
export function modelName(runnable: ChatRunnable): string {
  if (runnable instanceof BaseChatModel) {
    const params = runnable.getLsParams({} as never);
    if (params.ls_model_name) return params.ls_model_name;
  }
  const bound = (runnable as { bound?: unknown }).bound;
  if (isChatRunnable(bound) && bound !== runnable) return modelName(bound);
  return runnable.getName();
}

const limiters = new WeakMap<object, Map<number, Semaphore>>();

/** The chat model under any `bindTools`/`withConfig` bindings. */
function baseModel(runnable: ChatRunnable): object {
  let current: ChatRunnable = runnable;
  for (;;) {
    const bound = (current as { bound?: unknown }).bound;
    if (!isChatRunnable(bound) || bound === current) return current;
    current = bound;
  }
}

/**
 * The concurrency limiter of `model` for `maxConcurrency`: one per underlying chat model object and limit,
 * shared by every member that wraps it (a pyramid and its `bindTools` copy, several pyramids, several tiers),
 * so that the limit protects the model's endpoint however many pyramids call it.
 */
export function limiterFor(model: ChatRunnable, maxConcurrency: number): Semaphore {
  const key = baseModel(model);
  let byLimit = limiters.get(key);
  if (!byLimit) {
    byLimit = new Map();
    limiters.set(key, byLimit);
  }
  let limiter = byLimit.get(maxConcurrency);
  if (!limiter) {
    limiter = new Semaphore(maxConcurrency);
    byLimit.set(maxConcurrency, limiter);
  }
  return limiter;
}

/** Resolves a user-given member: name, price (explicit, from `prices`, or the parameter-count default), limits. */
export function resolveMember(
  input: MemberInput,
  prices: Readonly<Record<string, Price>>,
  defaults: MemberDefaults,
): Member {
  const spec = isChatRunnable(input) ? { model: input } : input;
  const name = spec.name ?? modelName(spec.model);
  return {
    name,
    runnable: spec.model,
    price: spec.price ?? prices[name] ?? defaultPriceFor(name),
    timeoutMs: spec.timeoutMs ?? defaults.timeoutMs ?? DEFAULT_MEMBER_TIMEOUT_MS,
    retries: spec.retries ?? defaults.retries ?? 0,
    backoffMs: spec.backoffMs ?? defaults.backoffMs ?? 250,
    jitter: spec.jitter ?? defaults.jitter ?? false,
    limiter: spec.maxConcurrency ? limiterFor(spec.model, spec.maxConcurrency) : undefined,
    ...(spec.maxOutputTokens !== undefined ? { maxOutputTokens: spec.maxOutputTokens } : {}),
    input: spec,
  };
}
