import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { BudgetTracker, PyramidChatModel } from "../../src/index.js";
import { createPyramidServer, PyramidMetrics, TenantGate } from "../../src/server/index.js";
import { InProcessRateLimiter } from "../../src/redis/index.js";
import type { PyramidServer, ServerTenant } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { parseMetrics, sampleValue } from "../helpers/metrics_text.js";

const running: PyramidServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/**
 * A crowd that always splits (so every query wants the Oracle); every call is 11 tokens at 1000 USD/M = 0.011 USD,
 * and every member declares the one output token it writes as its `maxTokens` (what the holds assume).
 */
function splitPyramid(budget?: BudgetTracker, delayMs = 0) {
  const crowd = ["1", "2", "3"].map(
    (answer, i) => new ScriptedChatModel({ name: `small-${i}`, reply: answer, delayMs, maxTokens: 1 }),
  );
  const oracle = new ScriptedChatModel({ name: "big", reply: "4", maxTokens: 1 });
  const price = { input: 1000, output: 1000 };
  const prices = { "small-0": price, "small-1": price, "small-2": price, big: price };
  return new PyramidChatModel({ crowd, oracle, prices, task: "math", ...(budget ? { budget } : {}) });
}

async function serve(tenants: ServerTenant[], budget?: BudgetTracker, delayMs = 0) {
  const metrics = new PyramidMetrics();
  const server = createPyramidServer({ model: splitPyramid(budget, delayMs), tenants, metrics });
  running.push(server);
  const { url } = await server.listen(0, "127.0.0.1");
  const client = (key: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 });
  return { url, client };
}

const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: "pyramid-moa", messages: [{ role: "user", content: "q" }] });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

describe("pyramid server tenants", () => {
  it("answers 401 for an unknown key, 402 before a tenant's crowd would overspend its budget, 429 over its requests per minute; the openai client reads them", async () => {
    const aBudget = new BudgetTracker(0.08, "day");
    const { client, url } = await serve([
      { name: "team-a", key: "key-a", budget: aBudget },
      { name: "team-b", key: "key-b", requestsPerMinute: 2 },
    ]);
    const a = client("key-a");
    const b = client("key-b");

    const unknown = await failure(ask(client("key-c")));
    expect(unknown?.status).toBe(401);

    // Query 1: crowd 0.033 + Oracle 0.011 = 0.044 of 0.08 (0.036 left). Query 2: the crowd's 0.033 is held and
    // settled (0.003 left), so the Oracle no longer fits and the crowd answers.
    const first = await a.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "q1" }] })
      .withResponse();
    expect(first.response.headers.get("x-pyramid-tenant")).toBe("team-a");
    expect(first.response.headers.get("x-pyramid-budget-remaining-usd")).toBe("0.080000");
    expect((first.data as unknown as { pyramid: { escalated: boolean } }).pyramid.escalated).toBe(true);
    const second = await a.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "q2" }] })
      .withResponse();
    expect(second.response.headers.get("x-pyramid-budget-remaining-usd")).toBe("0.036000");
    expect((second.data as unknown as { pyramid: { escalated: boolean } }).pyramid.escalated).toBe(false);
    expect(await aBudget.remainingUsd()).toBeCloseTo(0.003, 9);

    // Query 3: 0.003 left is less than a crowd costs (the running mean of answered requests, 0.033): refused
    // before anything is spent.
    const short = await failure(ask(a));
    expect(short?.status).toBe(402);
    expect(short?.code).toBe("insufficient_quota");
    expect(short?.message).toMatch(
      /tenant "team-a" has 0\.003000 USD left of its budget of 0\.08 USD \(day\), less than this request's crowd can cost \(up to 0\.033000 USD\)/,
    );
    expect(short?.headers?.get("x-pyramid-budget-remaining-usd")).toBe("0.003000");
    expect(await aBudget.remainingUsd()).toBeCloseTo(0.003, 9);

    // Spent to the last cent: the plain 402, with retry-after until the window resets.
    await aBudget.charge(0.003);
    const spent = await failure(ask(a));
    expect(spent).toBeInstanceOf(OpenAI.APIError);
    expect(spent?.status).toBe(402);
    expect(spent?.code).toBe("insufficient_quota");
    expect(spent?.type).toBe("insufficient_quota");
    expect(spent?.message).toMatch(/tenant "team-a" has spent its budget of 0\.08 USD \(day\)/);
    expect(spent?.headers?.get("x-pyramid-budget-remaining-usd")).toBe("0.000000");
    const untilMidnight = Number(spent?.headers?.get("retry-after"));
    expect(untilMidnight).toBeGreaterThan(0);
    expect(untilMidnight).toBeLessThanOrEqual(86_400);

    expect((await ask(b)).choices[0].message.content).toBe("4");
    expect((await ask(b)).choices[0].message.content).toBe("4");
    const limited = await failure(ask(b));
    expect(limited?.status).toBe(429);
    expect(limited?.code).toBe("rate_limit_exceeded");
    expect(limited?.type).toBe("requests");
    const retry = Number(limited?.headers?.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(30);

    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parseMetrics(await metrics.text());
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "team-a", status: "200" })).toBe(2);
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "team-a", status: "402" })).toBe(2);
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "team-b", status: "200" })).toBe(2);
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "team-b", status: "429" })).toBe(1);
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "default" })).toBeUndefined();
    expect(sampleValue(samples, "pyramid_rate_limited_total", { tenant: "team-b", limit: "requests" })).toBe(1);
    expect(
      sampleValue(samples, "pyramid_escalations_total", { tenant: "team-a", from_tier: "crowd", to_tier: "oracle" }),
    ).toBe(1);
    expect(
      sampleValue(samples, "pyramid_escalations_total", { tenant: "team-b", from_tier: "crowd", to_tier: "oracle" }),
    ).toBe(2);
    expect(sampleValue(samples, "pyramid_cost_usd_total", { tenant: "team-a" })).toBeCloseTo(0.044 + 0.033, 9);
    expect(sampleValue(samples, "pyramid_oracle_only_cost_usd_total", { tenant: "team-a" })).toBeCloseTo(
      0.011 + 0.011,
      9,
    );
    expect(sampleValue(samples, "pyramid_budget_remaining_usd", { budget: "team-a" })).toBeCloseTo(0, 9);
    expect(sampleValue(samples, "pyramid_tokens_total", { tenant: "team-b", type: "input" })).toBe(2 * 40);
    expect(sampleValue(samples, "pyramid_tier_latency_seconds_count", { tenant: "team-b", tier: "oracle" })).toBe(2);
    expect(sampleValue(samples, "pyramid_tier_latency_seconds_count", { tenant: "team-b", tier: "crowd" })).toBe(2);
    expect(sampleValue(samples, "pyramid_request_duration_seconds_count", { tenant: "team-a" })).toBe(4);
    expect(sampleValue(samples, "pyramid_degraded_answers_total", { tenant: "team-a" })).toBeUndefined();
  });

  it("holds each request's crowd cost before it runs: of three at once with room for one crowd, one is answered", async () => {
    const budget = new BudgetTracker(0.084, "day");
    const { client } = await serve([{ name: "team-a", key: "key-a", budget }], undefined, 300);
    const a = client("key-a");
    await ask(a); // 0.044 spent; the crowd's running mean is now 0.033
    const statuses = await Promise.all(
      [1, 2, 3].map((i) =>
        a.chat.completions.create({ model: "m", messages: [{ role: "user", content: `q${i}` }] }).then(
          () => 200,
          (e: unknown) => (e as InstanceType<typeof OpenAI.APIError>).status,
        ),
      ),
    );
    expect(statuses.sort()).toEqual([200, 402, 402]);
    // 0.04 left paid for one crowd (0.033); its escalation (0.011) no longer fitted; nothing was overspent.
    expect(await budget.remainingUsd()).toBeCloseTo(0.007, 9);
  });

  it("a hold the crowd never settled is released by the request's ledger, and only once", async () => {
    const budget = new BudgetTracker(1, "day");
    const gate = new TenantGate([{ name: "t", key: "k", budget }], new InProcessRateLimiter(), undefined);
    const admitted = await gate.admit({ authorization: "Bearer k" });
    const ledger = gate.ledgerFor(admitted);
    await gate.holdCrowd(admitted, ledger, 0.25);
    expect(await budget.remainingUsd()).toBeCloseTo(0.75, 9);
    await ledger.release();
    await ledger.release();
    expect(await budget.remainingUsd()).toBeCloseTo(1, 9);
  });

  it("a settled hold is not released: the crowd's real cost stays spent", async () => {
    const budget = new BudgetTracker(1, "day");
    const gate = new TenantGate([{ name: "t", key: "k", budget }], new InProcessRateLimiter(), undefined);
    const admitted = await gate.admit({ authorization: "Bearer k" });
    const ledger = gate.ledgerFor(admitted);
    await gate.holdCrowd(admitted, ledger, 0.25);
    await ledger.settle(0, 0.1);
    await ledger.release();
    expect(await budget.remainingUsd()).toBeCloseTo(0.9, 9);
  });

  it("counts member errors and degraded answers", async () => {
    const crowd = ["1", "2", "3"].map((answer, i) => new ScriptedChatModel({ name: `small-${i}`, reply: answer }));
    const model = new PyramidChatModel({
      crowd,
      oracle: new ScriptedChatModel({ name: "big", reply: new Error("down") }),
      task: "math",
    });
    const server = createPyramidServer({ model });
    running.push(server);
    const { url } = await server.listen(0, "127.0.0.1");
    const answer = await ask(new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 }));
    expect(answer.choices[0].message.content).toBe("1");
    const samples = parseMetrics(await (await fetch(`${url}/metrics`)).text());
    expect(sampleValue(samples, "pyramid_degraded_answers_total", { tenant: "default" })).toBe(1);
    expect(
      sampleValue(samples, "pyramid_member_errors_total", { tenant: "default", tier: "oracle", member: "big" }),
    ).toBe(1);
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "default", status: "200" })).toBe(1);
  });

  it("takes --token-env's token as the tenant default beside the tenants, and keeps /metrics off when asked", async () => {
    const server = createPyramidServer({
      model: splitPyramid(),
      token: "admin",
      tenants: [{ name: "t", key: "k" }],
      metrics: false,
    });
    running.push(server);
    const { url } = await server.listen(0, "127.0.0.1");
    const admin = await new OpenAI({ baseURL: `${url}/v1`, apiKey: "admin", maxRetries: 0 }).chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "q" }] })
      .withResponse();
    expect(admin.response.headers.get("x-pyramid-tenant")).toBe("default");
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });
});
