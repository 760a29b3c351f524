import { describe, expect, it } from "vitest";
import { AIMessage, AIMessageChunk, HumanMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import type { StreamEvent } from "@langchain/core/tracers/log_stream";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import type { ScriptedReply } from "../helpers/scripted_model.js";

// Point 3 of issue #13: the pyramid run's streamed chunks add up to its final output exactly once.

const scripted = (name: string, reply: ScriptedReply | (() => ScriptedReply)) => new ScriptedChatModel({ name, reply });
const call = (city: string) =>
  new AIMessage({
    content: "",
    tool_calls: [{ name: "weather", args: { city }, id: `id-${city}`, type: "tool_call" }],
  });

/** The four ways a pyramid answers: the crowd's text, the streamed apex, tool calls, a degraded answer. */
const CASES: Array<{ name: string; build: () => PyramidChatModel; text: string; tool?: string; degraded?: boolean }> = [
  {
    name: "crowd answers",
    build: () =>
      new PyramidChatModel({
        crowd: [scripted("a", "It is 12 apples."), scripted("b", "12"), scripted("c", "12")],
        oracle: scripted("big", "no"),
        task: "math",
      }),
    text: "It is 12 apples.",
  },
  {
    name: "the apex answers (streamed live)",
    build: () =>
      new PyramidChatModel({
        crowd: [scripted("a", "1"), scripted("b", "2"), scripted("c", "3")],
        oracle: scripted("big", "Hi there, the answer is 30."),
        task: "math",
      }),
    text: "Hi there, the answer is 30.",
  },
  {
    name: "tool calls (apex)",
    build: () =>
      new PyramidChatModel({
        crowd: [
          scripted("a", () => call("Paris")),
          scripted("b", () => call("Rome")),
          scripted("c", () => call("Lyon")),
        ],
        oracle: scripted("big", () => call("Oslo")),
      }),
    text: "",
    tool: "Oslo",
  },
  {
    name: "a degraded answer (the apex fails)",
    build: () =>
      new PyramidChatModel({
        crowd: [scripted("a", "7"), scripted("b", "7"), scripted("c", "8")],
        oracle: scripted("big", new Error("503 upstream down")),
        policy: { threshold: 0.2 },
        task: "math",
      }),
    text: "7",
    degraded: true,
  },
];

function concatChunks(chunks: AIMessageChunk[]): AIMessageChunk {
  return chunks.reduce((a, b) => a.concat(b), new AIMessageChunk({ content: "" }));
}

describe("streamEvents v2 with the pyramid as the root run", () => {
  for (const c of CASES) {
    it(`${c.name}: on_chat_model_stream chunks add up to on_chat_model_end, members are child runs`, async () => {
      const events: StreamEvent[] = [];
      for await (const event of c.build().streamEvents("question", { version: "v2" })) events.push(event);
      const root = events[0];
      expect(root.event).toBe("on_chat_model_start");
      const own = events.filter((e) => e.run_id === root.run_id);
      expect(own.at(-1)?.event).toBe("on_chat_model_end");
      const chunks = own.filter((e) => e.event === "on_chat_model_stream").map((e) => e.data.chunk as AIMessageChunk);
      const merged = concatChunks(chunks);
      const output = own.at(-1)?.data.output as AIMessageChunk;
      expect(merged.content).toBe(c.text);
      expect(output.content).toBe(c.text);
      expect(merged.tool_calls?.map((t) => t.args.city)).toEqual(c.tool ? [c.tool] : []);
      expect((merged.response_metadata.pyramid as PyramidMetadata).degraded ?? false).toBe(c.degraded ?? false);
      // Member calls are visible as their own chat-model runs (named after the members), nested in the pyramid's.
      const members = events.filter((e) => e.event === "on_chat_model_start" && e.run_id !== root.run_id);
      expect(new Set(members.map((e) => e.name))).toEqual(
        new Set(["a", "b", "c", ...(c.name === "crowd answers" ? [] : ["big"])]),
      );
      const rootEnd = events.findIndex((e) => e.event === "on_chat_model_end" && e.run_id === root.run_id);
      expect(events.indexOf(members.at(-1)!)).toBeLessThan(rootEnd);
    });
  }
});

describe("the pyramid inside a chain or a graph", () => {
  it("streamEvents of a chain that invokes the pyramid: its chunks add up once", async () => {
    const pyramid = CASES[1].build();
    const chain = RunnableLambda.from(async (q: string, config) => pyramid.invoke(q, config));
    const events: StreamEvent[] = [];
    for await (const event of chain.streamEvents("q", { version: "v2" })) events.push(event);
    const start = events.find((e) => e.event === "on_chat_model_start" && e.name === "PyramidChatModel");
    const chunks = events
      .filter((e) => e.event === "on_chat_model_stream" && e.run_id === start?.run_id)
      .map((e) => e.data.chunk as AIMessageChunk);
    expect(concatChunks(chunks).content).toBe(CASES[1].text);
  });

  for (const c of CASES) {
    it(`LangGraph streamMode "messages", ${c.name}: the pyramid's message chunks add up to the node's answer once`, async () => {
      const pyramid = c.build();
      const graph = new StateGraph(MessagesAnnotation)
        .addNode("agent", async (state: typeof MessagesAnnotation.State) => ({
          messages: [await pyramid.invoke(state.messages)],
        }))
        .addEdge(START, "agent")
        .addEdge("agent", END)
        .compile();
      const pieces: Array<[BaseMessage, Record<string, unknown>]> = [];
      for await (const item of await graph.stream(
        { messages: [new HumanMessage("question")] },
        { streamMode: "messages" },
      )) {
        pieces.push(item as [BaseMessage, Record<string, unknown>]);
      }
      const final = (await graph.invoke({ messages: [new HumanMessage("question")] })).messages.at(-1) as AIMessage;
      const fromPyramid = pieces
        .filter(([, meta]) => meta.ls_provider === "pyramid-moa")
        .map(([m]) => m as AIMessageChunk);
      expect(fromPyramid.length).toBeGreaterThan(0);
      // Nothing else is streamed: the members' own messages stay out of the node's messages stream.
      expect(pieces.length).toBe(fromPyramid.length);
      const merged = concatChunks(fromPyramid);
      expect(merged.content).toBe(c.text);
      expect(final.content).toBe(c.text);
      expect(merged.tool_calls?.map((t) => t.args.city)).toEqual(c.tool ? [c.tool] : []);
    });
  }
});
