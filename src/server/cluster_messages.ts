/** IPC message from the cluster primary: stop accepting, finish the requests in flight, then exit. */
export const SHUTDOWN_MESSAGE = "pyramid-moa:shutdown";

/** IPC message from the cluster primary: cut off the requests still in flight (a second signal). */
export const CUT_OFF_MESSAGE = "pyramid-moa:cut-off";

/** What a worker does when the primary asks it to stop. */
export interface PrimaryRequestHandlers {
  /** Graceful shutdown ({@link SHUTDOWN_MESSAGE}); may be called more than once. */
  shutdown(): void;
  /** Cut off the requests in flight ({@link CUT_OFF_MESSAGE}). */
  cutOff(): void;
}

/**
 * In a cluster worker, calls `handlers` when the primary sends {@link SHUTDOWN_MESSAGE} or {@link CUT_OFF_MESSAGE};
 * returns the function that stops listening (so that the IPC channel no longer keeps the worker alive).
 * Outside a worker (no IPC channel) it does nothing.
 */
export function onPrimaryRequests(handlers: PrimaryRequestHandlers): () => void {
  if (typeof process.send !== "function") return () => undefined;
  const onMessage = (message: unknown): void => {
    if (message === SHUTDOWN_MESSAGE) handlers.shutdown();
    else if (message === CUT_OFF_MESSAGE) handlers.cutOff();
  };
  process.on("message", onMessage);
  return () => {
    process.off("message", onMessage);
  };
}
