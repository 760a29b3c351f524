import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context as otelContext, trace } from "@opentelemetry/api";
import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  Link,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
  TracerProvider,
} from "@opentelemetry/api";
import OpenAI from "openai";
import { BudgetLedger, PyramidChatModel } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

/** A finished span as the in-test provider records it. */
interface Recorded {
  name: string;
  id: string;
  parentId?: string;
  attributes: Attributes;
  status?: SpanStatus;
  ended: boolean;
}

let next = 0;

/** A minimal recording Span implementing the @opentelemetry/api interface (no SDK). */
class RecordingSpan implements Span {
  private readonly context: SpanContext;
  constructor(
    private readonly record: Recorded,
    traceId: string,
  ) {
    this.context = { traceId, spanId: record.id, traceFlags: 1 };
  }
  spanContext(): SpanContext {
    return this.context;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.record.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.record.attributes, attributes);
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(_link: Link): this {
    return this;
  }
  addLinks(_links: Link[]): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.record.status = status;
    return this;
  }
  updateName(name: string): this {
    this.record.name = name;
    return this;
  }
  end(_endTime?: TimeInput): void {
    this.record.ended = true;
  }
  isRecording(): boolean {
    return !this.record.ended;
  }
  recordException(_exception: Exception): void {}
}

class RecordingTracer implements Tracer {
  constructor(private readonly spans: Recorded[]) {}
  startSpan(name: string, options: SpanOptions = {}, context: Context = otelContext.active()): Span {
    const parent = trace.getSpan(context)?.spanContext();
    const record: Recorded = {
      name,
      id: (++next).toString(16).padStart(16, "0"),
      parentId: parent?.spanId,
      attributes: { ...options.attributes },
      ended: false,
    };
    this.spans.push(record);
    return new RecordingSpan(record, parent?.traceId ?? (++next).toString(16).padStart(32, "0"));
  }
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...args: unknown[]): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    return fn(this.startSpan(name)) as ReturnType<F>;
  }
}

const spans: Recorded[] = [];
const provider: TracerProvider = { getTracer: () => new RecordingTracer(spans) };

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
});
afterAll(() => {
  trace.disable();
});

describe("OpenTelemetry spans (GenAI semantic conventions)", () => {
  it("records a query span with the tenant, a span per tier and a chat span per member, without prompt text", async () => {
    const crowd = ["1", "2", "3"].map((answer, i) => new ScriptedChatModel({ name: `small-${i}`, reply: answer }));
    const oracle = new ScriptedChatModel({ name: "big", reply: "4" });
    const model = new PyramidChatModel({ crowd, oracle, task: "math", prices: { big: { input: 1000, output: 1000 } } });
    const server = createPyramidServer({ model, tenants: [{ name: "team-a", key: "key-a" }] });
    const { url } = await server.listen(0, "127.0.0.1");
    try {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "key-a", maxRetries: 0 });
      await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "secret question" }] });
    } finally {
      await server.close();
    }
    const query = spans.find((s) => s.name === "invoke_agent pyramid-moa");
    expect(query).toBeDefined();
    expect(query?.attributes).toMatchObject({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.request.model": "big",
      "pyramid.tenant": "team-a",
      "pyramid.escalated": true,
      "pyramid.answer.tier": 1,
      "gen_ai.usage.input_tokens": 40,
      "gen_ai.usage.output_tokens": 4,
    });
    expect(query?.attributes["pyramid.cost_usd"]).toBeCloseTo(0.011, 12);
    const tiers = spans.filter((s) => s.parentId === query?.id);
    expect(tiers.map((s) => s.name)).toEqual(["tier crowd", "tier oracle"]);
    const members = spans.filter((s) => tiers.some((t) => t.id === s.parentId));
    expect(members.map((s) => s.name).sort()).toEqual(["chat big", "chat small-0", "chat small-1", "chat small-2"]);
    const big = members.find((s) => s.name === "chat big");
    expect(big?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "big",
      "gen_ai.provider.name": "scripted",
      "gen_ai.usage.input_tokens": 10,
      "gen_ai.usage.output_tokens": 1,
    });
    expect(big?.parentId).toBe(tiers[1].id);
    expect(spans.every((s) => s.ended)).toBe(true);
    expect(JSON.stringify(spans)).not.toContain("secret question");
  });

  it("marks a failed member's span with error.type and an error status", async () => {
    spans.length = 0;
    const crowd = [
      new ScriptedChatModel({ name: "ok", reply: "1" }),
      new ScriptedChatModel({ name: "bad", reply: new Error("HTTP 503 upstream") }),
    ];
    const model = new PyramidChatModel({
      crowd,
      oracle: new ScriptedChatModel({ name: "big", reply: "1" }),
      task: "math",
    });
    await model.invoke("q", { ledger: new BudgetLedger({ account: "t" }) });
    const bad = spans.find((s) => s.name === "chat bad");
    expect(bad?.attributes["error.type"]).toBe("503");
    expect(bad?.status?.code).toBe(2);
    expect(spans.find((s) => s.name === "invoke_agent pyramid-moa")?.attributes["pyramid.tenant"]).toBe("t");
  });
});
