import { randomUUID } from "node:crypto";
import type { InvalidToolCall, ToolCall, ToolCallChunk } from "@langchain/core/messages/tool";
import type { CallSyntax } from "./call_syntax.js";

/** A piece of a streamed answer: answer text, the start of the tool call, or more of its JSON arguments. */
export type ToolOutputEvent =
  | { type: "text"; text: string }
  | { type: "call"; name: string; id: string }
  | { type: "args"; text: string };

/** The finished answer: text, or one tool call (valid, or invalid when cut short). */
export interface ToolOutput {
  /** Answer text ("" for a tool call). */
  content: string;
  /** The tool call, when the arguments are complete JSON. */
  toolCalls: ToolCall[];
  /** The tool call, when it was cut short (maxTokens) before its arguments were complete. */
  invalidToolCalls: InvalidToolCall[];
}

/** A fresh tool call id in OpenAI's style. */
export function newToolCallId(): string {
  return `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

/**
 * Splits generated text into answer text and a tool call written in the model's call syntax (`syntax`, one
 * per bound tool; an optional leading space is allowed). Text is held back while it may still be the start of a
 * call; once it cannot, it is answer text; once it starts with a tool's opening text, what follows is that
 * tool's JSON arguments.
 */
export class ToolCallSplitter {
  private raw = "";
  private content = "";
  private mode: "undecided" | "text" | "call" = "undecided";
  private call?: { name: string; args: string };

  /**
   * @param syntax Call syntax of every bound tool.
   * @param textAllowed Whether a text answer is possible (`tool_choice` "auto"/"none"); otherwise unfinished output is an invalid call.
   * @param id Id given to the tool call.
   */
  constructor(
    private readonly syntax: readonly CallSyntax[],
    private readonly textAllowed: boolean,
    readonly id: string = newToolCallId(),
  ) {}

  /** Adds generated text; returns what it makes known. */
  push(text: string): ToolOutputEvent[] {
    if (text.length === 0) return [];
    if (this.mode === "text") {
      this.content += text;
      return [{ type: "text", text }];
    }
    if (this.mode === "call") {
      this.call!.args += text;
      return [{ type: "args", text }];
    }
    this.raw += text;
    return this.decide();
  }

  /** The answer once generation has ended. */
  finish(): ToolOutput {
    if (this.mode === "call") {
      const { name, args } = this.call!;
      try {
        const parsed: unknown = JSON.parse(args);
        if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
          return {
            content: "",
            toolCalls: [{ id: this.id, name, args: parsed as Record<string, unknown>, type: "tool_call" }],
            invalidToolCalls: [],
          };
        }
      } catch {
        // Cut short: reported as an invalid call below.
      }
      return {
        content: "",
        toolCalls: [],
        invalidToolCalls: [
          {
            id: this.id,
            name,
            args,
            error: "the tool call's arguments are incomplete (the answer reached maxTokens)",
            type: "invalid_tool_call",
          },
        ],
      };
    }
    if (this.mode === "undecided" && !this.textAllowed) {
      return {
        content: "",
        toolCalls: [],
        invalidToolCalls: [
          {
            id: this.id,
            args: this.raw,
            error: "the answer ended before naming a tool (it reached maxTokens)",
            type: "invalid_tool_call",
          },
        ],
      };
    }
    return { content: this.mode === "text" ? this.content : this.raw, toolCalls: [], invalidToolCalls: [] };
  }

  /** Held-back text released as answer text (at the end of a text answer). */
  flush(): ToolOutputEvent[] {
    if (this.mode !== "undecided" || this.raw.length === 0 || !this.textAllowed) return [];
    this.mode = "text";
    this.content = this.raw;
    return [{ type: "text", text: this.raw }];
  }

  private decide(): ToolOutputEvent[] {
    const text = this.raw.startsWith(" ") ? this.raw.slice(1) : this.raw;
    const open = this.syntax.filter((s) => s.before.startsWith(text) || text.startsWith(s.before));
    if (open.length === 0) {
      this.mode = "text";
      this.content = this.raw;
      return [{ type: "text", text: this.raw }];
    }
    const started = open.filter((s) => text.startsWith(s.before)).sort((a, b) => b.before.length - a.before.length)[0];
    if (started === undefined || open.some((s) => s.before.length > text.length)) return [];
    this.mode = "call";
    this.call = { name: started.name, args: text.slice(started.before.length) };
    const events: ToolOutputEvent[] = [{ type: "call", name: started.name, id: this.id }];
    if (this.call.args.length > 0) events.push({ type: "args", text: this.call.args });
    return events;
  }
}

/** Message fields of a streamed chunk carrying `events`: its answer text and its `tool_call_chunks` (index 0: one call per answer). */
export function chunkFields(events: readonly ToolOutputEvent[]): {
  content: string;
  tool_call_chunks: ToolCallChunk[];
} {
  let content = "";
  const chunks: ToolCallChunk[] = [];
  for (const event of events) {
    if (event.type === "text") content += event.text;
    else if (event.type === "call")
      chunks.push({ type: "tool_call_chunk", name: event.name, id: event.id, args: "", index: 0 });
    else if (chunks.length > 0) chunks[chunks.length - 1]!.args += event.text;
    else chunks.push({ type: "tool_call_chunk", args: event.text, index: 0 });
  }
  return { content, tool_call_chunks: chunks };
}
