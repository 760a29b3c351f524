import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseChatModelParams, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { ChatResult } from "@langchain/core/outputs";

/** Counts calls in flight across several scripted models. */
export class InFlight {
  current = 0;
  peak = 0;
  total = 0;
  enter(): void {
    this.current++;
    this.total++;
    this.peak = Math.max(this.peak, this.current);
  }
  leave(): void {
    this.current--;
  }
}

/** What a scripted model answers: text, a message, or an error to throw. */
export type ScriptedReply = string | AIMessage | Error;

/** Options of {@link ScriptedChatModel}. */
export interface ScriptedChatModelInput extends BaseChatModelParams {
  name: string;
  reply: ScriptedReply | ((messages: BaseMessage[], tools: BindToolsInput[]) => ScriptedReply);
  delayMs?: number;
  inFlight?: InFlight;
  /** Every prompt this model received. */
  calls?: BaseMessage[][];
  tools?: BindToolsInput[];
  /** The most output tokens it writes, declared like a chat model's `maxTokens` (what budget holds assume). */
  maxTokens?: number;
  /** The `tool_choice` it was bound with (recorded; the script decides what it answers). */
  toolChoice?: unknown;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("Aborted"));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("Aborted"));
    });
  });
}

/** A deterministic chat model for unit tests of the pyramid's logic (a fake, never used for integration tests). */
export class ScriptedChatModel extends BaseChatModel {
  readonly fields: ScriptedChatModelInput;
  readonly calls: BaseMessage[][];
  aborted = 0;

  constructor(fields: ScriptedChatModelInput) {
    super(fields);
    this.fields = fields;
    this.calls = fields.calls ?? [];
  }

  override _llmType(): string {
    return "scripted";
  }

  /** `maxTokens` as given (undefined: no declared limit). */
  get maxTokens(): number | undefined {
    return this.fields.maxTokens;
  }

  override getLsParams(options: this["ParsedCallOptions"]) {
    return { ...super.getLsParams(options), ls_provider: "scripted", ls_model_name: this.fields.name };
  }

  private async answer(messages: BaseMessage[], signal?: AbortSignal): Promise<AIMessage> {
    this.calls.push(messages);
    this.fields.inFlight?.enter();
    try {
      try {
        await sleep(this.fields.delayMs ?? 0, signal);
      } catch (error) {
        this.aborted++;
        throw error;
      }
      const reply =
        typeof this.fields.reply === "function"
          ? this.fields.reply(messages, this.fields.tools ?? [])
          : this.fields.reply;
      if (reply instanceof Error) throw reply;
      const message = typeof reply === "string" ? new AIMessage(reply) : reply;
      const text = typeof message.content === "string" ? message.content : "";
      return new AIMessage({
        content: message.content,
        tool_calls: message.tool_calls,
        usage_metadata: {
          input_tokens: 10,
          output_tokens: Math.max(1, text.length),
          total_tokens: 10 + Math.max(1, text.length),
        },
      });
    } finally {
      this.fields.inFlight?.leave();
    }
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const message = await this.answer(messages, options.signal);
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): AsyncGenerator<ChatGenerationChunk> {
    const message = await this.answer(messages, options.signal);
    const text = typeof message.content === "string" ? message.content : "";
    for (const piece of text.match(/\S+\s*/g) ?? []) {
      await sleep(1, options.signal);
      yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
    }
    yield new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        tool_call_chunks: (message.tool_calls ?? []).map((call, index) => ({
          type: "tool_call_chunk" as const,
          name: call.name,
          args: JSON.stringify(call.args),
          id: call.id,
          index,
        })),
        usage_metadata: message.usage_metadata,
      }),
    });
  }

  override bindTools(tools: BindToolsInput[], kwargs?: { tool_choice?: unknown }): ScriptedChatModel {
    return new ScriptedChatModel({ ...this.fields, tools, toolChoice: kwargs?.tool_choice, calls: this.calls });
  }

  /** It takes `tool_choice` (as a provider does; what it answers is still its script's). */
  override get callKeys(): string[] {
    return [...super.callKeys, "tool_choice"];
  }
}
