/**
 * agent.ts: a Pyramid MoA as the model of LangGraph's prebuilt ReAct agent, with two tools: a calculator and a
 * lookup in a small in-memory table of offices.
 *
 * Run: `npx tsx examples/agent.ts`
 *
 * Offline by default: the crowd and the apex are SCRIPTED models from examples/offline_models.ts
 * (`ToolAgentMember`), not language models: two careful members and one deliberately hasty member that looks
 * up only the first office a question names. The tools, the agent loop (createReactAgent), the pyramid graph,
 * the voting on tool calls and the escalation are the real library code.
 * With `PYRAMID_OPENAI_BASE_URL`, `PYRAMID_CROWD_MODELS` and `PYRAMID_ORACLE_MODEL` set (examples/README.md),
 * the same agent runs on real models through ChatOpenAI.
 *
 * What it shows: at every agent step the crowd's tool calls are voted (same tool names and arguments = same
 * answer); with the policy `{ threshold: 0.3 }` any disagreement (vote share 2/3, P_fail 0.33 > 0.3) sends the
 * step to the apex, whose tool calls the agent then executes. Unanimous steps never reach the apex.
 */
import { z } from "zod";
import { tool } from "@langchain/core/tools";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { PyramidChatModel } from "../src/index.js";
import type { MemberInput, PyramidMetadata } from "../src/index.js";
import { evaluateArithmetic, formatResult } from "./arithmetic.js";
import { ToolAgentMember } from "./offline_models.js";
import { chooseEndpoint, isDirectRun, openAIModel, parseExampleOptions, realEndpointSchema } from "./support.js";
import type { RealEndpoint } from "./support.js";

/** The in-memory table the `lookup` tool reads. */
export const OFFICES: Readonly<Record<string, Readonly<Record<"employees" | "founded" | "desks", number>>>> = {
  Oslo: { employees: 42, founded: 2011, desks: 50 },
  Lyon: { employees: 58, founded: 2015, desks: 60 },
  Austin: { employees: 130, founded: 2008, desks: 120 },
};

/** The calculator tool: evaluates `+ - * /` and parentheses (no `eval`). */
export const calculator = tool(
  async ({ expression }: { expression: string }) => {
    try {
      return formatResult(evaluateArithmetic(expression));
    } catch (error) {
      return `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  },
  {
    name: "calculator",
    description: "Evaluates an arithmetic expression with + - * / and parentheses, e.g. '12 * (3 + 4)'.",
    schema: z.object({ expression: z.string().describe("the arithmetic expression") }),
  },
);

/** The lookup tool: one field of one office from {@link OFFICES}. */
export const lookup = tool(
  async ({ office, field }: { office: string; field: "employees" | "founded" | "desks" }) => {
    const row = Object.entries(OFFICES).find(([name]) => name.toLowerCase() === office.trim().toLowerCase());
    return row ? String(row[1][field]) : `error: unknown office "${office}"`;
  },
  {
    name: "lookup",
    description: `Looks up one field of one office in the company table. Offices: ${Object.keys(OFFICES).join(", ")}. Fields: employees, founded, desks.`,
    schema: z.object({ office: z.string(), field: z.enum(["employees", "founded", "desks"]) }),
  },
);

/** The questions asked by default. */
export const DEFAULT_QUESTIONS: readonly string[] = [
  "What is 1234 times 56?",
  "How many employees do the Oslo and Lyon offices have in total?",
  "How many years before the Lyon office was the Austin office founded?",
];

/** One model call of the agent loop, as the pyramid decided it. */
export interface AgentStep {
  /** Whether the pyramid answered with tool calls or with text. */
  readonly kind: "tool_calls" | "answer";
  /** The chosen tool calls (`name(args)`) or answer text. */
  readonly chosen: string;
  /** The tier whose answer was used. */
  readonly tierName: string;
  /** Whether the step was escalated past the crowd. */
  readonly escalated: boolean;
  /** The crowd's P_fail and the threshold it was compared with. */
  readonly pFail: number;
  readonly threshold: number;
  /** Every member's (voted) answer. */
  readonly candidates: ReadonlyArray<{ readonly model: string; readonly tier: number; readonly answer: string | null }>;
}

/** One question through the agent. */
export interface AgentRun {
  readonly question: string;
  /** The agent's final answer. */
  readonly answer: string;
  /** What the tools returned, in order. */
  readonly toolMessages: ReadonlyArray<{ readonly name: string; readonly content: string }>;
  /** The pyramid's decision at every model call of the loop. */
  readonly steps: readonly AgentStep[];
  /** Steps that went to the apex. */
  readonly escalations: number;
  /** USD spent by the pyramid, and what calling only the apex would have cost (estimated for unescalated steps). */
  readonly costUsd: number;
  readonly oracleOnlyUsd: number;
}

/** What {@link main} returns. */
export interface AgentExampleResult {
  /** `offline` (scripted members) or `real` (OpenAI-compatible endpoint). */
  readonly source: "offline" | "real";
  readonly runs: readonly AgentRun[];
  /** Escalated steps over every run. */
  readonly escalations: number;
}

/** Options of {@link main}. */
export interface AgentExampleOptions {
  /** Force the scripted members even when the real-endpoint variables are set. */
  readonly offline?: boolean;
  /** A real endpoint to use instead of the environment's. */
  readonly endpoint?: RealEndpoint;
  /** Questions to ask; default {@link DEFAULT_QUESTIONS}. */
  readonly questions?: readonly string[];
}

/** zod schema of {@link AgentExampleOptions}. */
export const agentExampleOptionsSchema = z
  .object({
    offline: z.boolean().optional(),
    endpoint: realEndpointSchema.optional(),
    questions: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

function members(options: AgentExampleOptions): {
  source: "offline" | "real";
  crowd: MemberInput[];
  oracle: MemberInput;
} {
  const endpoint = chooseEndpoint(options);
  if (endpoint) {
    return {
      source: "real",
      crowd: endpoint.crowd.map((name) => ({ name, model: openAIModel(endpoint, name) as BaseChatModel })),
      oracle: { name: endpoint.oracle, model: openAIModel(endpoint, endpoint.oracle) as BaseChatModel },
    };
  }
  const cheap = { input: 0.1, output: 0.1 };
  return {
    source: "offline",
    crowd: [
      { model: new ToolAgentMember({ name: "careful-a" }), price: cheap },
      { model: new ToolAgentMember({ name: "careful-b" }), price: cheap },
      { model: new ToolAgentMember({ name: "hasty-c", style: "hasty" }), price: cheap },
    ],
    oracle: { model: new ToolAgentMember({ name: "apex" }), price: { input: 0.9, output: 0.9 } },
  };
}

function textOf(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

function stepOf(message: AIMessage): AgentStep | undefined {
  const pyramid = message.response_metadata?.pyramid as PyramidMetadata | undefined;
  if (!pyramid) return undefined;
  const calls = message.tool_calls ?? [];
  const first = pyramid.decisions[0];
  return {
    kind: calls.length > 0 ? "tool_calls" : "answer",
    chosen: calls.length > 0 ? calls.map((c) => `${c.name}(${JSON.stringify(c.args)})`).join("; ") : textOf(message),
    tierName: pyramid.tierName,
    escalated: pyramid.escalated,
    pFail: first?.pFail ?? Number.NaN,
    threshold: first?.threshold ?? Number.NaN,
    candidates: pyramid.candidates.map((c) => ({ model: c.model, tier: c.tier, answer: c.answer })),
  };
}

/** Runs the agent on every question and returns the answers with the pyramid's decision at every step. */
export async function main(input: AgentExampleOptions = {}): Promise<AgentExampleResult> {
  const options: AgentExampleOptions = parseExampleOptions(agentExampleOptionsSchema, input, "agent");
  const { source, crowd, oracle } = members(options);
  const llm = new PyramidChatModel({ crowd, oracle, task: "math", policy: { threshold: 0.3 } });
  const agent = createReactAgent({ llm, tools: [calculator, lookup] });
  const runs: AgentRun[] = [];
  for (const question of options.questions ?? DEFAULT_QUESTIONS) {
    const output = await agent.invoke({ messages: [new HumanMessage(question)] }, { recursionLimit: 12 });
    const messages = output.messages as BaseMessage[];
    const aiMessages = messages.filter((m): m is AIMessage => AIMessage.isInstance(m));
    const metas = aiMessages
      .map((m) => m.response_metadata?.pyramid as PyramidMetadata | undefined)
      .filter((p): p is PyramidMetadata => p !== undefined);
    const steps = aiMessages.map(stepOf).filter((s): s is AgentStep => s !== undefined);
    runs.push({
      question,
      answer: textOf(messages[messages.length - 1]),
      toolMessages: messages
        .filter((m): m is ToolMessage => ToolMessage.isInstance(m))
        .map((m) => ({ name: m.name ?? "", content: textOf(m) })),
      steps,
      escalations: steps.filter((s) => s.escalated).length,
      costUsd: metas.reduce((sum, p) => sum + p.cost.total, 0),
      oracleOnlyUsd: metas.reduce((sum, p) => sum + p.cost.oracleOnly, 0),
    });
  }
  return { source, runs, escalations: runs.reduce((sum, r) => sum + r.escalations, 0) };
}

/** A readable summary of {@link main}'s result. */
export function summarize(result: AgentExampleResult): string {
  const lines = [`ReAct agent on a Pyramid MoA (${result.source} models), policy: escalate when P_fail > 0.3`];
  for (const run of result.runs) {
    lines.push("", `Q: ${run.question}`);
    run.steps.forEach((step, i) => {
      const votes = step.candidates
        .filter((c) => c.tier === 0)
        .map((c) => `${c.model}=${c.answer ?? "-"}`)
        .join(" | ");
      lines.push(
        `  step ${i + 1}: ${step.kind === "tool_calls" ? "tool calls" : "answer"} from ${step.tierName}` +
          `${step.escalated ? " (ESCALATED)" : ""}, P_fail ${step.pFail.toFixed(2)}: ${step.chosen}`,
        `          crowd: ${votes}`,
      );
    });
    lines.push(`  tools: ${run.toolMessages.map((t) => `${t.name} -> ${t.content}`).join(", ") || "(none)"}`);
    lines.push(
      `  A: ${run.answer}   (cost ${run.costUsd.toExponential(2)} USD vs apex alone ${run.oracleOnlyUsd.toExponential(2)} USD)`,
    );
  }
  lines.push("", `Escalated steps: ${result.escalations}`);
  return lines.join("\n");
}

if (isDirectRun(import.meta.url)) {
  console.log(summarize(await main()));
}
