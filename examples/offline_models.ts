/**
 * Offline, scripted chat models for the examples. They are NOT language models: each one is a small,
 * deterministic program with documented behaviour, so that the examples run anywhere without a network and
 * give the same result every time. Set the environment variables of examples/README.md to run the examples
 * on real models instead.
 *
 * - {@link ToolAgentMember} (agent.ts): reads the user's question and the lookup tool's description, calls the
 *   `lookup` tool for every office the question names, then the `calculator` tool to combine the values, then
 *   answers from the calculator's result. The `"hasty"` style is deliberately unreliable: it looks up only the
 *   FIRST office the question names, so on questions about two offices its tool call differs from the others'.
 * - {@link ExtractiveReader} (rag.ts): answers by quoting the context sentence that shares the most words with
 *   the question, and cites its document id. The `"first-sentence"` strategy is deliberately unreliable: it
 *   quotes the first sentence of the first retrieved document, whatever the question.
 * - {@link ArithmeticJudge} (generative.ts): a generative-mode apex that only reads the candidates the pyramid
 *   shows it. It re-computes every equation written in each candidate's reasoning (`a op b ... = c`) and
 *   returns the candidate with the fewest arithmetic errors (ties: the answer most candidates gave, then the
 *   first). It cannot solve a problem itself.
 */
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseChatModelParams, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { extractAnswer, majorityVote } from "../src/index.js";
import { evaluateArithmetic } from "./arithmetic.js";

/** The text of a message (text parts joined). */
function textOf(message: BaseMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  return content
    .map((part) => (typeof part === "object" && part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

/** Name and description of a bound tool, whatever form it was given in (LangChain tool or OpenAI definition). */
function toolInfo(tool: BindToolsInput): { name: string; description: string } {
  const record = tool as unknown as Record<string, unknown>;
  const fn = record.function as Record<string, unknown> | undefined;
  const source = fn && typeof fn === "object" ? fn : record;
  return {
    name: typeof source.name === "string" ? source.name : "",
    description: typeof source.description === "string" ? source.description : "",
  };
}

/** Fields of every offline model. */
export interface OfflineModelFields extends BaseChatModelParams {
  /** The member's name, shown in the pyramid's trace. */
  readonly name: string;
}

/** Base class of the offline models: a deterministic `reply(messages)` plus tool binding and a name. */
export abstract class OfflineChatModel<F extends OfflineModelFields = OfflineModelFields> extends BaseChatModel {
  /** The constructor fields. */
  readonly fields: F;
  /** Tools bound with `bindTools`. */
  readonly tools: readonly BindToolsInput[];

  constructor(fields: F, tools: readonly BindToolsInput[] = []) {
    super(fields);
    this.fields = fields;
    this.tools = tools;
  }

  /** The deterministic answer to `messages`. */
  protected abstract reply(messages: BaseMessage[]): AIMessage;

  /** A copy of this model with `tools` bound. */
  protected abstract withTools(tools: BindToolsInput[]): OfflineChatModel<F>;

  override _llmType(): string {
    return "offline-scripted";
  }

  override getLsParams(options: this["ParsedCallOptions"]) {
    return { ...super.getLsParams(options), ls_provider: "offline", ls_model_name: this.fields.name };
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    const message = this.reply(messages);
    return { generations: [{ text: textOf(message), message }] };
  }

  override bindTools(tools: BindToolsInput[]): OfflineChatModel<F> {
    return this.withTools(tools);
  }
}

// ---------------------------------------------------------------------------------------------------------
// ToolAgentMember

/** Fields of {@link ToolAgentMember}. */
export interface ToolAgentMemberFields extends OfflineModelFields {
  /** `careful` looks up every office the question names; `hasty` only the first one. Default `careful`. */
  readonly style?: "careful" | "hasty";
}

/** A tool result seen in the conversation: the call's tool name and arguments, and what the tool returned. */
interface ToolResult {
  readonly name: string;
  readonly args: Record<string, unknown>;
  readonly content: string;
}

/** Words of a list in a tool description, e.g. `Offices: Oslo, Lyon, Austin.` -> `["Oslo", "Lyon", "Austin"]`. */
function listAfter(description: string, label: string): string[] {
  const match = new RegExp(`${label}:\\s*([^.]+)\\.`, "i").exec(description);
  return match
    ? match[1]
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

const DIFFERENCE = /\b(difference|more|fewer|less|before|after|minus)\b/i;
const LITERAL = /(-?\d+(?:\.\d+)?)\s*(times|plus|minus|divided by|[*+\-/x×])\s*(-?\d+(?:\.\d+)?)/i;
const OPERATORS: Record<string, string> = { times: "*", x: "*", "×": "*", plus: "+", minus: "-", "divided by": "/" };

/**
 * A scripted tool-using agent member (see the file header). Understands three kinds of questions:
 * arithmetic on two literal numbers ("What is 1234 times 56?"); one field of one office ("How many desks does
 * the Oslo office have?"); one field of several offices, combined by a sum, or by a difference (larger minus
 * smaller) when the question says "difference", "more", "fewer", "less", "before", "after" or "minus". Office and
 * field names are read from the `lookup` tool's description (`Offices: ... . Fields: ... .`).
 */
export class ToolAgentMember extends OfflineChatModel<ToolAgentMemberFields> {
  /** LangChain serialization name. */
  static override lc_name(): string {
    return "ToolAgentMember";
  }

  protected withTools(tools: BindToolsInput[]): ToolAgentMember {
    return new ToolAgentMember(this.fields, tools);
  }

  protected reply(messages: BaseMessage[]): AIMessage {
    const questionIndex = messages.map((m) => HumanMessage.isInstance(m)).lastIndexOf(true);
    const question = questionIndex >= 0 ? textOf(messages[questionIndex]) : "";
    const results = this.toolResults(messages.slice(questionIndex + 1));
    const lookupTool = this.tools.map(toolInfo).find((t) => t.name === "lookup");
    const offices = listAfter(lookupTool?.description ?? "", "Offices")
      .map((office) => ({ office, at: question.toLowerCase().indexOf(office.toLowerCase()) }))
      .filter((o) => o.at >= 0)
      .sort((a, b) => a.at - b.at)
      .map((o) => o.office);
    const field = listAfter(lookupTool?.description ?? "", "Fields").find((f) =>
      question.toLowerCase().includes(f.toLowerCase()),
    );
    const calculated = results.find((r) => r.name === "calculator");
    if (calculated) return new AIMessage(`The answer is ${calculated.content}.`);

    if (offices.length > 0 && field) {
      const looked = results.filter((r) => r.name === "lookup");
      if (looked.length === 0) {
        const wanted = this.fields.style === "hasty" ? offices.slice(0, 1) : offices;
        return this.call(
          messages,
          wanted.map((office) => ({ name: "lookup", args: { office, field } })),
        );
      }
      const values = looked.map((r) => Number(r.content)).filter((v) => Number.isFinite(v));
      if (values.length === 1) return new AIMessage(`The answer is ${values[0]}.`);
      const difference = DIFFERENCE.test(question);
      const ordered = difference ? [...values].sort((a, b) => b - a) : values;
      return this.call(messages, [
        { name: "calculator", args: { expression: ordered.join(difference ? " - " : " + ") } },
      ]);
    }
    const literal = LITERAL.exec(question);
    if (literal) {
      const op = OPERATORS[literal[2].toLowerCase()] ?? literal[2];
      return this.call(messages, [{ name: "calculator", args: { expression: `${literal[1]} ${op} ${literal[3]}` } }]);
    }
    return new AIMessage("I cannot answer that with the tools I have.");
  }

  /** Tool calls as an AI message; ids are deterministic (the voting ignores them). */
  private call(messages: BaseMessage[], calls: Array<{ name: string; args: Record<string, unknown> }>): AIMessage {
    return new AIMessage({
      content: "",
      tool_calls: calls.map((c, i) => ({
        ...c,
        id: `${this.fields.name}_${messages.length}_${i}`,
        type: "tool_call" as const,
      })),
    });
  }

  /** The tool results in the conversation after the question, matched to their calls by id. */
  private toolResults(messages: BaseMessage[]): ToolResult[] {
    const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
    const results: ToolResult[] = [];
    for (const message of messages) {
      if (AIMessage.isInstance(message)) for (const c of message.tool_calls ?? []) if (c.id) calls.set(c.id, c);
      if (ToolMessage.isInstance(message)) {
        const call = calls.get(message.tool_call_id);
        results.push({
          name: call?.name ?? message.name ?? "",
          args: call?.args ?? {},
          content: textOf(message).trim(),
        });
      }
    }
    return results;
  }
}

// ---------------------------------------------------------------------------------------------------------
// ExtractiveReader

/** Fields of {@link ExtractiveReader}. */
export interface ExtractiveReaderFields extends OfflineModelFields {
  /** `best-sentence` (default) quotes the best-matching sentence; `first-sentence` quotes the first one. */
  readonly strategy?: "best-sentence" | "first-sentence";
  /** Compare crude word stems ("returns" = "return") instead of exact words. */
  readonly stem?: boolean;
}

const STOPWORDS = new Set(
  "a an and are as at be by can do does for from has have how i in is it its of on or our the their there this to was what when where which who why will with you your".split(
    " ",
  ),
);

/** Lower-case content words of `text` (stopwords dropped), optionally stemmed. */
export function contentWords(text: string, stem = false): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? [])
    .filter((w) => !STOPWORDS.has(w))
    .map((w) => (stem ? w.replace(/(ing|ed|es|s)$/, "") : w));
}

/**
 * A scripted extractive reader (see the file header). The context is read from lines `[doc-id] text` anywhere
 * in the prompt; the question is the last human message. Answers `"<quoted sentence>" [doc-id]`.
 */
export class ExtractiveReader extends OfflineChatModel<ExtractiveReaderFields> {
  /** LangChain serialization name. */
  static override lc_name(): string {
    return "ExtractiveReader";
  }

  protected withTools(tools: BindToolsInput[]): ExtractiveReader {
    return new ExtractiveReader(this.fields, tools);
  }

  protected reply(messages: BaseMessage[]): AIMessage {
    const humans = messages.filter((m) => HumanMessage.isInstance(m));
    const question = humans.length > 0 ? textOf(humans[humans.length - 1]) : "";
    const sentences: Array<{ id: string; sentence: string }> = [];
    for (const message of messages) {
      for (const match of textOf(message).matchAll(/^\[([\w.-]+)\]\s+(.+)$/gm)) {
        for (const sentence of match[2].split(/(?<=[.!?])\s+/))
          sentences.push({ id: match[1], sentence: sentence.trim() });
      }
    }
    if (sentences.length === 0) return new AIMessage("I don't know: the context holds no documents.");
    let chosen = sentences[0];
    if (this.fields.strategy !== "first-sentence") {
      const stem = this.fields.stem ?? false;
      const wanted = new Set(contentWords(question, stem));
      let best = -1;
      for (const candidate of sentences) {
        const score = new Set(contentWords(candidate.sentence, stem).filter((w) => wanted.has(w))).size;
        if (score > best) {
          best = score;
          chosen = candidate;
        }
      }
    }
    return new AIMessage(`"${chosen.sentence}" [${chosen.id}]`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// ArithmeticJudge

/** One candidate as rendered by the pyramid's generative prompt. */
export interface ShownCandidate {
  /** 1-based position in the prompt. */
  readonly index: number;
  /** The model that wrote it. */
  readonly model: string;
  /** Its text, unescaped. */
  readonly text: string;
}

function unescapeData(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The candidates shown in a generative-mode prompt (`<candidate index=".." model="..">` elements). */
export function candidatesInPrompt(messages: readonly BaseMessage[]): ShownCandidate[] {
  const shown: ShownCandidate[] = [];
  for (const message of messages) {
    if (!HumanMessage.isInstance(message)) continue;
    for (const m of textOf(message).matchAll(/<candidate index="(\d+)" model="([^"]*)">\n([\s\S]*?)\n<\/candidate>/g)) {
      shown.push({ index: Number(m[1]), model: unescapeData(m[2]), text: unescapeData(m[3]) });
    }
  }
  return shown;
}

const NUMBER = String.raw`\$?\d[\d,]*(?:\.\d+)?`;
const EQUATION = new RegExp(String.raw`((?:${NUMBER}\s*[-+*/×x÷]\s*)+${NUMBER})\s*=\s*(${NUMBER})`, "g");

/** Re-computes every `a op b ... = c` equation of `text`: how many were checked and how many are wrong. */
export function checkArithmetic(text: string): { checked: number; wrong: number } {
  let checked = 0;
  let wrong = 0;
  for (const match of text.matchAll(EQUATION)) {
    let left: number;
    try {
      left = evaluateArithmetic(match[1]);
    } catch {
      continue;
    }
    const right = Number(match[2].replace(/[$,]/g, ""));
    checked++;
    // Writers round money and fractions to cents: allow 0.01 (and a relative 1e-6 for large numbers).
    if (Math.abs(left - right) > 0.01 + 1e-6 * Math.abs(right)) wrong++;
  }
  return { checked, wrong };
}

/**
 * A scripted generative-mode apex (see the file header): returns the shown candidate whose written arithmetic
 * has the fewest errors, prefixed with one line saying what it checked. It needs the math task's answers to
 * break ties, so it is meant for GSM8K-style candidates.
 */
export class ArithmeticJudge extends OfflineChatModel {
  /** LangChain serialization name. */
  static override lc_name(): string {
    return "ArithmeticJudge";
  }

  protected withTools(tools: BindToolsInput[]): ArithmeticJudge {
    return new ArithmeticJudge(this.fields, tools);
  }

  protected reply(messages: BaseMessage[]): AIMessage {
    const shown = candidatesInPrompt(messages);
    if (shown.length === 0) return new AIMessage("No candidate answers were shown to me, and I only judge candidates.");
    const keys = shown.map((c) => extractAnswer(c.text, "math")?.key ?? null);
    const support = (key: string | null) => (key === null ? 0 : keys.filter((k) => k === key).length);
    const scored = shown.map((candidate, i) => ({ candidate, key: keys[i], ...checkArithmetic(candidate.text) }));
    const best = scored.reduce((a, b) =>
      b.wrong < a.wrong || (b.wrong === a.wrong && support(b.key) > support(a.key)) ? b : a,
    );
    const vote = majorityVote(keys);
    return new AIMessage(
      `Judge: candidate ${best.candidate.index} (${best.candidate.model}) has ${best.wrong} arithmetic error(s) in ` +
        `${best.checked} checked equation(s); ${vote.distinct} distinct answer(s) were shown.\n\n${best.candidate.text}`,
    );
  }
}
