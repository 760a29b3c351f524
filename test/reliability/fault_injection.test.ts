import { describe, expect, it } from "vitest";
import { PyramidChatModel, PyramidError, ModelCallError } from "../../src/index.js";
import type { MemberInput, PyramidMetadata } from "../../src/index.js";
import { worstCaseCallMs } from "../../src/members/backoff.js";
import { liveMemberCalls } from "../../src/members/live.js";
import { CallCounter, FaultyChatModel, httpError, networkError } from "./fault_model.js";
import type { FaultStep } from "./fault_model.js";

const SEED = 20260522;
const QUERIES = 1000;
/** Queries in flight at once (each runs its tiers one after the other, its members in parallel). */
const WINDOW = 10;

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a hash of a string, to seed one PRNG per (member, query, call). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface MemberPlan {
  readonly name: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly backoffMs: number;
  readonly jitter: boolean;
}

/** The fault a call meets: deterministic in (seed, member, query, call), independent of scheduling. */
function stepFor(member: MemberPlan, prompt: string, call: number): FaultStep {
  const random = prng(hash(`${SEED}|${member.name}|${prompt}|${call}`));
  const roll = random();
  const fast = Math.floor(random() * 3);
  if (roll < 0.5)
    return {
      kind: "answer",
      text: `The answer is ${random() < 0.7 ? 1 : 2 + Math.floor(random() * 3)}.`,
      delayMs: fast,
    };
  if (roll < 0.6)
    return { kind: "answer", text: `${1 + Math.floor(random() * 2)}`, delayMs: Math.floor(member.timeoutMs / 4) };
  if (roll < 0.68) return { kind: "error", error: httpError(429, "429 Rate limit reached"), delayMs: fast };
  if (roll < 0.76) return { kind: "error", error: httpError(random() < 0.5 ? 500 : 503), delayMs: fast };
  if (roll < 0.82) return { kind: "error", error: networkError(), delayMs: fast };
  if (roll < 0.87) return { kind: "error", error: httpError(400, "400 invalid request"), delayMs: fast };
  if (roll < 0.96) return { kind: "hang" };
  return { kind: "stuck" };
}

const TIERS: ReadonlyArray<{ name: string; members: MemberPlan[] }> = [
  {
    name: "crowd",
    members: [
      { name: "small-a", timeoutMs: 30, retries: 2, backoffMs: 2, jitter: true },
      { name: "small-b", timeoutMs: 25, retries: 1, backoffMs: 3, jitter: false },
      { name: "small-c", timeoutMs: 35, retries: 0, backoffMs: 2, jitter: false },
    ],
  },
  {
    name: "mid",
    members: [
      { name: "mid-a", timeoutMs: 30, retries: 1, backoffMs: 2, jitter: true },
      { name: "mid-b", timeoutMs: 30, retries: 2, backoffMs: 2, jitter: false },
    ],
  },
  { name: "apex", members: [{ name: "big", timeoutMs: 40, retries: 1, backoffMs: 4, jitter: true }] },
];

const PRICES: Record<string, { input: number; output: number }> = {
  "small-a": { input: 0.1, output: 0.2 },
  "small-b": { input: 0.15, output: 0.3 },
  "small-c": { input: 0.05, output: 0.1 },
  "mid-a": { input: 0.6, output: 1.2 },
  "mid-b": { input: 0.8, output: 1.6 },
  big: { input: 3, output: 15 },
};

/** Wall-time bound of one query from the configuration: tiers in sequence, each as slow as its slowest member. */
const WORST_CASE_MS = TIERS.reduce((sum, tier) => sum + Math.max(...tier.members.map(worstCaseCallMs)), 0);
/** Generous allowance for event-loop lag with 10 queries in flight on a loaded 2-core machine (each query costs ~10-20 ms of CPU in LangChain/LangGraph). */
const MARGIN_MS = 5_000;

type Outcome =
  | { kind: "answer"; prompt: string; pyramid: PyramidMetadata; content: unknown; wallMs: number; onApexError: string }
  | { kind: "error"; prompt: string; error: unknown; wallMs: number; onApexError: string };

describe("fault injection: 1,000 queries through a 3-tier pyramid whose members fail, hang and dawdle", () => {
  // ~6,000 member calls cost ~15 s of CPU in LangChain/LangGraph; the limit only guards against a hang on a loaded machine.
  it("answers or fails clearly, with complete traces, exact costs, bounded retries and bounded wall time", {
    timeout: 180_000,
  }, async () => {
    const counter = new CallCounter();
    const models = new Map<string, FaultyChatModel>();
    for (const tier of TIERS) {
      for (const member of tier.members) {
        models.set(
          member.name,
          new FaultyChatModel({ name: member.name, counter, plan: (prompt, call) => stepFor(member, prompt, call) }),
        );
      }
    }
    const tiers = TIERS.map((tier) => ({
      name: tier.name,
      models: tier.members.map(
        (member): MemberInput => ({
          model: models.get(member.name) as FaultyChatModel,
          timeoutMs: member.timeoutMs,
          retries: member.retries,
          backoffMs: member.backoffMs,
          jitter: member.jitter,
        }),
      ),
    }));
    const pyramids = {
      crowd: new PyramidChatModel({
        tiers,
        prices: PRICES,
        task: "math",
        policy: { threshold: 0.3 },
        onApexError: "crowd",
      }),
      throw: new PyramidChatModel({
        tiers,
        prices: PRICES,
        task: "math",
        policy: { threshold: 0.3 },
        onApexError: "throw",
      }),
    };

    const timersBefore = process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const outcomes: Outcome[] = [];
    const started = performance.now();
    for (let first = 0; first < QUERIES; first += WINDOW) {
      const window = Array.from({ length: Math.min(WINDOW, QUERIES - first) }, async (_, offset) => {
        const i = first + offset;
        const prompt = `q${i}: what is 0 + 1?`;
        const onApexError = i % 4 === 3 ? "throw" : "crowd";
        const t0 = performance.now();
        try {
          const message = await pyramids[onApexError].invoke(prompt);
          const pyramid = message.response_metadata.pyramid as PyramidMetadata;
          outcomes.push({
            kind: "answer",
            prompt,
            pyramid,
            content: message.content,
            wallMs: performance.now() - t0,
            onApexError,
          });
        } catch (error) {
          outcomes.push({ kind: "error", prompt, error, wallMs: performance.now() - t0, onApexError });
        }
      });
      await Promise.all(window);
    }
    const elapsedMs = performance.now() - started;

    expect(outcomes).toHaveLength(QUERIES);
    const tally = {
      crowd: 0,
      escalated: 0,
      apexAnswered: 0,
      degraded: 0,
      thrown: 0,
      allCrowdFailed: 0,
      memberFailures: 0,
    };
    const apexIndex = TIERS.length - 1;
    let slowest = 0;

    for (const outcome of outcomes) {
      slowest = Math.max(slowest, outcome.wallMs);
      // Nothing hangs past its timeouts.
      expect(outcome.wallMs, `${outcome.prompt} took ${outcome.wallMs} ms`).toBeLessThanOrEqual(
        WORST_CASE_MS + MARGIN_MS,
      );

      // Retries never exceed the configured retries; tiers that did not run made no calls.
      const callsByTier = TIERS.map((tier) =>
        tier.members.map((member) => (models.get(member.name) as FaultyChatModel).callsFor(outcome.prompt)),
      );
      for (const [t, tier] of TIERS.entries()) {
        for (const [m, member] of tier.members.entries())
          expect(callsByTier[t][m]).toBeLessThanOrEqual(member.retries + 1);
      }

      if (outcome.kind === "error") {
        tally.thrown++;
        expect(outcome.error).toBeInstanceOf(PyramidError);
        expect(outcome.error).toBeInstanceOf(ModelCallError);
        const message = (outcome.error as Error).message;
        expect(message).toMatch(/every member of the apex tier failed|no tier produced an answer/);
        expect(message).toContain("Fix:");
        // The apex was reached and every one of its calls failed.
        expect(callsByTier[apexIndex][0]).toBeGreaterThan(0);
        continue;
      }

      const { pyramid } = outcome;
      // Complete trace: tiers 0..k ran, one candidate per member per tier run, in member order.
      const ranTiers = [...new Set(pyramid.candidates.map((c) => c.tier))];
      const k = ranTiers.length - 1;
      expect(ranTiers).toEqual(Array.from({ length: k + 1 }, (_, t) => t));
      for (let t = 0; t <= k; t++) {
        expect(pyramid.candidates.filter((c) => c.tier === t).map((c) => c.model)).toEqual(
          TIERS[t].members.map((m) => m.name),
        );
        for (const m of TIERS[t].members.keys()) expect(callsByTier[t][m]).toBeGreaterThan(0);
      }
      for (let t = k + 1; t <= apexIndex; t++) expect(callsByTier[t].every((calls) => calls === 0)).toBe(true);

      // Decisions: one per judged tier; escalated on every boundary crossed, and only there.
      expect(pyramid.decisions).toHaveLength(Math.min(k + 1, apexIndex));
      pyramid.decisions.forEach((decision, d) => {
        expect(decision.tier).toBe(d);
        expect(decision.tierName).toBe(TIERS[d].name);
        expect(decision.escalated).toBe(d < k);
        const tierCandidates = pyramid.candidates.filter((c) => c.tier === d);
        const pool = pyramid.candidates.filter((c) => c.tier <= d);
        expect(decision.features.members_answered).toBe(pool.filter((c) => c.error === undefined).length);
        if (tierCandidates.every((c) => c.error !== undefined)) {
          expect(decision).toMatchObject({ escalated: true, pFail: 1, reason: "every member of this tier failed" });
          if (d === 0) tally.allCrowdFailed++;
        } else {
          expect(decision.reason).toBeUndefined();
          expect(decision.escalated).toBe(decision.pFail > decision.threshold);
        }
        // A failed member's per-member features are absent (NaN), never a guess (positions index the pool).
        pool.forEach((c, position) => {
          if (c.error !== undefined) expect(decision.features[`agrees_with_majority_${position}`]).toBeNaN();
        });
      });
      expect(pyramid.escalated).toBe(k > 0);

      // The answer comes from the last tier run, or from below when the apex failed (degraded).
      const apexFailed =
        k === apexIndex && pyramid.candidates.filter((c) => c.tier === apexIndex).every((c) => c.error !== undefined);
      if (apexFailed) {
        expect(outcome.onApexError).toBe("crowd");
        expect(pyramid.degraded).toBe(true);
        expect(pyramid.error).toMatch(/^apex failed: big: /);
        expect(pyramid.tier).toBeLessThan(apexIndex);
        tally.degraded++;
      } else {
        expect(pyramid.degraded).toBeUndefined();
        expect(pyramid.tier).toBe(k);
        if (k === apexIndex) tally.apexAnswered++;
      }
      if (k === 0) tally.crowd++;
      else tally.escalated++;
      const chosen = pyramid.candidates.filter((c) => c.tier === pyramid.tier);
      expect(chosen.some((c) => c.error === undefined)).toBe(true);

      // Cost accounting: total = sum of candidate costs = sum over tiers; failed calls cost nothing.
      const candidateSum = pyramid.candidates.reduce((sum, c) => sum + c.costUsd, 0);
      const tierSum = Object.values(pyramid.cost.byTier).reduce((sum, v) => sum + v, 0);
      expect(pyramid.cost.total).toBeCloseTo(candidateSum, 12);
      expect(pyramid.cost.total).toBeCloseTo(tierSum, 12);
      expect(Object.keys(pyramid.cost.byTier)).toEqual(TIERS.slice(0, k + 1).map((tier) => tier.name));
      for (const c of pyramid.candidates) {
        if (c.error !== undefined) {
          tally.memberFailures++;
          expect(c.costUsd).toBe(0);
          expect(c.answer).toBeNull();
          expect(c.error).toMatch(
            /^(TimeoutError: model ".+" timed out after \d+ ms|Error: (429 Rate limit reached|50[03] status code|400 invalid request)|TypeError: fetch failed)/,
          );
        } else {
          expect(c.costUsd).toBeGreaterThan(0);
        }
      }
    }

    // Every fault path was exercised (the test would be vacuous otherwise).
    for (const [name, count] of Object.entries(tally)) expect(count, name).toBeGreaterThan(0);

    // Nothing is left running: no call in progress, no pending retry, no timer.
    await new Promise((resolve) => setImmediate(resolve));
    expect(counter.live).toBe(0);
    expect(liveMemberCalls()).toBe(0);
    expect(process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length).toBeLessThanOrEqual(
      timersBefore,
    );

    console.info(
      `fault injection: ${QUERIES} queries in ${(elapsedMs / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms ` +
        `(bound ${WORST_CASE_MS} ms + ${MARGIN_MS} ms margin), ${counter.started} member calls, ${JSON.stringify(tally)}`,
    );
  });
});
