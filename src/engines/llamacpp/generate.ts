import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { ModelCallError } from "../../errors/index.js";
import type { TokenLogprob, TopLogprob } from "../logprobs.js";
import type { RenderedPrompt } from "./prompt.js";
import { SeededRandom, sampleToken, type SamplerSettings, type TokenLogit } from "./sampling.js";
import { StopSequenceMatcher, TokenTextDecoder, tokenPiece } from "./text_stream.js";

/** Settings of one generation. */
export interface GenerationSettings extends SamplerSettings {
  /** Maximum number of tokens to sample. */
  maxTokens: number;
  /** Seed of the sampler. */
  seed: number;
  /** User stop sequences (added to the chat template's own). */
  stop: readonly string[];
  /** Whether to compute log-probabilities. */
  logprobs: boolean;
  /** Alternatives per token in `top_logprobs`. */
  topLogprobs: number;
  /** Name used in error messages. */
  modelName: string;
}

/** A piece of generated output: text that can be shown, and the log-probabilities of its tokens. */
export interface GenerationStep {
  /** New text (may be empty when only log-probabilities are carried). */
  text: string;
  /** Entries of the tokens behind `text` (empty when log-probabilities are off). */
  logprobs: TokenLogprob[];
}

/** How a generation ended. */
export interface GenerationSummary {
  /** `"stop"`: end-of-generation token or stop sequence; `"length"`: maxTokens or context full. */
  finishReason: "stop" | "length";
  /** Prompt tokens. */
  inputTokens: number;
  /** Sampled tokens (including a final end-of-generation token). */
  outputTokens: number;
}

function abortError(signal: AbortSignal, modelName: string): unknown {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new ModelCallError(modelName, "the call was aborted", { cause: reason });
}

function utf8Bytes(text: string): number[] | null {
  return text.includes("\uFFFD") ? null : Array.from(Buffer.from(text, "utf8"));
}

function endsWithTokens(generated: readonly Token[], stop: readonly Token[]): boolean {
  if (stop.length > generated.length) return false;
  const offset = generated.length - stop.length;
  for (let i = 0; i < stop.length; i++) if (generated[offset + i] !== stop[i]) return false;
  return true;
}

/**
 * Generates an answer on `sequence` for an already rendered prompt, token by token.
 *
 * Every step evaluates one token with `controlledEvaluate`, asking llama.cpp for the raw logits of the
 * top candidates and the total logit weight `sum(exp(logit - maxLogit))` of the FULL vocabulary (greedy
 * chain, so nothing is truncated or temperature-scaled). The log-probability of a token is then exactly
 * `logit - maxLogit - ln(totalWeight)`, and the token is sampled here with top-k, top-p and temperature
 * (`sampleToken`), so truncation changes the choice but never the reported probabilities. Greedy calls
 * without `top_logprobs` take a cheaper path: llama.cpp's greedy chain leaves the distribution untouched,
 * so its reported confidence for the chosen token is the full-vocabulary probability (`ln` of it is used).
 *
 * The prompt prefix already in the sequence's KV cache is reused. Aborting `signal` stops before the next token.
 */
export async function* generateTokens(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  prompt: RenderedPrompt,
  settings: GenerationSettings,
  signal?: AbortSignal,
): AsyncGenerator<GenerationStep, GenerationSummary, undefined> {
  const tokens = prompt.tokens;
  const inputTokens = tokens.length;
  if (inputTokens === 0) throw new ModelCallError(settings.modelName, "the prompt is empty");
  if (inputTokens >= sequence.contextSize) {
    throw new ModelCallError(settings.modelName, `the prompt has ${inputTokens} tokens but the context holds ${sequence.contextSize}`, {
      fix: "Increase contextSize or shorten the prompt.",
    });
  }
  const sampling = settings.temperature > 0;
  // Greedy without alternatives: llama.cpp's greedy chain leaves the distribution untouched, so the
  // confidence it reports for the chosen token is its full-vocabulary probability (cheapest path).
  const greedyOnly = !sampling && (settings.topLogprobs === 0 || !settings.logprobs);
  const fullVocabulary = sampling && settings.topK === 0;
  const includeTop = Math.max(1, settings.logprobs ? settings.topLogprobs : 0, sampling ? settings.topK : 1);
  const generateNext: NonNullable<Extract<ControlledEvaluateInputItem, unknown[]>[1]["generateNext"]> = greedyOnly
    ? { token: true, confidence: settings.logprobs, options: { temperature: 0 } }
    : {
        token: true,
        options: { temperature: 0 },
        totalLogitWeight: true,
        logits: fullVocabulary ? true : { filter: { tokens: [], includeTop } },
      };

  const shared = sequence.compareContextTokens(tokens).firstDifferentIndex;
  let start = Math.min(shared, inputTokens - 1);
  if (sequence.nextTokenIndex > start) {
    try {
      await sequence.eraseContextTokenRanges([{ start, end: sequence.nextTokenIndex }]);
    } catch {
      // Some architectures (recurrent, sliding-window) cannot drop a suffix: start from an empty state.
      await sequence.clearHistory();
      start = 0;
    }
  }
  let input: ControlledEvaluateInputItem[] = tokens.slice(start, -1) as ControlledEvaluateInputItem[];
  input.push([tokens[inputTokens - 1]!, { generateNext }]);

  const random = new SeededRandom(settings.seed);
  const decoder = new TokenTextDecoder(model);
  const matcher = new StopSequenceMatcher([...prompt.textStops, ...settings.stop]);
  const generated: Token[] = [];
  let pending: TokenLogprob[] = [];
  let finishReason: GenerationSummary["finishReason"] = "length";

  while (generated.length < settings.maxTokens) {
    if (signal?.aborted) throw abortError(signal, settings.modelName);
    if (sequence.nextTokenIndex + input.length > sequence.contextSize) break;
    let results;
    try {
      results = await sequence.controlledEvaluate(input);
    } catch (cause) {
      throw new ModelCallError(settings.modelName, "llama.cpp evaluation failed", { cause });
    }
    if (signal?.aborted) throw abortError(signal, settings.modelName);
    const next = results[input.length - 1]?.next;
    let token: Token;
    let chosenLogprob = 0;
    let candidates: TokenLogit<Token>[] = [];
    let logNormalizer = 0;
    if (greedyOnly) {
      const picked = next?.token;
      if (picked === undefined || picked === null || (settings.logprobs && next?.confidence === undefined)) {
        throw new ModelCallError(settings.modelName, "llama.cpp returned no token");
      }
      token = picked;
      if (settings.logprobs) chosenLogprob = Math.min(0, Math.log(next!.confidence!));
    } else {
      const logits = next?.logits;
      const totalWeight = next?.totalLogitWeight;
      if (logits === undefined || totalWeight === undefined || logits.size === 0) {
        throw new ModelCallError(settings.modelName, "llama.cpp returned no logits for the next token");
      }
      candidates = [];
      for (const [candidate, logit] of logits) candidates.push({ token: candidate, logit });
      token = sampleToken(candidates, settings, random);
      const maxLogit = candidates[0]!.logit;
      logNormalizer = maxLogit + Math.log(totalWeight);
      chosenLogprob = Math.min(0, (logits.get(token) ?? maxLogit) - logNormalizer);
    }
    generated.push(token);

    if (model.isEogToken(token)) {
      finishReason = "stop";
      break;
    }
    const piece = decoder.push(token);
    if (settings.logprobs) {
      // The decoded text when this token alone completed it (exact at the start of the answer), else the cached piece.
      const own = decoder.lastCount === 1 ? { text: piece, bytes: utf8Bytes(piece) } : tokenPiece(model, token);
      const top: TopLogprob[] = [];
      for (let i = 0; i < Math.min(settings.topLogprobs, candidates.length); i++) {
        const candidate = candidates[i]!;
        const alt = candidate.token === token ? own : tokenPiece(model, candidate.token);
        top.push({ token: alt.text, logprob: Math.min(0, candidate.logit - logNormalizer), bytes: alt.bytes });
      }
      pending.push({ token: own.text, logprob: chosenLogprob, bytes: own.bytes, top_logprobs: top });
    }

    const tokenStop = prompt.tokenStops.some((stop) => endsWithTokens(generated, stop));
    const match = matcher.push(piece);
    if (match.stopped || tokenStop) {
      if (settings.logprobs) pending.pop();
      if (match.text.length > 0 || pending.length > 0) yield { text: match.text, logprobs: pending };
      pending = [];
      finishReason = "stop";
      return { finishReason, inputTokens, outputTokens: generated.length };
    }
    if (match.text.length > 0) {
      yield { text: match.text, logprobs: pending };
      pending = [];
    }
    input = [[token, { generateNext }]];
  }
  const rest = matcher.push(decoder.flush()).text + matcher.flush();
  if (rest.length > 0 || pending.length > 0) yield { text: rest, logprobs: pending };
  return { finishReason, inputTokens, outputTokens: generated.length };
}
