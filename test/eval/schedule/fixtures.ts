import type { Candidate } from "../../../src/core/types.js";
import { LatencyModel } from "../../../src/eval/schedule/latency_model.js";
import type { ScheduleQuery } from "../../../src/eval/schedule/simulate.js";
import type { SettleContext } from "../../../src/graph/schedule/settle.js";
import { AgreementRouter } from "../../../src/router/agreement.js";
import { candidate } from "../../helpers/candidate.js";

// Shared fixtures of the schedule replay's unit tests: hand-made queries under a round-number latency model.

/** 1 USD per 1M tokens, input and output. */
export const price = { input: 1, output: 1 };

/** Crowd member `m<index>` answering `answer` (its whole text) in `output` tokens, after 100 input tokens. */
export function member(index: number, answer: string, output: number, text = answer): Candidate {
  return candidate(index, text, answer, {
    latencyMs: 0,
    usage: { input: 100, output, estimated: true },
    costUsd: (100 + output) / 1e6,
  });
}

/** Every model: 100 ms to the first token, then 100 tokens/s, so a call of k tokens takes 100 + 10k ms. */
export const latency = new LatencyModel({ default: { ttftMs: 100, tokensPerSecond: 100 } });

/** The agreement router at threshold 0.5. */
export const context: SettleContext = { router: new AgreementRouter(), threshold: 0.5, lower: [] };

/** A query of `crowd` (correct answer "7") whose Oracle, correct, answers 40 tokens (500 ms) for 1e-3 USD. */
export function query(crowd: Candidate[], prices = crowd.map(() => price)): ScheduleQuery {
  return {
    id: "q",
    crowd,
    memberCorrect: crowd.map((c) => c.answer === "7"),
    prices,
    oracle: { model: "oracle", inputTokens: 100, outputTokens: 40, price, costUsd: 1e-3, correct: true },
  };
}
