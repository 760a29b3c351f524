import { basename } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { PyramidConfigError } from "../../errors/index.js";
import type { TokenLogprob } from "../../core/logprobs.js";
import { parseOptions } from "../../errors/validate.js";
import { finalChunk, resolveCallSettings } from "./call_settings.js";
import { LlamaCppEngine } from "./engine.js";
import { generateTokens, type GenerationSettings, type GenerationStep, type GenerationSummary } from "./generate.js";
import {
  defaultLlamaCppContextThreads,
  LLAMACPP_DEFAULTS,
  llamaCppChatModelSchema,
  llamaCppSamplingSchema,
  type LlamaCppChatModelParsedOptions,
  type LlamaCppSamplingOptions,
} from "./options.js";
import { renderPrompt, type RenderedPrompt } from "./prompt.js";
import { chunkFields, ToolCallSplitter } from "./tools/call_output.js";
import { normalizeTools, resolveToolChoice } from "./tools/definitions.js";
import { toolCallSetup, type ToolCallSetup } from "./tools/setup.js";
import { GrammarTokenConstraint } from "./tools/token_constraint.js";
import { validateToolSchemas } from "./tools/tool_grammar.js";

/** Constructor fields of `LlamaCppChatModel`. */
export type LlamaCppChatModelFields = BaseChatModelParams &
  LlamaCppChatModelParsedOptions & {
    /** Engine to run on; default: the process-wide shared engine of `modelPath` (`LlamaCppEngine.shared`). */
    engine?: LlamaCppEngine;
  };

/** Per-call options: the usual LangChain call options (`tool_choice` included) plus sampling overrides and tools. */
export interface LlamaCppChatModelCallOptions extends BaseChatModelCallOptions, Omit<LlamaCppSamplingOptions, "stop"> {
  /** Extra stop sequences for this call. */
  stop?: string[];
  /** Tools the model may call (set by `bindTools`; LangChain tools, zod-schema tools or OpenAI tool definitions). */
  tools?: BindToolsInput[];
}

/**
 * A LangChain chat model running a GGUF model in-process with llama.cpp (node-llama-cpp 3.x), with the
 * model's own chat template, real per-token log-probabilities (`response_metadata.logprobs.content`,
 * ChatOpenAI's shape, from the full distribution before top-k/top-p), `usage_metadata`, token streaming,
 * and abort through `signal`.
 *
 * `bindTools(tools, { tool_choice })` adds tool calling: the tools are documented in the prompt by the model's
 * chat template (in its own tool format), and a grammar keeps the answer parseable — either text or exactly one
 * call, in the template's call syntax, of a bound tool with JSON arguments matching its schema (`tool_choice`
 * `"any"`/`"required"` or a tool name: a call is forced; `"auto"`: text or call; `"none"`: text). The call is
 * returned in `tool_calls` (streamed as `tool_call_chunks`).
 *
 * Instances with the same `modelPath` share one loaded model (`LlamaCppEngine.shared`); each call gets its
 * own context sequence, so crowd members on one model file generate in parallel.
 *
 * ```ts
 * const model = new LlamaCppChatModel({ modelPath: "models/qwen2.5-1.5b-instruct-q4_k_m.gguf", maxTokens: 256 });
 * const answer = await model.invoke("What is 7 * 6?");
 * extractTokenLogprobs(answer); // [-0.01, -0.2, ...]
 * await LlamaCppEngine.disposeAll();
 * ```
 */
export class LlamaCppChatModel extends BaseChatModel<LlamaCppChatModelCallOptions, AIMessageChunk> {
  /** LangChain class name. */
  static override lc_name(): string {
    return "LlamaCppChatModel";
  }

  /** GGUF path or model URI. */
  readonly modelPath: string;
  /** Name reported as `ls_model_name` and `response_metadata.model_name`. */
  readonly modelName: string;
  /** Sampling temperature (0: greedy). */
  readonly temperature: number;
  /** Top-k cut (0: off). */
  readonly topK: number;
  /** Top-p cut (1: off). */
  readonly topP: number;
  /** Maximum tokens to generate. */
  readonly maxTokens: number;
  /** Sampler seed; a fresh random seed per call when undefined. */
  readonly seed?: number;
  /** Stop sequences. */
  readonly stop: string[];
  /** Tokens per context sequence. */
  readonly contextSize: number;
  /** Sequences of the shared context. */
  readonly parallel: number;
  /** CPU threads of the shared context (default {@link defaultLlamaCppContextThreads}; 0: node-llama-cpp's choice). */
  readonly threads: number;
  /** Whether log-probabilities are computed. */
  readonly logprobs: boolean;
  /** Alternatives per token in `top_logprobs`. */
  readonly topLogprobs: number;
  /** The engine holding the loaded model. */
  readonly engine: LlamaCppEngine;

  constructor(fields: LlamaCppChatModelFields) {
    super(fields);
    const options = parseOptions(llamaCppChatModelSchema, fields, "LlamaCppChatModel");
    this.modelPath = options.modelPath;
    this.modelName = options.modelName ?? basename(options.modelPath);
    this.temperature = options.temperature ?? LLAMACPP_DEFAULTS.temperature;
    this.topK = options.topK ?? LLAMACPP_DEFAULTS.topK;
    this.topP = options.topP ?? LLAMACPP_DEFAULTS.topP;
    this.maxTokens = options.maxTokens ?? LLAMACPP_DEFAULTS.maxTokens;
    this.seed = options.seed;
    this.stop = options.stop ?? [];
    this.contextSize = options.contextSize ?? LLAMACPP_DEFAULTS.contextSize;
    this.parallel = options.parallel ?? LLAMACPP_DEFAULTS.parallel;
    this.threads = options.threads ?? defaultLlamaCppContextThreads();
    this.logprobs = options.logprobs ?? LLAMACPP_DEFAULTS.logprobs;
    this.topLogprobs = options.topLogprobs ?? LLAMACPP_DEFAULTS.topLogprobs;
    if (fields.engine !== undefined && !(fields.engine instanceof LlamaCppEngine)) {
      throw new PyramidConfigError("expected a LlamaCppEngine instance", {
        field: "LlamaCppChatModel.engine",
        fix: "Pass an engine from LlamaCppEngine.shared({ modelPath }) or new LlamaCppEngine({ modelPath }), or omit it.",
      });
    }
    this.engine =
      fields.engine ??
      LlamaCppEngine.shared({
        modelPath: options.modelPath,
        cacheDir: options.cacheDir,
        gpuLayers: options.gpuLayers,
        ...(options.downloadTimeoutMs !== undefined ? { downloadTimeoutMs: options.downloadTimeoutMs } : {}),
      });
  }

  /**
   * Loads the model (resolving or downloading a model URI) and its chat template now instead of on the
   * first call; useful to fail fast on a bad `modelPath`.
   */
  async load(): Promise<void> {
    await this.engine.loadModel();
    await this.engine.getChatWrapper();
  }

  /**
   * Binds tools for tool calling (agents): LangChain tools, `{ name, description, schema }` with a zod or JSON
   * schema, or OpenAI tool definitions; `kwargs.tool_choice` is `"auto"` (default), `"none"`, `"any"`/`"required"`
   * or a tool name. Tools, schemas and `tool_choice` are checked now (`ToolDefinitionError`).
   */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<LlamaCppChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, LlamaCppChatModelCallOptions> {
    const normalized = normalizeTools(tools);
    validateToolSchemas(normalized);
    resolveToolChoice(
      kwargs?.tool_choice,
      normalized.map((tool) => tool.name),
    );
    const definitions = normalized.map((tool) => ({
      type: "function" as const,
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
    return this.withConfig({ ...kwargs, tools: definitions });
  }

  /** LangChain model type identifier. */
  override _llmType(): string {
    return "llamacpp";
  }

  /** The call options this model reads (LangChain's, `tools`, `tool_choice` and the sampling overrides). */
  override get callKeys(): string[] {
    return [...super.callKeys, "tools", "tool_choice", ...Object.keys(llamaCppSamplingSchema.shape)];
  }

  /** LangSmith tracing parameters. */
  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    const settings = this.resolveSettings(options);
    return {
      ls_provider: "llamacpp",
      ls_model_name: this.modelName,
      ls_model_type: "chat",
      ls_temperature: settings.temperature,
      ls_max_tokens: settings.maxTokens,
      ls_stop: settings.stop.length > 0 ? [...settings.stop] : undefined,
    };
  }

  /** The sampling parameters a call would use. */
  override invocationParams(
    options?: this["ParsedCallOptions"],
  ): Omit<GenerationSettings, "modelName"> & { model: string } {
    const { modelName, ...settings } = this.resolveSettings(options);
    return { model: modelName, ...settings };
  }

  /**
   * Streams the answer token by token; the last chunk carries `usage_metadata` and the finish reason. With tools,
   * text that may still open a tool call is held back until known, and a call streams as `tool_call_chunks`.
   */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const settings = this.resolveSettings(options);
    const { steps, tools } = await this.start(messages, settings, options);
    const splitter =
      tools === undefined ? undefined : new ToolCallSplitter(tools.syntax, tools.choice.mode !== "required");
    const chunkOf = (text: string, logprobs: TokenLogprob[], events = splitter?.push(text)): ChatGenerationChunk => {
      const fields = events === undefined ? { content: text, tool_call_chunks: [] } : chunkFields(events);
      return new ChatGenerationChunk({
        text: fields.content,
        message: new AIMessageChunk({
          ...fields,
          response_metadata: settings.logprobs ? { logprobs: { content: logprobs } } : {},
        }),
      });
    };
    const emit = async (chunk: ChatGenerationChunk): Promise<void> => {
      await runManager?.handleLLMNewToken(
        chunk.text,
        { prompt: (options as { promptIndex?: number }).promptIndex ?? 0, completion: 0 },
        undefined,
        undefined,
        undefined,
        {
          chunk,
        },
      );
    };
    let step = await steps.next();
    while (step.done !== true) {
      const chunk = chunkOf(step.value.text, step.value.logprobs);
      yield chunk;
      await emit(chunk);
      step = await steps.next();
    }
    const held = splitter?.flush() ?? [];
    if (held.length > 0) {
      const chunk = chunkOf("", [], held);
      yield chunk;
      await emit(chunk);
    }
    const calledTool = splitter !== undefined && splitter.finish().toolCalls.length > 0;
    yield finalChunk(this.modelName, step.value, calledTool);
  }

  /**
   * Generates the whole answer (same generation path as streaming, without per-token chunks; answer text still
   * reaches `handleLLMNewToken`). With tools, a call is returned in `tool_calls` (`finish_reason` `"tool_calls"`),
   * or in `invalid_tool_calls` when `maxTokens` cut its arguments short.
   */
  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const settings = this.resolveSettings(options);
    const { steps, tools } = await this.start(messages, settings, options);
    const splitter =
      tools === undefined ? undefined : new ToolCallSplitter(tools.syntax, tools.choice.mode !== "required");
    let text = "";
    const logprobs: TokenLogprob[] = [];
    let step = await steps.next();
    while (step.done !== true) {
      const events = splitter?.push(step.value.text) ?? [{ type: "text" as const, text: step.value.text }];
      for (const entry of step.value.logprobs) logprobs.push(entry);
      for (const event of events) {
        if (event.type !== "text") continue;
        text += event.text;
        if (runManager !== undefined && event.text.length > 0) await runManager.handleLLMNewToken(event.text);
      }
      step = await steps.next();
    }
    const summary = step.value;
    const output = splitter?.finish() ?? { content: text, toolCalls: [], invalidToolCalls: [] };
    const finishReason = output.toolCalls.length > 0 ? "tool_calls" : summary.finishReason;
    const usage = {
      input_tokens: summary.inputTokens,
      output_tokens: summary.outputTokens,
      total_tokens: summary.inputTokens + summary.outputTokens,
    };
    // An AIMessageChunk, like other LangChain chat models return from invoke (what withStructuredOutput's parser expects).
    const message = new AIMessageChunk({
      content: output.content,
      tool_calls: output.toolCalls,
      invalid_tool_calls: output.invalidToolCalls,
      response_metadata: {
        model_name: this.modelName,
        model_provider: "llamacpp",
        finish_reason: finishReason,
        ...(settings.logprobs ? { logprobs: { content: logprobs } } : {}),
      },
      usage_metadata: usage,
    });
    // AIMessageChunk's constructor drops invalid_tool_calls given without tool_call_chunks.
    message.invalid_tool_calls = output.invalidToolCalls;
    return {
      generations: [{ text: output.content, message, generationInfo: { finish_reason: finishReason } }],
      llmOutput: {
        tokenUsage: {
          promptTokens: usage.input_tokens,
          completionTokens: usage.output_tokens,
          totalTokens: usage.total_tokens,
        },
      },
    };
  }

  /** Loads the model and template, prepares the call's tools (if any) and starts the generation. */
  private async start(
    messages: BaseMessage[],
    settings: GenerationSettings,
    options: this["ParsedCallOptions"],
  ): Promise<{ steps: AsyncGenerator<GenerationStep, GenerationSummary, undefined>; tools?: ToolCallSetup }> {
    const model = await this.engine.loadModel();
    const wrapper = await this.engine.getChatWrapper();
    const tools = toolCallSetup(options.tools, options.tool_choice, wrapper);
    const prompt = renderPrompt(
      model,
      wrapper,
      messages,
      tools !== undefined && tools.choice.mode !== "none" ? tools.tools : [],
    );
    const constraint = tools === undefined ? undefined : new GrammarTokenConstraint(model, tools.grammar);
    return { steps: this.run(model, prompt, settings, options.signal, constraint), tools };
  }

  /** Renders the prompt, borrows a sequence and runs the generation, giving the sequence back at the end or on abort. */
  private async *run(
    model: LlamaModel,
    prompt: RenderedPrompt,
    settings: GenerationSettings,
    signal: AbortSignal | undefined,
    constraint: GrammarTokenConstraint | undefined,
  ): AsyncGenerator<GenerationStep, GenerationSummary, undefined> {
    const lease = await this.engine.acquireSequence({
      contextSize: this.contextSize,
      parallel: this.parallel,
      threads: this.threads,
      tokens: prompt.tokens,
      signal,
    });
    // A consumer that gives up on abort may never resume this generator: give the sequence back at
    // once unless a token is being evaluated (then the loop sees the abort right after and releases).
    let evaluating = false;
    const onAbort = (): void => {
      if (!evaluating) lease.release();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const steps = generateTokens(model, lease.sequence, prompt, settings, signal, constraint);
      for (;;) {
        evaluating = true;
        let step: IteratorResult<GenerationStep, GenerationSummary>;
        try {
          step = await steps.next();
        } finally {
          evaluating = false;
        }
        if (step.done === true) return step.value;
        yield step.value;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      lease.release();
    }
  }

  private resolveSettings(options?: Partial<LlamaCppChatModelCallOptions>): GenerationSettings {
    return resolveCallSettings(this, options);
  }
}

type StructuredOutput = BaseChatModel<LlamaCppChatModelCallOptions, AIMessageChunk>["withStructuredOutput"];

/**
 * `withStructuredOutput(schema)`: LangChain's function-calling implementation with the schema's tool forced
 * (`tool_choice: "any"`), so that the grammar makes even a weak model answer with a call whose arguments follow the
 * schema. (LangChain's default binds the tool with `"auto"`, which lets the model answer in text and fail to parse.)
 */
LlamaCppChatModel.prototype.withStructuredOutput = function withStructuredOutput(
  this: LlamaCppChatModel,
  ...args: Parameters<StructuredOutput>
) {
  const forced = Object.create(this) as LlamaCppChatModel;
  forced.bindTools = (tools, kwargs) => this.bindTools(tools, { tool_choice: "any", ...kwargs });
  return (
    BaseChatModel.prototype.withStructuredOutput as (...a: Parameters<StructuredOutput>) => ReturnType<StructuredOutput>
  ).apply(forced, args);
} as StructuredOutput;
