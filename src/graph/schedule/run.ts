import type { Candidate } from "../../core/types.js";
import type { CrowdSchedule } from "./schedule.js";
import { waveSizes } from "./schedule.js";

/** What {@link runScheduled} needs: how to call member `index`, and when the answers in hand settle the tier. */
export interface ScheduledTier {
  /** `anytime` or `waves`; `parallel` only with a deadline (without one it is the plain `Promise.all` of `tierCalls`). */
  readonly schedule: CrowdSchedule;
  /** Member indices, cheapest first (the order of the waves). */
  readonly order: readonly number[];
  /** Calls member `index` with `signal` (aborted when the member is cancelled or the query is). Never rejects but on abort. */
  readonly call: (index: number, signal: AbortSignal) => Promise<Candidate>;
  /** Whether the answers in hand (`present[i]` undefined for a missing member) settle the tier's decision. */
  readonly settled: (present: readonly (Candidate | undefined)[]) => boolean;
  /** The candidate standing for a member that was cancelled or never called (an error, so its features are NaN). */
  readonly missing: (index: number, status: "cancelled" | "not_called" | "deadline") => Candidate;
  /**
   * The candidate of a member cut by the deadline built from its partial output (`undefined`: none extractable); used
   * only when no member answered with an answer key by the deadline.
   */
  readonly partial?: (index: number) => Candidate | undefined;
  /** Called after each answer arrives, with the answers in hand (speculative escalation watches them). */
  readonly onArrival?: (present: readonly (Candidate | undefined)[]) => void;
  /** The query's signal: when it aborts, the tier rejects with its reason. */
  readonly signal?: AbortSignal;
  /** When the query's deadline passes (epoch ms): the members still running are cut, those not called are not. */
  readonly deadlineAt?: number;
}

type Settled = {
  readonly index: number;
  readonly candidate?: Candidate;
  readonly error?: unknown;
  readonly failed: boolean;
};

/**
 * Runs one tier under the `anytime` or `waves` schedule and returns its candidates in member order, each with its
 * {@link Candidate.schedule}: members still running when the decision is settled are aborted through their own signal
 * and not waited for (a member that ignores its signal keeps running in the background; its result is dropped).
 */
export async function runScheduled(tier: ScheduledTier): Promise<Candidate[]> {
  const t0 = performance.now();
  const since = (): number => performance.now() - t0;
  const size = tier.order.length;
  const present: (Candidate | undefined)[] = new Array<Candidate | undefined>(size).fill(undefined);
  const started = new Map<number, { controller: AbortController; startedMs: number }>();
  const pending = new Map<number, Promise<Settled>>();
  const start = (index: number): void => {
    const controller = new AbortController();
    const signal = tier.signal ? AbortSignal.any([tier.signal, controller.signal]) : controller.signal;
    started.set(index, { controller, startedMs: since() });
    pending.set(
      index,
      tier.call(index, signal).then(
        (candidate): Settled => ({ index, candidate, failed: false }),
        (error: unknown): Settled => ({ index, error, failed: true }),
      ),
    );
  };
  const waves = tier.schedule === "waves" ? waveSizes(size) : [size];
  let next = 0;
  let cut = false;
  let timer: NodeJS.Timeout | undefined;
  const deadline =
    tier.deadlineAt === undefined
      ? undefined
      : new Promise<"deadline">((resolve) => {
          timer = setTimeout(() => resolve("deadline"), Math.max(0, (tier.deadlineAt ?? 0) - Date.now()));
        });
  try {
    for (const wave of waves) {
      if (tier.deadlineAt !== undefined && Date.now() >= tier.deadlineAt) {
        cut = true;
        break;
      }
      for (let k = 0; k < wave; k++) start(tier.order[next++]);
      let settled = false;
      while (pending.size > 0 && !settled) {
        const done: Settled | "deadline" = await Promise.race<Settled | "deadline">(
          deadline ? [...pending.values(), deadline] : pending.values(),
        );
        if (done === "deadline") {
          cut = true;
          break;
        }
        pending.delete(done.index);
        if (done.failed || !done.candidate) throw done.error;
        const startedMs = started.get(done.index)?.startedMs;
        present[done.index] = {
          ...done.candidate,
          schedule: { status: "answered", ...(startedMs !== undefined ? { startedMs } : {}), arrivedMs: since() },
        };
        tier.onArrival?.(present);
        if (tier.schedule === "anytime") settled = tier.settled(present);
      }
      if (cut || settled || tier.settled(present)) break;
    }
  } finally {
    clearTimeout(timer);
    const reason = cut ? "cut by the query's deadline" : "cancelled: the tier's decision was settled";
    for (const index of pending.keys()) started.get(index)?.controller.abort(new Error(reason));
  }
  const answeredInFull = present.some((candidate) => candidate?.answer != null && candidate.error === undefined);
  return present.map((candidate, index) => {
    if (candidate) return candidate;
    const call = started.get(index);
    const status = cut ? "deadline" : call ? "cancelled" : "not_called";
    const partial = cut && call && !answeredInFull ? tier.partial?.(index) : undefined;
    if (partial) return { ...partial, schedule: { status, startedMs: call?.startedMs ?? 0, partial: true } };
    return {
      ...tier.missing(index, status),
      schedule: { status, ...(call ? { startedMs: call.startedMs } : {}) },
    };
  });
}
