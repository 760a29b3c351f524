let live = 0;

/**
 * Member calls in progress in this process (attempts, backoff waits and concurrency waits included). After
 * every query has settled, or been aborted, it is 0: no call, retry or timer is left behind.
 */
export function liveMemberCalls(): number {
  return live;
}

/** Counts `task` as a live member call until it settles. */
export async function trackLiveCall<T>(task: () => Promise<T>): Promise<T> {
  live++;
  try {
    return await task();
  } finally {
    live--;
  }
}
