import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseChatModelParams, LangSmithParams } from "@langchain/core/language_models/chat_models";
import { AIMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { PyramidConfigError } from "../src/errors/index.js";

/** What a {@link LatencyChatModel} answers: fixed text, or text computed from the prompt. */
export type LatencyReply = string | ((messages: readonly BaseMessage[]) => string);

/** Constructor fields of {@link LatencyChatModel}. */
export interface LatencyChatModelFields extends BaseChatModelParams {
  /** Model name (used as the pyramid member's name). */
  name: string;
  /** The reply. */
  reply: LatencyReply;
  /** Fixed latency in milliseconds, or a function of the prompt; 0 answers without any timer. */
  latencyMs?: number | ((messages: readonly BaseMessage[]) => number);
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("Aborted"));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("Aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A benchmark stand-in for an LLM: a real LangChain `BaseChatModel` that answers a scripted text after a
 * fixed, configurable latency (a timer, no CPU work), and reports token usage like a provider would. With
 * latency 0 it answers in the same microtask turn, so what is measured is the caller's own overhead.
 */
export class LatencyChatModel extends BaseChatModel {
  /** The model's name. */
  readonly modelName: string;
  private readonly reply: LatencyReply;
  private readonly latency: number | ((messages: readonly BaseMessage[]) => number);

  /** Creates the model; `latencyMs` must be a non-negative finite number (or a function returning one). */
  constructor(fields: LatencyChatModelFields) {
    super(fields);
    if (typeof fields.latencyMs === "number" && !(fields.latencyMs >= 0 && Number.isFinite(fields.latencyMs))) {
      throw new PyramidConfigError(`latencyMs must be a non-negative number, got ${fields.latencyMs}`, {
        field: "latencyMs",
        fix: "pass a latency in milliseconds, e.g. 50",
      });
    }
    this.modelName = fields.name;
    this.reply = fields.reply;
    this.latency = fields.latencyMs ?? 0;
  }

  /** LangChain model type. */
  override _llmType(): string {
    return "latency-bench";
  }

  /** Tracing parameters: the model name. */
  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return { ...super.getLsParams(options), ls_provider: "bench", ls_model_name: this.modelName };
  }

  /** Waits the latency, then answers. */
  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const ms = typeof this.latency === "function" ? this.latency(messages) : this.latency;
    if (ms > 0) await wait(ms, options.signal);
    const text = typeof this.reply === "function" ? this.reply(messages) : this.reply;
    const input = messages.reduce((sum, m) => sum + (typeof m.content === "string" ? m.content.length : 0), 0);
    const usage = { input_tokens: Math.ceil(input / 4), output_tokens: Math.ceil(text.length / 4), total_tokens: 0 };
    usage.total_tokens = usage.input_tokens + usage.output_tokens;
    const message = new AIMessage({ content: text, usage_metadata: usage });
    return { generations: [{ text, message }] };
  }
}
