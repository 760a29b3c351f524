import type { AIMessageChunk } from "@langchain/core/messages";
import type { Candidate } from "../../core/types.js";
import type { Price } from "../../cost/price.js";
import type { StreamTally } from "./stream_tally.js";

/**
 * Whether the answers in hand disagree (`undefined`: not arrived): two different answer keys, or a member that
 * answered without one. The first arrival after which they do starts the next tier speculatively.
 */
export function disagreement(present: readonly (Candidate | undefined)[]): boolean {
  const arrived = present.filter((candidate): candidate is Candidate => candidate !== undefined);
  if (arrived.some((candidate) => candidate.answer === null)) return true;
  return new Set(arrived.map((candidate) => candidate.answer)).size > 1;
}

/** What became of a speculative start of a tier (`response_metadata.pyramid.speculation`). */
export interface SpeculationRecord {
  /** The tier started speculatively. */
  readonly tier: number;
  /** Its name. */
  readonly tierName: string;
  /** `adopted`: the lower tier escalated and the running calls were used; `cancelled`: it did not, they were aborted. */
  readonly outcome: "adopted" | "cancelled";
  /** Milliseconds from the lower tier's start to the speculative start. */
  readonly startedMs: number;
  /** USD charged for the cancelled calls (input and tokens streamed, else the member's estimate); 0 when adopted. */
  readonly costUsd: number;
  /** The members cancelled, with the tokens each had streamed (empty when adopted). */
  readonly cancelled: readonly { readonly model: string; readonly streamedTokens: number }[];
}

/** A member of the speculative tier: its name, price, and the cost estimate charged when it streamed nothing. */
export interface SpeculativeMember {
  readonly name: string;
  readonly price?: Price;
  readonly estimateUsd: number;
}

/**
 * The next tier started before the lower tier decided (speculative escalation): started once (at the lower tier's
 * first disagreement), then either adopted by the next tier's node when the lower tier escalates (its calls keep
 * running, the tokens streamed so far are replayed to the live stream) or cancelled when it does not (its calls are
 * aborted, each charged as far as it went). Its calls stream, so that their tokens can be counted.
 */
export class Speculation<Run> {
  private readonly controller = new AbortController();
  private running?: Promise<Run>;
  private startedMs?: number;
  private readonly buffered: AIMessageChunk[] = [];
  private sink?: (chunk: AIMessageChunk) => void;

  /**
   * @param tier the tier to start; `tierName` its name
   * @param run starts the tier's calls with `signal` (aborted on cancel) and `onChunk` (every streamed chunk)
   * @param tally what each of its members streamed
   * @param members its members (for the cost of a cancelled call)
   * @param clock milliseconds since the lower tier's start
   */
  constructor(
    readonly tier: number,
    readonly tierName: string,
    private readonly run: (
      signal: AbortSignal,
      onChunk: (index: number) => (chunk: AIMessageChunk) => void,
    ) => Promise<Run>,
    private readonly tally: StreamTally,
    private readonly members: readonly SpeculativeMember[],
    private readonly clock: () => number,
  ) {}

  /** Whether the tier was started. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Starts the tier's calls (once; later calls do nothing). */
  start(): void {
    if (this.running) return;
    this.startedMs = this.clock();
    this.running = this.run(this.controller.signal, (index) => {
      const count = this.tally.onChunk(index);
      return (chunk) => {
        count(chunk);
        if (this.sink) this.sink(chunk);
        else this.buffered.push(chunk);
      };
    });
    // A cancelled run rejects with the abort: nobody awaits it then.
    this.running.catch(() => undefined);
  }

  /**
   * The running tier, adopted (undefined when it was never started): the chunks streamed so far go to `onChunk`
   * first, then every later one.
   */
  adopt(onChunk?: (chunk: AIMessageChunk) => void): { run: Promise<Run>; record: SpeculationRecord } | undefined {
    if (!this.running) return undefined;
    if (onChunk) {
      for (const chunk of this.buffered.splice(0)) onChunk(chunk);
      this.sink = onChunk;
    }
    return { run: this.running, record: this.record("adopted", 0, []) };
  }

  /**
   * Aborts the tier's calls (undefined when it was never started) and says what they cost: each member's input and
   * the tokens it streamed, or its estimate when it streamed nothing (its provider may still bill the call).
   */
  cancel(reason = "speculative escalation cancelled: the lower tier did not escalate"): SpeculationRecord | undefined {
    if (!this.running) return undefined;
    this.controller.abort(new Error(reason));
    const cancelled = this.members.map((member, index) => ({
      model: member.name,
      streamedTokens: this.tally.outputTokens(index),
    }));
    const costUsd = this.members.reduce(
      (sum, member, index) => sum + this.tally.partialCostUsd(index, member.price, member.estimateUsd),
      0,
    );
    return this.record("cancelled", costUsd, cancelled);
  }

  /** The record of an adoption (what the router notes when it escalates to a started tier). */
  adoptionRecord(): SpeculationRecord | undefined {
    return this.running ? this.record("adopted", 0, []) : undefined;
  }

  private record(
    outcome: SpeculationRecord["outcome"],
    costUsd: number,
    cancelled: SpeculationRecord["cancelled"],
  ): SpeculationRecord {
    return { tier: this.tier, tierName: this.tierName, outcome, startedMs: this.startedMs ?? 0, costUsd, cancelled };
  }
}
