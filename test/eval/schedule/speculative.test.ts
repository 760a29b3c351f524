import { describe, expect, it } from "vitest";
import { replayQuery } from "../../../src/eval/schedule/simulate.js";
import { replaySpeculative } from "../../../src/eval/schedule/speculative.js";
import { context, latency, member, query } from "./fixtures.js";

// Arrival of a member of k tokens: 100 + 10k ms; the Oracle (40 tokens) takes 500 ms.

describe("replaySpeculative (the Oracle started at the crowd's first disagreement)", () => {
  it("never starts the Oracle while the answers in hand agree up to the decision", () => {
    const q = query([member(0, "7", 20), member(1, "7", 40), member(2, "8", 200)]);
    const r = replaySpeculative(q, "anytime", context, latency);
    expect(r.speculation).toBeUndefined();
    expect(r).toEqual(replayQuery(q, "anytime", context, latency));
  });

  it("cancels a start when the crowd settles without escalating, charged its input and the tokens streamed", () => {
    // m0 (7) at 300 ms, m1 (8) at 500 ms: disagree, the Oracle starts at 500; m2 (7) at 700 ms settles on 7.
    const q = query([member(0, "7", 20), member(1, "8", 40), member(2, "7", 60)]);
    const anytime = replayQuery(q, "anytime", context, latency);
    const r = replaySpeculative(q, "anytime", context, latency);
    expect(r.speculation).toEqual({ startedMs: 500, outcome: "cancelled" });
    expect(r.escalated).toBe(false);
    expect(r.endMs).toBe(700);
    // The Oracle ran 200 ms: (200 - 100) ms * 100 tokens/s = 10 tokens, plus its 100 input tokens at 1 USD per 1M.
    expect(r.costUsd).toBeCloseTo(anytime.costUsd + 110 / 1e6, 15);
  });

  it("adopts a start when the crowd escalates: the answer comes at the later of the decision and the Oracle's end", () => {
    // 7 at 300 ms, 8 at 500 ms (start), 9 at 2100 ms: escalated; the Oracle, started at 500, ends at 1000.
    const q = query([member(0, "7", 20), member(1, "8", 40), member(2, "9", 200)]);
    const r = replaySpeculative(q, "anytime", context, latency);
    expect(r.speculation).toEqual({ startedMs: 500, outcome: "adopted" });
    expect(r.escalated).toBe(true);
    expect(r.endMs).toBe(2100);
    expect(replayQuery(q, "anytime", context, latency).endMs).toBe(2600);
    expect(r.costUsd).toBe(replayQuery(q, "anytime", context, latency).costUsd);
    // All three arrive at 300 ms and disagree: the Oracle, started then, ends at 800 ms, after the decision.
    const early = query([member(0, "7", 20), member(1, "8", 20), member(2, "9", 20)]);
    expect(replaySpeculative(early, "parallel", context, latency).endMs).toBe(800);
  });

  it("starts on an arrival without an answer key", () => {
    const q = query([{ ...member(0, "7", 20), answer: null }, member(1, "7", 40), member(2, "7", 60)]);
    expect(replaySpeculative(q, "anytime", context, latency).speculation?.startedMs).toBe(300);
  });
});
