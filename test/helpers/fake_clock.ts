import { afterEach, beforeEach, vi } from "vitest";

// Tests whose outcome depends on when things happen (members' delays, a query's deadline) drive time explicitly: the
// timers and clocks are vitest's fake timers, moved 1 ms at a time with the event loop run between steps, so what
// happens first follows from the scripted delays, not from how fast a loaded machine runs the pyramid's own work.

/** Fakes setTimeout, clearTimeout, Date and performance.now for each test of the calling file or `describe` block. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Awaits `work` while moving the fake clock on, 1 ms per step (the pending callbacks run between steps). */
export async function drive<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => {
    done = true;
  });
  settled.catch(() => undefined);
  while (!done) await vi.advanceTimersByTimeAsync(1);
  return settled;
}
