import { abortReason } from "./abort.js";

/** A counting semaphore: at most `limit` holders at once, others wait in FIFO order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** Creates a semaphore admitting `limit` holders at once. */
  constructor(readonly limit: number) {}

  /** Holders right now. */
  get inUse(): number {
    return this.active;
  }

  /** Callers waiting for a slot right now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `task` once a slot is free, releasing the slot when it settles. When `signal` aborts while the
   * caller is still waiting, it leaves the queue at once and the promise rejects with the abort reason.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    // A released slot is handed straight to the next waiter, so a caller arriving in between cannot take it too.
    if (this.active >= this.limit) await this.wait(signal);
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiting.indexOf(wake);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(abortReason(signal as AbortSignal));
      };
      const wake = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.waiting.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
