import { Annotation } from "@langchain/langgraph";
import type { Speculation, SpeculationRecord } from "./schedule/speculation.js";
import type { BaseMessage } from "@langchain/core/messages";
import type { VoteResult } from "../answers/vote.js";
import type { Ledger } from "../ledger/ledger.js";
import type { FeatureVector } from "../features/types.js";
import type { Candidate, TierDecision } from "../core/types.js";

/** What one tier produced: its candidates and their vote. */
export interface TierRun {
  /** Tier index. */
  readonly tier: number;
  /** Tier name. */
  readonly name: string;
  /** The members' candidates, in member order. */
  readonly candidates: readonly Candidate[];
  /** Majority vote over the candidates' answers. */
  readonly vote: VoteResult;
  /** USD spent by this tier's calls. */
  readonly costUsd: number;
}

function append<T>(left: readonly T[], right: readonly T[] | T): T[] {
  return left.concat(right as T[]);
}

/** The pyramid graph's state. */
export const PyramidState = Annotation.Root({
  /** The user's conversation. */
  messages: Annotation<BaseMessage[]>(),
  /** Whether the apex's tokens should be streamed through the graph's custom stream. */
  stream: Annotation<boolean>(),
  /** Model call options of the query (`stop`, `tools`, `tool_choice`, ...), passed to every member call. */
  callOptions: Annotation<Record<string, unknown> | undefined>(),
  /** Tier runs, in tier order. */
  tiers: Annotation<TierRun[]>({ reducer: append, default: () => [] }),
  /** Feature vector of the tier being judged. */
  featureVector: Annotation<FeatureVector | null>(),
  /** Router decisions, one per judged tier. */
  decisions: Annotation<TierDecision[]>({ reducer: append, default: () => [] }),
  /**
   * The run's ledger when its config gave none: made by the first tier over the pyramid's `budget`, so that the
   * router's reservation for the next tier is settled by that tier.
   */
  ledger: Annotation<Ledger | undefined>(),
  /** The next tier started speculatively by the tier just run (see `Speculation`), adopted or cancelled after its router. */
  speculation: Annotation<Speculation<TierRun> | undefined>(),
  /** What became of every speculative start (adopted or cancelled, and what a cancelled one cost). */
  speculations: Annotation<SpeculationRecord[]>({ reducer: append, default: () => [] }),
  /** Set when every apex member failed and the lower tier's answer was returned instead. */
  degraded: Annotation<string | undefined>(),
});

/** A state of the pyramid graph. */
export type PyramidStateType = typeof PyramidState.State;

/** A partial update returned by a node. */
export type PyramidUpdate = typeof PyramidState.Update;

/** The custom-stream event the apex node emits for each token chunk when streaming. */
export interface PyramidTokenEvent {
  /** Discriminator. */
  readonly type: "pyramid.token";
  /** Tier index of the streaming member. */
  readonly tier: number;
  /** The chunk as the model produced it. */
  readonly chunk: import("@langchain/core/messages").AIMessageChunk;
}
