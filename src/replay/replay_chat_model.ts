import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage, type UsageMetadata } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { Runnable } from "@langchain/core/runnables";
import { PyramidConfigError, ReplayMissError } from "../errors/index.js";
import { messageText } from "../cost/usage.js";
import { promptPreview } from "./prompt_key.js";
import type { RecordedLine } from "./schema.js";
import { estimateTokens } from "../cost/usage.js";
import type { RecordedLookup } from "./lookup.js";

/** Call options of {@link ReplayChatModel}. */
export interface ReplayChatModelCallOptions extends BaseChatModelCallOptions {
  /**
   * The benchmark item id to replay when several recorded items share the same prompt (e.g.
   * `mbpp/sanitized/141`). Without it, the first recorded line for the prompt is used.
   */
  recordedId?: string;
}

/** Whether a `tool_choice` forces a tool call (anything but absent, `"auto"` and `"none"`). */
function forcesToolCall(choice: unknown): boolean {
  return choice !== undefined && choice !== null && choice !== "auto" && choice !== "none";
}

/** Constructor fields of {@link ReplayChatModel}: the replayed model's name and a loaded store. */
export interface ReplayChatModelFields extends BaseChatModelParams {
  /** Name of the recorded model to replay (the `model` field of the lines). */
  model: string;
  /** A loaded store (shared across models): `RecordedOutputs.load(file)`. */
  store: RecordedLookup;
  /** Characters per streamed chunk (default 16). */
  streamChunkChars?: number;
}

/**
 * A chat model that answers with what a real model answered, as recorded in a JSONL file (schema:
 * `../shared/data/README.md`), with no model call. The key is the model name plus the text of every
 * message sent, leading and trailing whitespace ignored (a shell's `"$(cat q.txt)"` drops the final newline); an
 * unrecorded prompt throws {@link ReplayMissError}. Tools bound with `bindTools` are ignored (answers are text); a
 * `tool_choice` forcing a call is refused.
 *
 * `usage_metadata`: the recorded `usage` when the line has one (lines written by
 * {@link RecordingChatModel}); otherwise an estimate, `ceil(chars / 4)` for the prompt and for the
 * output ({@link estimateTokens}), flagged by `response_metadata.tokenUsageEstimated = true`.
 * `response_metadata.cost_usd` carries the recorded dollar cost when the line has one, and
 * `response_metadata.recorded` the item id, benchmark and upstream verdict.
 *
 * @example
 * ```ts
 * const replay = RecordedOutputs.load(`${dataDir()}/recorded/gsm8k.jsonl`);
 * const llama = replay.model("Meta-Llama-3.1-8B-Instruct");
 * const answer = await llama.invoke(line.messages);
 * ```
 */
export class ReplayChatModel extends BaseChatModel<ReplayChatModelCallOptions> {
  /** The replayed model's name. */
  readonly model: string;
  /** The store of recorded outputs. */
  readonly store: RecordedLookup;
  private readonly streamChunkChars: number;

  /** LangChain serialization name. */
  static override lc_name(): string {
    return "ReplayChatModel";
  }

  constructor(fields: ReplayChatModelFields) {
    super(fields);
    this.model = fields.model;
    this.store = fields.store;
    this.streamChunkChars = Math.max(1, fields.streamChunkChars ?? 16);
  }

  override _llmType(): string {
    return "replay";
  }

  /**
   * Tools are accepted and ignored: the recorded answers were given without tools, so a replayed model answers a
   * tool-bound request the way a model without tool calling does, in text. This lets a pyramid of replayed members
   * (and `pyramid-moa serve` with the offline config) take requests that carry `tools` offline. A `tool_choice` that
   * forces a call (`"required"`, `"any"`, a tool's name) cannot be honoured with recorded text: the call is refused
   * (`PyramidConfigError`, field `tool_choice`) instead of answering in text.
   */
  override bindTools(
    _tools: BindToolsInput[],
    kwargs?: Partial<ReplayChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, ReplayChatModelCallOptions> {
    const choice = kwargs?.tool_choice;
    if (forcesToolCall(choice)) {
      return this.withConfig({ tool_choice: choice } as Partial<ReplayChatModelCallOptions>) as Runnable<
        BaseLanguageModelInput,
        AIMessageChunk,
        ReplayChatModelCallOptions
      >;
    }
    return this;
  }

  private refuseForcedToolCall(choice: unknown): void {
    if (!forcesToolCall(choice)) return;
    throw new PyramidConfigError(
      `replayed model "${this.model}" has recorded text answers only, so it cannot honour tool_choice ${JSON.stringify(choice)}`,
      {
        field: "tool_choice",
        fix: 'drop tool_choice (or use "auto" or "none") with replayed models, or record the model answering with tools',
      },
    );
  }

  /** The recorded line for these messages, or throws {@link ReplayMissError}. */
  recordedLineFor(messages: BaseMessage[], recordedId?: string): RecordedLine {
    const contents = messages.map(messageText);
    const found = this.store.lookup(this.model, contents);
    if (found.length === 0) {
      throw new ReplayMissError(
        `model "${this.model}" has no recorded output for the prompt starting "${promptPreview(contents)}" (${contents.length} message(s))`,
        {
          field: this.store.file ? `${this.store.file} (model ${this.model})` : `model ${this.model}`,
          fix: "send exactly the recorded messages (same prompt template), or record this model on this prompt with RecordingChatModel",
        },
      );
    }
    if (recordedId !== undefined) {
      const match = found.find((l) => l.id === recordedId);
      if (match) return match;
    }
    return found[0];
  }

  private metadataFor(
    line: RecordedLine,
    contents: string[],
  ): {
    usage: UsageMetadata;
    responseMetadata: Record<string, unknown>;
  } {
    const estimated = line.usage === undefined;
    const input = line.usage?.input_tokens ?? estimateTokens(contents.join(""));
    const output = line.usage?.output_tokens ?? estimateTokens(line.output);
    const responseMetadata: Record<string, unknown> = {
      model_name: this.model,
      tokenUsageEstimated: estimated,
      recorded: { id: line.id, benchmark: line.benchmark, reference: line.reference },
    };
    if (line.cost_usd !== undefined) responseMetadata.cost_usd = line.cost_usd;
    return {
      usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
      responseMetadata,
    };
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    this.refuseForcedToolCall(options.tool_choice);
    const line = this.recordedLineFor(messages, options.recordedId);
    const { usage, responseMetadata } = this.metadataFor(line, messages.map(messageText));
    const message = new AIMessage({
      content: line.output,
      usage_metadata: usage,
      response_metadata: responseMetadata,
    });
    return {
      generations: [{ text: line.output, message, generationInfo: responseMetadata }],
      llmOutput: {
        tokenUsage: {
          promptTokens: usage.input_tokens,
          completionTokens: usage.output_tokens,
          totalTokens: usage.total_tokens,
        },
      },
    };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    this.refuseForcedToolCall(options.tool_choice);
    const line = this.recordedLineFor(messages, options.recordedId);
    const { usage, responseMetadata } = this.metadataFor(line, messages.map(messageText));
    const text = line.output;
    const size = this.streamChunkChars;
    const count = Math.max(1, Math.ceil(text.length / size));
    for (let i = 0; i < count; i += 1) {
      options.signal?.throwIfAborted();
      const piece = text.slice(i * size, (i + 1) * size);
      const last = i === count - 1;
      const chunk = new ChatGenerationChunk({
        text: piece,
        message: new AIMessageChunk({
          content: piece,
          ...(last ? { usage_metadata: usage, response_metadata: responseMetadata } : {}),
        }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}
