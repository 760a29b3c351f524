import { describe, expect, it } from "vitest";
import { replayQuery } from "../../../src/eval/schedule/simulate.js";
import { wavesOrder } from "../../../src/graph/schedule/schedule.js";
import { context, latency, member, price, query } from "./fixtures.js";

describe("replayQuery (one query under a schedule and the latency model)", () => {
  it("anytime decides when two agree and charges the third its input and the tokens streamed by then", () => {
    // Arrivals: m0 at 300 ms, m1 at 500 ms, m2 at 2100 ms. m0 and m1 agree: settled at 500 ms.
    const q = query([member(0, "7", 20), member(1, "7", 40), member(2, "8", 200)]);
    const r = replayQuery(q, "anytime", context, latency);
    expect(r.status).toEqual(["answered", "answered", "cancelled"]);
    expect(r.crowdMs).toBe(500);
    expect(r.endMs).toBe(500);
    expect(r.escalated).toBe(false);
    expect(r.correct).toBe(true);
    // m2 streamed (500 - 100) ms * 100 tokens/s = 40 tokens: 100 input + 40 output at 1 USD per 1M.
    expect(r.costUsd).toBeCloseTo((120 + 140 + 140) / 1e6, 15);
    const p = replayQuery(q, "parallel", context, latency);
    expect(p.crowdMs).toBe(2100);
    expect(p.costUsd).toBeCloseTo((120 + 140 + 300) / 1e6, 15);
  });

  it("waves calls the cheapest two first and the third only on a disagreement, then escalates by the rule", () => {
    const agreeing = query(
      [member(0, "7", 20), member(1, "7", 40), member(2, "8", 200)],
      [price, { input: 5, output: 5 }, price],
    );
    expect(wavesOrder(agreeing.prices)).toEqual([0, 2, 1]);
    // m0 (7) and m2 (8) disagree: m1 is called in a second wave; 7 wins 2/3, not escalated.
    const r = replayQuery(agreeing, "waves", context, latency);
    expect(r.status).toEqual(["answered", "answered", "answered"]);
    expect(r.crowdMs).toBe(2100 + 500);
    const cheapAgree = query(
      [member(0, "7", 20), member(1, "9", 40), member(2, "7", 200)],
      [price, { input: 5, output: 5 }, price],
    );
    const w = replayQuery(cheapAgree, "waves", context, latency);
    expect(w.status).toEqual(["answered", "not_called", "answered"]);
    expect(w.crowdMs).toBe(2100);
    expect(w.costUsd).toBeCloseTo((120 + 300) / 1e6, 15);
    // Three different answers: escalated; the Oracle's time (100 + 400 ms) follows the crowd's.
    const split = replayQuery(
      query([member(0, "7", 20), member(1, "8", 40), member(2, "9", 200)]),
      "anytime",
      context,
      latency,
    );
    expect(split.escalated).toBe(true);
    expect(split.endMs).toBe(2100 + 500);
    expect(split.costUsd).toBeCloseTo((120 + 140 + 300) / 1e6 + 1e-3, 12);
  });
});
