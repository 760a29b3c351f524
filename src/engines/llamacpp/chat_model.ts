import { basename } from "node:path";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { PyramidConfigError } from "../../errors/index.js";
import type { TokenLogprob } from "../logprobs.js";
import { parseOptions } from "../validate.js";
import { LlamaCppEngine } from "./engine.js";
import { generateTokens, type GenerationSettings, type GenerationStep, type GenerationSummary } from "./generate.js";
import {
  LLAMACPP_DEFAULTS,
  llamaCppChatModelSchema,
  llamaCppSamplingSchema,
  type LlamaCppChatModelParsedOptions,
  type LlamaCppSamplingOptions,
} from "./options.js";
import { renderPrompt } from "./prompt.js";

/** Constructor fields of `LlamaCppChatModel`. */
export type LlamaCppChatModelFields = BaseChatModelParams &
  LlamaCppChatModelParsedOptions & {
    /** Engine to run on; default: the process-wide shared engine of `modelPath` (`LlamaCppEngine.shared`). */
    engine?: LlamaCppEngine;
  };

/** Per-call options: the usual LangChain call options plus sampling overrides. */
export interface LlamaCppChatModelCallOptions extends BaseChatModelCallOptions, Omit<LlamaCppSamplingOptions, "stop"> {
  /** Extra stop sequences for this call. */
  stop?: string[];
}

const SAMPLING_KEYS = ["temperature", "topK", "topP", "maxTokens", "seed", "stop"] as const;

/**
 * A LangChain chat model running a GGUF model in-process with llama.cpp (node-llama-cpp 3.x), with the
 * model's own chat template, real per-token log-probabilities (`response_metadata.logprobs.content`,
 * ChatOpenAI's shape, from the full distribution before top-k/top-p), `usage_metadata`, token streaming,
 * and abort through `signal`.
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
  /** CPU threads of the shared context (undefined: node-llama-cpp's default). */
  readonly threads?: number;
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
    this.threads = options.threads;
    this.logprobs = options.logprobs ?? LLAMACPP_DEFAULTS.logprobs;
    this.topLogprobs = options.topLogprobs ?? LLAMACPP_DEFAULTS.topLogprobs;
    if (fields.engine !== undefined && !(fields.engine instanceof LlamaCppEngine)) {
      throw new PyramidConfigError("expected a LlamaCppEngine instance", {
        field: "LlamaCppChatModel.engine",
        fix: "Pass an engine from LlamaCppEngine.shared({ modelPath }) or new LlamaCppEngine({ modelPath }), or omit it.",
      });
    }
    this.engine =
      fields.engine ?? LlamaCppEngine.shared({ modelPath: options.modelPath, cacheDir: options.cacheDir, gpuLayers: options.gpuLayers });
  }

  /**
   * Loads the model (resolving or downloading a model URI) and its chat template now instead of on the
   * first call; useful to fail fast on a bad `modelPath`.
   */
  async load(): Promise<void> {
    await this.engine.loadModel();
    await this.engine.getChatWrapper();
  }

  /** LangChain model type identifier. */
  override _llmType(): string {
    return "llamacpp";
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
  override invocationParams(options?: this["ParsedCallOptions"]): Omit<GenerationSettings, "modelName"> & { model: string } {
    const { modelName, ...settings } = this.resolveSettings(options);
    return { model: modelName, ...settings };
  }

  /** Streams the answer token by token; the last chunk carries `usage_metadata` and the finish reason. */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const settings = this.resolveSettings(options);
    const steps = this.run(messages, settings, options.signal);
    let step = await steps.next();
    while (step.done !== true) {
      const { text, logprobs } = step.value;
      const chunk = new ChatGenerationChunk({
        text,
        message: new AIMessageChunk({
          content: text,
          response_metadata: settings.logprobs ? { logprobs: { content: logprobs } } : {},
        }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(text, { prompt: (options as { promptIndex?: number }).promptIndex ?? 0, completion: 0 }, undefined, undefined, undefined, {
        chunk,
      });
      step = await steps.next();
    }
    yield this.finalChunk(step.value);
  }

  /** Generates the whole answer (same generation path as streaming, without per-token chunks; tokens still reach `handleLLMNewToken`). */
  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const settings = this.resolveSettings(options);
    const steps = this.run(messages, settings, options.signal);
    let text = "";
    const logprobs: TokenLogprob[] = [];
    let step = await steps.next();
    while (step.done !== true) {
      text += step.value.text;
      for (const entry of step.value.logprobs) logprobs.push(entry);
      if (runManager !== undefined && step.value.text.length > 0) await runManager.handleLLMNewToken(step.value.text);
      step = await steps.next();
    }
    const summary = step.value;
    const usage = {
      input_tokens: summary.inputTokens,
      output_tokens: summary.outputTokens,
      total_tokens: summary.inputTokens + summary.outputTokens,
    };
    const message = new AIMessage({
      content: text,
      response_metadata: {
        model_name: this.modelName,
        model_provider: "llamacpp",
        finish_reason: summary.finishReason,
        ...(settings.logprobs ? { logprobs: { content: logprobs } } : {}),
      },
      usage_metadata: usage,
    });
    return {
      generations: [{ text, message, generationInfo: { finish_reason: summary.finishReason } }],
      llmOutput: {
        tokenUsage: { promptTokens: usage.input_tokens, completionTokens: usage.output_tokens, totalTokens: usage.total_tokens },
      },
    };
  }

  /** Renders the prompt, borrows a sequence and runs the generation, giving the sequence back at the end or on abort. */
  private async *run(
    messages: BaseMessage[],
    settings: GenerationSettings,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<GenerationStep, GenerationSummary, undefined> {
    const model = await this.engine.loadModel();
    const wrapper = await this.engine.getChatWrapper();
    const prompt = renderPrompt(model, wrapper, messages);
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
      const steps = generateTokens(model, lease.sequence, prompt, settings, signal);
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

  private finalChunk(summary: GenerationSummary): ChatGenerationChunk {
    return new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        response_metadata: { model_name: this.modelName, model_provider: "llamacpp", finish_reason: summary.finishReason },
        usage_metadata: {
          input_tokens: summary.inputTokens,
          output_tokens: summary.outputTokens,
          total_tokens: summary.inputTokens + summary.outputTokens,
        },
      }),
      generationInfo: { finish_reason: summary.finishReason },
    });
  }

  private resolveSettings(options?: Partial<LlamaCppChatModelCallOptions>): GenerationSettings {
    const overrides: Record<string, unknown> = {};
    for (const key of SAMPLING_KEYS) if (options?.[key] !== undefined) overrides[key] = options[key];
    const call = parseOptions(llamaCppSamplingSchema, overrides, "LlamaCppChatModel call option");
    const seed = call.seed ?? this.seed ?? Math.floor(Math.random() * 0xffffffff);
    return {
      temperature: call.temperature ?? this.temperature,
      topK: call.topK ?? this.topK,
      topP: call.topP ?? this.topP,
      maxTokens: call.maxTokens ?? this.maxTokens,
      seed,
      stop: [...this.stop, ...(call.stop ?? [])],
      logprobs: this.logprobs,
      topLogprobs: this.topLogprobs,
      modelName: this.modelName,
    };
  }
}
