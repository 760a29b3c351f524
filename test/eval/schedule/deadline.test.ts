import { describe, expect, it } from "vitest";
import { extractAnswer } from "../../../src/answers/extract.js";
import { replayDeadline } from "../../../src/eval/schedule/deadline.js";
import { replayQuery } from "../../../src/eval/schedule/simulate.js";
import { context, latency, member, query } from "./fixtures.js";

// Arrival of a member of k tokens: 100 + 10k ms; a member streams 100 tokens/s after its first 100 ms.

/** Correct when the text's math answer is 7. */
const gradeText = (text: string): boolean => extractAnswer(text, "math")?.key === "7";
const options = (deadlineMs: number) => ({ deadlineMs, task: "math" as const, gradeText });

describe("replayDeadline (what the pyramid holds at a deadline)", () => {
  const agreeing = query([member(0, "7", 20), member(1, "7", 40), member(2, "8", 200)]);
  const anytime = replayQuery(agreeing, "anytime", context, latency);

  it("keeps the replay's own answer when it ended by the deadline", () => {
    expect(anytime.endMs).toBe(500);
    expect(replayDeadline(agreeing, anytime, context, latency, options(500))).toEqual({
      answeredBy: "finished",
      correct: true,
    });
  });

  it("answers with the crowd's majority of the members finished by the deadline", () => {
    // Only m0 (7, at 300 ms) has finished at 400 ms.
    expect(replayDeadline(agreeing, anytime, context, latency, options(400))).toEqual({
      answeredBy: "in hand",
      correct: true,
    });
    const wrongFirst = query([member(0, "8", 20), member(1, "7", 40), member(2, "7", 200)]);
    const replay = replayQuery(wrongFirst, "anytime", context, latency);
    expect(replayDeadline(wrongFirst, replay, context, latency, options(400))).toEqual({
      answeredBy: "in hand",
      correct: false,
    });
  });

  it("reads the partial outputs when no member has finished, and gives no answer when they hold none", () => {
    // Every member answers 8 in full (100 tokens, 1100 ms) but has written "7" in its first 200 characters.
    const text = `We start with 7 apples ${"and think it over ".repeat(12)}so the answer is 8`;
    const slow = query([0, 1, 2].map((i) => member(i, "8", 100, text)));
    const replay = replayQuery(slow, "anytime", context, latency);
    expect(replay.endMs).toBe(1100);
    // At 600 ms each streamed (600 - 100) ms * 100 tokens/s = 50 tokens = 200 characters: their answer is 7.
    expect(replayDeadline(slow, replay, context, latency, options(600))).toEqual({
      answeredBy: "partial",
      correct: true,
    });
    // At 130 ms each streamed 3 tokens ("We start wit"): no answer.
    expect(replayDeadline(slow, replay, context, latency, options(130))).toEqual({
      answeredBy: "none",
      correct: false,
    });
  });
});
