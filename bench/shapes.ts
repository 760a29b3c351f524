import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { HumanMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { LatencyChatModel } from "./latency_model.js";

/**
 * The shapes compared by the overhead, parallel and load suites: the same members called by the pyramid,
 * by a bare LangGraph graph of the pyramid's shape, and by plain code (`Promise.all`, a vote, an `if`).
 */

/** Whether query `i` is one the crowd disagrees on (and so is escalated): every fifth query. */
export function isHardQuery(i: number): boolean {
  return i % 5 === 0;
}

/** The user message of query `i`. */
export function queryMessages(i: number): BaseMessage[] {
  return [
    new HumanMessage(
      `Q${i}: A baker makes ${12 + (i % 7)} trays of ${20 + (i % 11)} rolls and sells all but ${i % 9} rolls. ` +
        "How many rolls does the baker sell? Answer with the final number.",
    ),
  ];
}

function queryIndex(messages: readonly BaseMessage[]): number {
  const last = messages[messages.length - 1];
  const text = typeof last?.content === "string" ? last.content : "";
  const match = /Q(\d+):/.exec(text);
  return match ? Number(match[1]) : 0;
}

function reasoning(answer: number): string {
  return (
    `First, count the rolls: multiply the trays by the rolls per tray. Then subtract the rolls kept back. ` +
    `Putting it together gives the total sold. The answer is ${answer}.`
  );
}

/** Latencies of the members, in milliseconds (0 = answer with no timer). */
export interface ShapeLatencies {
  /** One latency per crowd member (the crowd's size is this list's length). */
  readonly crowd: readonly number[];
  /** The oracle's latency. */
  readonly oracle: number;
}

/** A crowd and an oracle of {@link LatencyChatModel}s: agreeing on easy queries, all different on hard ones. */
export interface Members {
  /** Crowd members, in order. */
  readonly crowd: LatencyChatModel[];
  /** The oracle. */
  readonly oracle: LatencyChatModel;
}

/** Builds the members; crowd member `j` answers `i` on easy queries and `1000 i + j + 1` on hard ones. */
export function makeMembers(latencies: ShapeLatencies): Members {
  const crowd = latencies.crowd.map(
    (latencyMs, j) =>
      new LatencyChatModel({
        name: `crowd-${j}`,
        latencyMs,
        reply: (messages) => {
          const i = queryIndex(messages);
          return reasoning(isHardQuery(i) ? 1000 * i + j + 1 : i);
        },
      }),
  );
  const oracle = new LatencyChatModel({
    name: "oracle",
    latencyMs: latencies.oracle,
    reply: (messages) => reasoning(queryIndex(messages)),
  });
  return { crowd, oracle };
}

function text(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : "";
}

/** The trivial vote of the bare shapes: share of the most common output text. */
export function voteShare(texts: readonly string[]): { answer: string; share: number } {
  const counts = new Map<string, number>();
  let answer = "";
  let best = 0;
  for (const t of texts) {
    const c = (counts.get(t) ?? 0) + 1;
    counts.set(t, c);
    if (c > best) {
      best = c;
      answer = t;
    }
  }
  return { answer, share: texts.length ? best / texts.length : 0 };
}

const BareState = Annotation.Root({
  messages: Annotation<BaseMessage[]>(),
  answers: Annotation<string[]>(),
  share: Annotation<number>(),
  majority: Annotation<string>(),
  escalated: Annotation<boolean>(),
  final: Annotation<string>(),
});

/** Final state of the bare graph. */
export type BareStateType = typeof BareState.State;

/**
 * (a) A bare LangGraph `StateGraph` of the pyramid's shape: `crowd` (the members through `Promise.all`),
 * `features` (a vote share), `router` (`P_fail = 1 - share`), the conditional edge, and `oracle`.
 */
export function bareLangGraph(members: Members) {
  return new StateGraph(BareState)
    .addNode("crowd", async (state) => ({
      answers: (await Promise.all(members.crowd.map((m) => m.invoke(state.messages)))).map(text),
    }))
    .addNode("features", (state) => {
      const { answer, share } = voteShare(state.answers);
      return { share, majority: answer };
    })
    .addNode("router", (state) => ({ escalated: 1 - state.share > 0.5, final: state.majority }))
    .addNode("oracle", async (state) => ({ final: text(await members.oracle.invoke(state.messages)) }))
    .addEdge(START, "crowd")
    .addEdge("crowd", "features")
    .addEdge("features", "router")
    .addConditionalEdges("router", (state) => (state.escalated ? "oracle" : END), ["oracle", END])
    .addEdge("oracle", END)
    .compile();
}

/** (b) The same without LangGraph: the members through `Promise.all`, a vote, an `if`. Returns the answer text. */
export async function bareJs(members: Members, messages: BaseMessage[]): Promise<string> {
  const answers = (await Promise.all(members.crowd.map((m) => m.invoke(messages)))).map(text);
  const { answer, share } = voteShare(answers);
  if (1 - share > 0.5) return text(await members.oracle.invoke(messages));
  return answer;
}
