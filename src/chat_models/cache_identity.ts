import { createHash } from "node:crypto";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { Runnable } from "@langchain/core/runnables";
import { isStructuredTool, isRunnableToolLike } from "@langchain/core/utils/function_calling";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { isInteropZodSchema } from "@langchain/core/utils/types";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { PyramidSpec } from "../graph/spec.js";
import type { Router } from "../router/types.js";

/** Keys whose values are credentials: never part of a cache key (cache keys may be stored, e.g. in Redis). */
const SECRET_KEY = /(api[_-]?key|apikey|secret|token|password|authorization|credential)/i;
/** Per-call plumbing of a binding's config, not part of what a member computes. */
const CONFIG_PLUMBING = new Set([
  "callbacks",
  "signal",
  "runId",
  "runName",
  "tags",
  "metadata",
  "configurable",
  "recursionLimit",
  "maxConcurrency",
]);
const MAX_DEPTH = 12;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A JSON value that identifies `value` stably across processes: object keys sorted, credentials masked, zod
 * schemas and tools in their JSON-schema form, functions by a digest of their source, chat models and bindings
 * by {@link runnableIdentity}, cycles cut.
 */
export function stableValue(value: unknown, seen: Set<object> = new Set(), depth = 0): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function") return `function:${sha256(value.toString())}`;
  if (typeof value !== "object" || value === undefined) return undefined;
  if (depth > MAX_DEPTH) return "[deep]";
  if (seen.has(value)) return "[cycle]";
  seen.add(value);
  try {
    if (isInteropZodSchema(value)) return stableValue(toJsonSchema(value), seen, depth + 1);
    if (isStructuredTool(value) || isRunnableToolLike(value))
      return stableValue(convertToOpenAITool(value), seen, depth + 1);
    if (Runnable.isRunnable(value)) return runnableIdentity(value, seen, depth + 1);
    if (ArrayBuffer.isView(value))
      return `bytes:${sha256(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"))}`;
    if (Array.isArray(value)) return value.map((item) => stableValue(item, seen, depth + 1) ?? null);
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, SECRET_KEY.test(k) ? "[secret]" : stableValue(v, seen, depth + 1)] as const)
      .filter(([, v]) => v !== undefined);
    const record = Object.fromEntries(entries);
    return isPlainObject(value) ? record : { class: value.constructor?.name ?? "Object", ...record };
  } finally {
    seen.delete(value);
  }
}

/**
 * The identity of a member's runnable: for a chat model its type, class, LangSmith params (model, provider,
 * sampling) and identifying params (or, when it has none, its constructor fields); for a binding
 * (`bindTools`, `withConfig`) the bound kwargs and config (tools in OpenAI format) around the bound model.
 */
export function runnableIdentity(runnable: Runnable, seen: Set<object> = new Set(), depth = 0): unknown {
  const binding = runnable as unknown as { bound?: unknown; kwargs?: unknown; config?: Record<string, unknown> };
  if (Runnable.isRunnable(binding.bound) && binding.bound !== runnable) {
    const config = Object.fromEntries(
      Object.entries(binding.config ?? {}).filter(([key]) => !CONFIG_PLUMBING.has(key)),
    );
    return {
      binding: runnable.constructor.name,
      kwargs: stableValue(binding.kwargs ?? {}, seen, depth + 1),
      config: stableValue(config, seen, depth + 1),
      bound: runnableIdentity(binding.bound, seen, depth + 1),
    };
  }
  if (runnable instanceof BaseChatModel) {
    const { ls_stop: _stop, ...ls } = runnable.getLsParams({} as never);
    const params = runnable._identifyingParams() as Record<string, unknown>;
    const fields = Object.keys(params).length > 0 ? params : (runnable.lc_kwargs ?? {});
    return {
      type: runnable._llmType(),
      class: runnable.getName(),
      ls: stableValue(ls, seen, depth + 1),
      params: stableValue(fields, seen, depth + 1),
    };
  }
  return { class: runnable.getName(), fields: stableValue({ ...runnable }, seen, depth + 1) };
}

function routerIdentity(router: Router): string {
  const identity =
    router.digest ?? sha256(JSON.stringify({ class: router.constructor?.name, fields: stableValue({ ...router }) }));
  return `${router.constructor?.name ?? "Router"}:${identity}`;
}

/**
 * What identifies a pyramid's configuration in LangChain's LLM cache (`_identifyingParams`): every tier's name,
 * threshold, router digest and members (name and runnable identity: model, provider, sampling, bound tools), the
 * mode, task, generative prompt, apex error policy, cost limits and look-ahead settings. Only values, never object
 * identities, so the same configuration gives the same key in every process.
 */
export function pyramidCacheIdentity(spec: PyramidSpec, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    pyramid: stableValue({
      tiers: spec.tiers.map((tier) => ({
        name: tier.name,
        threshold: tier.threshold,
        router: routerIdentity(tier.router),
        members: tier.members.map((member) => ({
          name: member.name,
          model: runnableIdentity(member.runnable),
        })),
      })),
      mode: spec.mode,
      task: typeof spec.task === "function" ? `function:${sha256(spec.task.toString())}` : spec.task,
      askConfidence: spec.askConfidence,
      onApexError: spec.onApexError,
      onBudgetExceeded: spec.onBudgetExceeded,
      maxCostPerQuery: spec.maxCostPerQuery,
      lookahead: spec.lookahead,
      ...extra,
    }),
  };
}
