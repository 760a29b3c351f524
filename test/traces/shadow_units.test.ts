import { describe, expect, it } from "vitest";
import { BudgetTracker, PyramidChatModel } from "../../src/index.js";
import type { Budget } from "../../src/cost/budget_api.js";
import type { PyramidSpec } from "../../src/graph/spec.js";
import type { PyramidStateType } from "../../src/graph/state.js";
import type { PyramidResult } from "../../src/graph/result.js";
import { estimateTierCost } from "../../src/members/estimate.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import type { TrafficMetadata } from "../../src/traces/recorder.js";
import type { ShadowTraceLine } from "../../src/traces/schema.js";
import { ShadowRunner } from "../../src/traces/shadow/shadow_runner.js";
import { seededRandom } from "../../src/utils/random.js";
import { ScriptedChatModel, type ScriptedReply } from "../helpers/scripted_model.js";

// The shadow runner on its own (the fast tests of the traces-shadow mutation scope): which queries it draws, what it
// records for a shadow call, and each reason it skips one. The query it shadows is a real pyramid's (spec and state
// captured from one invoke); only the runner's settings and the apex change between cases.

/** A recorder that keeps the spec and state of the query it was told about. */
class Capture extends TrafficRecorder {
  captured?: { spec: PyramidSpec; state: PyramidStateType };
  override onAnswer(spec: PyramidSpec, state: PyramidStateType, result: PyramidResult, ms: number): TrafficMetadata {
    this.captured = { spec, state };
    return super.onAnswer(spec, state, result, ms);
  }
}

const crowd = (name: string) => ({ name, model: new ScriptedChatModel({ name, reply: "The answer is 5." }) });

/** The spec and state of "What is 2 + 3?" answered 5 by a crowd of three (kept), the apex replying `apex`. */
async function query(apex: ScriptedReply): Promise<{ spec: PyramidSpec; state: PyramidStateType }> {
  const recorder = new Capture({ shadow: { rate: 0 } });
  const model = new PyramidChatModel({
    crowd: [crowd("a"), crowd("b"), crowd("c")],
    oracle: { name: "big", model: new ScriptedChatModel({ name: "big", reply: apex }) },
    task: "math",
    prices: {
      a: { input: 1, output: 1 },
      b: { input: 1, output: 1 },
      c: { input: 1, output: 1 },
      big: { input: 10, output: 10 },
    },
    callbacks: [recorder],
  });
  await model.invoke("What is 2 + 3?");
  if (!recorder.captured) throw new Error("the recorder saw no answer");
  return recorder.captured;
}

const settings = { rate: 1, seed: 1, maxConcurrency: 2, maxQueued: 8 };

/** Schedules one shadow call and returns the line it records. */
async function shadowLine(runner: ShadowRunner, spec: PyramidSpec, state: PyramidStateType): Promise<ShadowTraceLine> {
  const lines: ShadowTraceLine[] = [];
  runner.schedule("q1", spec, state, (line) => lines.push(line));
  expect(lines).toEqual([]); // never before the answer is handed back
  await runner.drain();
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe("ShadowRunner.draw: a seeded fraction of the queries the apex did not answer", () => {
  it("draws random() < rate from the seed, never for a query that reached the apex, never at rate 0", () => {
    const runner = new ShadowRunner({ ...settings, rate: 0.5, seed: 3 });
    const random = seededRandom(3);
    const expected = Array.from({ length: 20 }, () => random() < 0.5);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
    // A query that reached the apex draws nothing and takes no number from the sequence.
    expect(runner.draw(true)).toBe(false);
    expect(Array.from({ length: 20 }, () => runner.draw(false))).toEqual(expected);
    expect(new ShadowRunner({ ...settings, rate: 0 }).draw(false)).toBe(false);
    expect(new ShadowRunner({ ...settings, rate: 1 }).draw(false)).toBe(true);
  });
});

describe("ShadowRunner.schedule: the apex's answer on a later turn, its agreement and cost", () => {
  it("records the apex's answer, that it agrees, its cost (in the totals, not the answer's) and its latency", async () => {
    const { spec, state } = await query("The answer is 5.");
    const runner = new ShadowRunner(settings);
    const line = await shadowLine(runner, spec, state);
    expect(line).toMatchObject({ type: "shadow", id: "q1", apexAnswer: "5", agrees: true });
    expect(line.error).toBeUndefined();
    expect(line.skipped).toBeUndefined();
    expect(line.costUsd).toBeGreaterThan(0);
    expect(line.latencyMs).toBeGreaterThanOrEqual(0);
    expect(line.latencyMs).toBeLessThan(3_600_000); // a duration, not a clock reading
    expect(Date.parse(line.time)).toBeGreaterThan(0);
    expect(runner.stats).toEqual({ scheduled: 1, completed: 1, skipped: 0, costUsd: line.costUsd });
  });

  it("records a disagreement, and no agreement when the apex gives no answer (its error, secrets redacted)", async () => {
    const other = await query("The answer is 6.");
    const line = await shadowLine(new ShadowRunner(settings), other.spec, other.state);
    expect(line).toMatchObject({ apexAnswer: "6", agrees: false });
    const failing = await query(new Error("upstream refused key sk-abcdefghijklmnopqrstuvwxyz123456"));
    const failed = await shadowLine(new ShadowRunner(settings), failing.spec, failing.state);
    expect(failed).toMatchObject({ apexAnswer: null, agrees: null });
    expect(failed.error).toMatch(/^big: .*upstream refused key/);
    expect(failed.error).not.toContain("sk-abcdefghijklmnopqrstuvwxyz123456");
  });

  it("shadows a state without a crowd run: no crowd answer to agree with, the estimate without crowd outputs", async () => {
    const { spec, state } = await query("The answer is 5.");
    const line = await shadowLine(new ShadowRunner(settings), spec, { ...state, tiers: [] });
    expect(line).toMatchObject({ apexAnswer: "5", agrees: false });
    expect(line.error).toBeUndefined();
  });

  it("records a call that throws as an error line, and survives a recorder that throws", async () => {
    const { spec, state } = await query("The answer is 5.");
    const broken = { ...state, messages: undefined } as unknown as PyramidStateType;
    const runner = new ShadowRunner(settings);
    const line = await shadowLine(runner, spec, broken);
    expect(line).toMatchObject({ type: "shadow", id: "q1", apexAnswer: null, agrees: null, costUsd: 0, latencyMs: 0 });
    expect(line.error).toMatch(/\S/);
    runner.schedule("q2", spec, state, () => {
      throw new Error("the trace file is gone");
    });
    await runner.drain();
    expect(runner.stats.scheduled).toBe(2);
  });
});

describe("ShadowRunner skips: too many waiting, the cost cap, the budget", () => {
  it("skips a draw when maxQueued calls already wait, saying how many", async () => {
    const { spec, state } = await query("The answer is 5.");
    const runner = new ShadowRunner({ ...settings, maxConcurrency: 1, maxQueued: 1 });
    const lines: ShadowTraceLine[] = [];
    // The first runs, the second waits, the third finds one waiting: skipped.
    for (const id of ["q1", "q2", "q3"]) runner.schedule(id, spec, state, (line) => lines.push(line));
    await runner.drain();
    const skipped = lines.filter((line) => line.skipped !== undefined);
    expect(skipped.map((line) => [line.id, line.skipped])).toEqual([["q3", "1 shadow calls already waiting"]]);
    expect(runner.stats).toMatchObject({ scheduled: 3, completed: 2, skipped: 1 });
  });

  it("skips when the spent cost plus the apex's estimate would pass maxCostPerQuery, not when it meets it", async () => {
    const { spec, state } = await query("The answer is 5.");
    const apex = spec.tiers[spec.tiers.length - 1];
    const estimate = estimateTierCost(apex.members, state.messages, state.tiers[0].candidates);
    const spent = state.tiers.reduce((sum, run) => sum + run.costUsd, 0);
    expect(estimate).toBeGreaterThan(0);
    expect(spent).toBeGreaterThan(0);
    const capped = await shadowLine(new ShadowRunner(settings), { ...spec, maxCostPerQuery: spent }, state);
    expect(capped).toMatchObject({ skipped: `maxCostPerQuery ${spent} USD would be exceeded`, costUsd: 0 });
    const exact = await shadowLine(new ShadowRunner(settings), { ...spec, maxCostPerQuery: spent + estimate }, state);
    expect(exact.skipped).toBeUndefined();
    expect(exact.agrees).toBe(true);
    // What the crowd spent counts: a cap of the estimate alone is passed.
    const alone = await shadowLine(new ShadowRunner(settings), { ...spec, maxCostPerQuery: estimate }, state);
    expect(alone.skipped).toBe(`maxCostPerQuery ${estimate} USD would be exceeded`);
    // The estimate reads the crowd's outputs (their length): without them it is another figure.
    const blind = estimateTierCost(apex.members, state.messages, []);
    expect(blind).not.toBe(estimate);
    const between = spent + (estimate + blind) / 2;
    const cut = await shadowLine(new ShadowRunner(settings), { ...spec, maxCostPerQuery: between }, state);
    expect(cut.skipped !== undefined).toBe(estimate > blind);
  });

  it("skips when the budget cannot hold the estimate, or cannot be reached, and records the spend in the budget", async () => {
    const { spec, state } = await query("The answer is 5.");
    const empty = new ShadowRunner(settings);
    const none = await shadowLine(empty, { ...spec, budget: new BudgetTracker(0) }, state);
    expect(none.skipped).toBe("the budget would be exceeded (0.000000 USD left)");
    expect(empty.stats).toEqual({ scheduled: 1, completed: 0, skipped: 1, costUsd: 0 });
    const down: Budget = {
      ...new BudgetTracker(1),
      limitUsd: 1,
      window: "total",
      reserve: () => Promise.reject(new Error("redis at 127.0.0.1:1 refused password hunter2secret")),
      settle: () => Promise.resolve(),
      charge: () => Promise.resolve(),
      remainingUsd: () => Promise.resolve(1),
    };
    const unreachable = await shadowLine(new ShadowRunner(settings), { ...spec, budget: down }, state);
    expect(unreachable.skipped).toMatch(/^the budget could not be reserved: Error: redis at 127\.0\.0\.1:1 refused/);
    // An overspent budget says 0 USD left, not a negative amount.
    const overspent = new BudgetTracker(1);
    await overspent.charge(3);
    const over = await shadowLine(new ShadowRunner(settings), { ...spec, budget: overspent }, state);
    expect(over.skipped).toBe("the budget would be exceeded (0.000000 USD left)");
    const budget = new BudgetTracker(1);
    const paid = await shadowLine(new ShadowRunner(settings), { ...spec, budget }, state);
    expect(paid.skipped).toBeUndefined();
    expect(await budget.remainingUsd()).toBeCloseTo(1 - paid.costUsd, 12);
  });
});
