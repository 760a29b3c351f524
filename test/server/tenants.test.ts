import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { BudgetTracker, PyramidChatModel } from "../../src/index.js";
import { createPyramidServer, PyramidMetrics } from "../../src/server/index.js";
import type { PyramidServer, ServerTenant } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { parseMetrics, sampleValue } from "../helpers/metrics_text.js";

const running: PyramidServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** A crowd that always splits (so every query wants the Oracle); every call is 11 tokens at 1000 USD/M = 0.011 USD. */
function splitPyramid(budget?: BudgetTracker) {
  const crowd = ["1", "2", "3"].map((answer, i) => new ScriptedChatModel({ name: `small-${i}`, reply: answer }));
  const oracle = new ScriptedChatModel({ name: "big", reply: "4" });
  const price = { input: 1000, output: 1000 };
  const prices = { "small-0": price, "small-1": price, "small-2": price, big: price };
  return new PyramidChatModel({ crowd, oracle, prices, task: "math", ...(budget ? { budget } : {}) });
}

async function serve(tenants: ServerTenant[], budget?: BudgetTracker) {
  const metrics = new PyramidMetrics();
  const server = createPyramidServer({ model: splitPyramid(budget), tenants, metrics });
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
  it("answers 401 for an unknown key, 402 once a tenant's budget is spent, 429 over its requests per minute; the openai client reads them", async () => {
    const aBudget = new BudgetTracker(0.05, "day");
    const { client, url } = await serve([
      { name: "team-a", key: "key-a", budget: aBudget },
      { name: "team-b", key: "key-b", requestsPerMinute: 2 },
    ]);
    const a = client("key-a");
    const b = client("key-b");

    const unknown = await failure(ask(client("key-c")));
    expect(unknown?.status).toBe(401);

    // Query 1: crowd 0.033 + Oracle 0.011 = 0.044 of 0.05. Query 2: the crowd (0.033) answers, the Oracle no longer fits.
    const first = await a.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "q1" }] })
      .withResponse();
    expect(first.response.headers.get("x-pyramid-tenant")).toBe("team-a");
    expect(first.response.headers.get("x-pyramid-budget-remaining-usd")).toBe("0.050000");
    expect((first.data as unknown as { pyramid: { escalated: boolean } }).pyramid.escalated).toBe(true);
    const second = await a.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "q2" }] })
      .withResponse();
    expect(second.response.headers.get("x-pyramid-budget-remaining-usd")).toBe("0.006000");
    expect((second.data as unknown as { pyramid: { escalated: boolean } }).pyramid.escalated).toBe(false);

    const spent = await failure(ask(a));
    expect(spent).toBeInstanceOf(OpenAI.APIError);
    expect(spent?.status).toBe(402);
    expect(spent?.code).toBe("insufficient_quota");
    expect(spent?.type).toBe("insufficient_quota");
    expect(spent?.message).toMatch(/tenant "team-a" has spent its budget of 0\.05 USD \(day\)/);
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
    expect(sampleValue(samples, "pyramid_requests_total", { tenant: "team-a", status: "402" })).toBe(1);
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
    expect(sampleValue(samples, "pyramid_budget_remaining_usd", { budget: "team-a" })).toBeCloseTo(0.05 - 0.077, 9);
    expect(sampleValue(samples, "pyramid_tokens_total", { tenant: "team-b", type: "input" })).toBe(2 * 40);
    expect(sampleValue(samples, "pyramid_tier_latency_seconds_count", { tenant: "team-b", tier: "oracle" })).toBe(2);
    expect(sampleValue(samples, "pyramid_tier_latency_seconds_count", { tenant: "team-b", tier: "crowd" })).toBe(2);
    expect(sampleValue(samples, "pyramid_request_duration_seconds_count", { tenant: "team-a" })).toBe(3);
    expect(sampleValue(samples, "pyramid_degraded_answers_total", { tenant: "team-a" })).toBeUndefined();
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
