import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SeededRandom, sampleToken, type TokenLogit } from "../../src/engines/llamacpp/sampling.js";
import { StopSequenceMatcher } from "../../src/engines/llamacpp/text_stream.js";
import { isModelUri } from "../../src/engines/llamacpp/model_source.js";

const sorted = (logits: number[]): TokenLogit[] =>
  logits.map((logit, token) => ({ token, logit })).sort((a, b) => b.logit - a.logit);

describe("sampleToken", () => {
  it("is greedy at temperature 0 and with top-k 1", () => {
    const candidates = sorted([0.1, 3, -2, 2.9]);
    const random = new SeededRandom(1);
    expect(sampleToken(candidates, { temperature: 0, topK: 0, topP: 1 }, random)).toBe(1);
    for (let i = 0; i < 50; i++) expect(sampleToken(candidates, { temperature: 2, topK: 1, topP: 1 }, random)).toBe(1);
  });

  it("never picks outside the top-k / top-p set", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.integer({ min: 1, max: 10 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (logits, topK, topP, seed) => {
          const candidates = sorted(logits);
          const picked = sampleToken(candidates, { temperature: 1, topK, topP }, new SeededRandom(seed));
          const rank = candidates.findIndex((c) => c.token === picked);
          expect(rank).toBeGreaterThanOrEqual(0);
          expect(rank).toBeLessThan(topK);
          // Everything ranked above the pick was needed to reach topP (renormalized over the top-k).
          const k = Math.min(topK, candidates.length);
          const weights = candidates.slice(0, k).map((c) => Math.exp(c.logit - candidates[0]!.logit));
          const total = weights.reduce((a, b) => a + b, 0);
          const before = weights.slice(0, rank).reduce((a, b) => a + b, 0) / total;
          expect(before).toBeLessThan(topP + 1e-12);
        },
      ),
    );
  });

  it("follows the softmax distribution at temperature 1 and is reproducible by seed", () => {
    const candidates = sorted([Math.log(0.6), Math.log(0.3), Math.log(0.1)]);
    const counts = [0, 0, 0];
    const random = new SeededRandom(123);
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[sampleToken(candidates, { temperature: 1, topK: 0, topP: 1 }, random)]!++;
    expect(counts[0]! / n).toBeCloseTo(0.6, 1);
    expect(counts[1]! / n).toBeCloseTo(0.3, 1);
    expect(counts[2]! / n).toBeCloseTo(0.1, 1);
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    for (let i = 0; i < 100; i++) expect(a.next()).toBe(b.next());
  });
});

describe("StopSequenceMatcher", () => {
  it("cuts before the first stop sequence however the text is split", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 30 }),
        (prefix, cuts) => {
          const text = `${prefix.replace(/[END]/g, "x")}ENDtail END more`;
          const expected = text.slice(0, text.indexOf("END"));
          const matcher = new StopSequenceMatcher(["END"]);
          let out = "";
          let stopped = false;
          let pos = 0;
          for (const cut of [...cuts, text.length]) {
            if (pos >= text.length || stopped) break;
            const r = matcher.push(text.slice(pos, pos + cut));
            pos += cut;
            out += r.text;
            stopped = r.stopped;
          }
          expect(stopped).toBe(true);
          expect(out).toBe(expected);
        },
      ),
    );
  });

  it("releases held-back text that turns out not to be a stop sequence", () => {
    const matcher = new StopSequenceMatcher(["</s>"]);
    expect(matcher.push("a </")).toEqual({ text: "a ", stopped: false });
    expect(matcher.push("b>")).toEqual({ text: "</b>", stopped: false });
    expect(matcher.push("x</")).toEqual({ text: "x", stopped: false });
    expect(matcher.flush()).toBe("</");
  });
});

describe("isModelUri", () => {
  it("tells model URIs from file paths", () => {
    expect(isModelUri("hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M")).toBe(true);
    expect(isModelUri("https://example.com/model.gguf")).toBe(true);
    expect(isModelUri("../shared/data/models/stories260K.gguf")).toBe(false);
    expect(isModelUri("C:\\models\\a.gguf")).toBe(false);
  });
});
