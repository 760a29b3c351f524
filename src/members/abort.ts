import { TimeoutError } from "../errors/index.js";

/** The reason carried by an aborted signal, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === "string" ? reason : "Aborted");
}

/** Resolves after `ms` milliseconds, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `task` with a signal that aborts when `parent` aborts or after `timeoutMs`. The returned promise
 * settles as soon as either happens, even if `task` ignores its signal, so a hung model cannot hang the
 * pyramid; on timeout it rejects with a {@link TimeoutError}.
 */
export async function withDeadline<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number | undefined,
  parent: AbortSignal | undefined,
  label: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onParentAbort: (() => void) | undefined;
  const guards = new Promise<never>((_, reject) => {
    if (parent) {
      onParentAbort = () => {
        controller.abort(parent.reason);
        reject(abortReason(parent));
      };
      if (parent.aborted) onParentAbort();
      else parent.addEventListener("abort", onParentAbort, { once: true });
    }
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        const error = new TimeoutError(`${label} timed out after ${timeoutMs} ms`, {
          fix: "raise the member's timeoutMs, or check that the model server is reachable",
        });
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    }
  });
  try {
    return await Promise.race([task(controller.signal), guards]);
  } finally {
    clearTimeout(timer);
    if (onParentAbort) parent?.removeEventListener("abort", onParentAbort);
    guards.catch(() => undefined);
  }
}
