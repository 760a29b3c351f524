import { CallbackManager, type Callbacks } from "@langchain/core/callbacks/manager";
import type { BaseCallbackHandler, CallbackHandlerMethods } from "@langchain/core/callbacks/base";
import { redactSecrets } from "./redact.js";

/** The callback methods that receive an error as their first argument. */
const ERROR_METHODS = new Set<string | symbol>([
  "handleLLMError",
  "handleChainError",
  "handleToolError",
  "handleRetrieverError",
]);

/** A copy of `error` whose message (and stack) have secrets masked; the same object when there is nothing to mask. */
export function redactError(error: unknown): unknown {
  if (!(error instanceof Error)) return typeof error === "string" ? redactSecrets(error) : error;
  const message = redactSecrets(error.message);
  const stack = error.stack === undefined ? undefined : redactSecrets(error.stack);
  if (message === error.message && stack === error.stack) return error;
  const copy = new Error(message);
  copy.name = error.name;
  if (stack !== undefined) copy.stack = stack;
  return copy;
}

type Handler = BaseCallbackHandler | CallbackHandlerMethods;

const wrapped = new WeakMap<object, Handler>();

/**
 * A view of a callback handler whose error methods receive the error with secrets masked. Everything else (state,
 * names, flags, the other methods) is the handler's own, called on the handler itself, so a tracer keeps one run
 * tree across wrapped and unwrapped uses.
 */
function redactingHandler<H extends Handler>(handler: H): H {
  const known = wrapped.get(handler);
  if (known) return known as H;
  const proxy = new Proxy(handler, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (ERROR_METHODS.has(property)) {
        return (error: unknown, ...rest: unknown[]) =>
          (value as (...args: unknown[]) => unknown).call(target, redactError(error), ...rest);
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
  wrapped.set(handler, proxy);
  return proxy;
}

/**
 * Callbacks for a member call whose handlers see provider errors with secrets masked (`redactSecrets`), so that a
 * key echoed in an error message does not reach LangSmith or any other handler. Tags, metadata and the parent run are
 * kept.
 */
export function redactingCallbacks(callbacks: Callbacks | undefined): Callbacks | undefined {
  if (callbacks === undefined) return undefined;
  if (Array.isArray(callbacks)) return callbacks.map((handler) => redactingHandler(handler));
  if (!(callbacks instanceof CallbackManager)) return callbacks;
  const copy = callbacks.copy();
  const inheritable = new Set(copy.inheritableHandlers);
  const handlers = copy.handlers;
  copy.setHandlers([], false);
  for (const handler of handlers) copy.addHandler(redactingHandler(handler), inheritable.has(handler));
  return copy;
}
