import { AIMessageChunk } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { parseOptions } from "../../errors/validate.js";
import type { GenerationSettings, GenerationSummary } from "./generate.js";
import { llamaCppSamplingSchema } from "./options.js";

/** The call options that override the model's sampling settings for one call. */
export const SAMPLING_KEYS = ["temperature", "topK", "topP", "maxTokens", "seed", "stop"] as const;

/** A model's own settings, which a call's options override. */
export type ModelSettings = Omit<GenerationSettings, "seed"> & { readonly seed?: number };

/**
 * The settings of one call: the call's sampling overrides (validated, named `LlamaCppChatModel call option.<key>`
 * when wrong) over the model's settings; the call's stop sequences are added to the model's; with no seed anywhere,
 * a random one.
 */
export function resolveCallSettings(
  model: ModelSettings,
  options?: Partial<Record<(typeof SAMPLING_KEYS)[number], unknown>>,
): GenerationSettings {
  const overrides: Record<string, unknown> = {};
  for (const key of SAMPLING_KEYS) if (options?.[key] !== undefined) overrides[key] = options[key];
  const call = parseOptions(llamaCppSamplingSchema, overrides, "LlamaCppChatModel call option");
  const seed = call.seed ?? model.seed ?? Math.floor(Math.random() * 0xffffffff);
  return {
    temperature: call.temperature ?? model.temperature,
    topK: call.topK ?? model.topK,
    topP: call.topP ?? model.topP,
    maxTokens: call.maxTokens ?? model.maxTokens,
    seed,
    stop: [...model.stop, ...(call.stop ?? [])],
    logprobs: model.logprobs,
    topLogprobs: model.topLogprobs,
    modelName: model.modelName,
  };
}

/** The last chunk of a generation: finish reason (`tool_calls` when a tool was called) and token usage. */
export function finalChunk(modelName: string, summary: GenerationSummary, calledTool: boolean): ChatGenerationChunk {
  const finishReason = calledTool ? "tool_calls" : summary.finishReason;
  return new ChatGenerationChunk({
    text: "",
    message: new AIMessageChunk({
      content: "",
      response_metadata: { model_name: modelName, model_provider: "llamacpp", finish_reason: finishReason },
      usage_metadata: {
        input_tokens: summary.inputTokens,
        output_tokens: summary.outputTokens,
        total_tokens: summary.inputTokens + summary.outputTokens,
      },
    }),
    generationInfo: { finish_reason: finishReason },
  });
}
