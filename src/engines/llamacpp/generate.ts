import type { ControlledEvaluateInputItem, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { ModelCallError } from "../../errors/index.js";
import type { TokenLogprob, TopLogprob } from "../../core/logprobs.js";
import type { RenderedPrompt } from "./prompt.js";
import { SeededRandom, sampleToken, type SamplerSettings, type TokenLogit } from "./sampling.js";
import { StopSequenceMatcher, TokenTextDecoder, tokenPiece } from "./text_stream.js";
import {
  chooseConstrained,
  constrainedRequest,
  type NextTokenOutput,
  type NextTokenRequest,
} from "./tools/constrained_step.js";
import type { ConstrainedPlan, GrammarTokenConstraint } from "./tools/token_constraint.js";

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

interface StepChoice {
  token: Token;
  logprob: number;
  /** Candidates by decreasing logit (alternatives for `top_logprobs`). */
  top: TokenLogit<Token>[];
  logNormalizer: number;
}

/** Reads the token llama.cpp picked and its probability (greedy calls without alternatives). */
function chooseGreedy(
  next: (NextTokenOutput & { token?: Token | null; confidence?: number }) | undefined,
  settings: GenerationSettings,
): StepChoice {
  const picked = next?.token;
  if (picked === undefined || picked === null || (settings.logprobs && next?.confidence === undefined)) {
    throw new ModelCallError(settings.modelName, "llama.cpp returned no token");
  }
  return {
    token: picked,
    logprob: settings.logprobs ? Math.min(0, Math.log(next!.confidence!)) : 0,
    top: [],
    logNormalizer: 0,
  };
}

/** Samples from the raw logits llama.cpp returned (top-k, top-p, temperature applied here). */
function chooseSampled(
  next: NextTokenOutput | undefined,
  settings: GenerationSettings,
  random: SeededRandom,
): StepChoice {
  const logits = next?.logits;
  const totalWeight = next?.totalLogitWeight;
  if (logits === undefined || totalWeight === undefined || logits.size === 0) {
    throw new ModelCallError(settings.modelName, "llama.cpp returned no logits for the next token");
  }
  const candidates: TokenLogit<Token>[] = [];
  for (const [candidate, logit] of logits) candidates.push({ token: candidate, logit });
  const token = sampleToken(candidates, settings, random);
  const maxLogit = candidates[0]!.logit;
  const logNormalizer = maxLogit + Math.log(totalWeight);
  return {
    token,
    logprob: Math.min(0, (logits.get(token) ?? maxLogit) - logNormalizer),
    top: candidates,
    logNormalizer,
  };
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
 * With a `constraint` (tool calling), only tokens its grammar allows are chosen: each step asks for the logits of
 * the allowed tokens when they are few, else of the top candidates (and, if none of those is allowed, evaluates
 * the token again for the whole vocabulary). Reported log-probabilities stay those of the full distribution.
 * Stop sequences are not applied while the grammar constrains the text; generation ends when the grammar's text
 * is complete. Once the grammar allows any text (a free-text answer), generation continues unconstrained.
 *
 * The prompt prefix already in the sequence's KV cache is reused. Aborting `signal` stops before the next token.
 */
export async function* generateTokens(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  prompt: RenderedPrompt,
  settings: GenerationSettings,
  signal?: AbortSignal,
  grammar?: GrammarTokenConstraint,
): AsyncGenerator<GenerationStep, GenerationSummary, undefined> {
  const tokens = prompt.tokens;
  const inputTokens = tokens.length;
  if (inputTokens === 0) throw new ModelCallError(settings.modelName, "the prompt is empty");
  if (inputTokens >= sequence.contextSize) {
    throw new ModelCallError(
      settings.modelName,
      `the prompt has ${inputTokens} tokens but the context holds ${sequence.contextSize}`,
      {
        fix: "Increase contextSize or shorten the prompt.",
      },
    );
  }
  const sampling = settings.temperature > 0;
  // Greedy without alternatives: llama.cpp's greedy chain leaves the distribution untouched, so the
  // confidence it reports for the chosen token is its full-vocabulary probability (cheapest path).
  const greedyOnly = !sampling && (settings.topLogprobs === 0 || !settings.logprobs);
  const fullVocabulary = sampling && settings.topK === 0;
  const includeTop = Math.max(1, settings.logprobs ? settings.topLogprobs : 0, sampling ? settings.topK : 1);
  const freeRequest: NextTokenRequest = greedyOnly
    ? { token: true, confidence: settings.logprobs, options: { temperature: 0 } }
    : {
        token: true,
        options: { temperature: 0 },
        totalLogitWeight: true,
        logits: fullVocabulary ? true : { filter: { tokens: [], includeTop } },
      };
  const constrainedSettings = { ...settings, topLogprobs: settings.logprobs ? settings.topLogprobs : 0 };
  let constraint = grammar;
  let plan: ConstrainedPlan | undefined;
  const request = (): NextTokenRequest => {
    if (constraint === undefined) return freeRequest;
    plan = constraint.plan();
    return constrainedRequest(plan, constrainedSettings);
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
  input.push([tokens[inputTokens - 1]!, { generateNext: request() }]);

  const random = new SeededRandom(settings.seed);
  const decoder = new TokenTextDecoder(model);
  const matcher = new StopSequenceMatcher([...prompt.textStops, ...settings.stop]);
  const generated: Token[] = [];
  let pending: TokenLogprob[] = [];
  let finishReason: GenerationSummary["finishReason"] = "length";

  while (generated.length < settings.maxTokens) {
    if (signal?.aborted) throw abortError(signal, settings.modelName);
    if (sequence.nextTokenIndex + input.length > sequence.contextSize) break;
    let results: Awaited<ReturnType<typeof sequence.controlledEvaluate>>;
    try {
      results = await sequence.controlledEvaluate(input);
    } catch (cause) {
      throw new ModelCallError(settings.modelName, "llama.cpp evaluation failed", { cause });
    }
    if (signal?.aborted) throw abortError(signal, settings.modelName);
    const next = results[input.length - 1]?.next;
    let choice: StepChoice;
    if (constraint !== undefined) {
      const picked = chooseConstrained(next, plan!, constraint, constrainedSettings, random);
      if (picked === null) {
        if (plan!.kind === "all")
          throw new ModelCallError(settings.modelName, "no token of the vocabulary continues the tool-call grammar");
        // None of the top candidates fits the grammar: evaluate the last token again for the whole vocabulary.
        input = await rewindLastToken(sequence, input, [...tokens, ...generated]);
        plan = { kind: "all" };
        input[input.length - 1] = [lastToken(input), { generateNext: constrainedRequest(plan, constrainedSettings) }];
        continue;
      }
      choice = picked;
    } else {
      choice = greedyOnly ? chooseGreedy(next, settings) : chooseSampled(next, settings, random);
    }
    const token = choice.token;
    generated.push(token);

    if (model.isEogToken(token)) {
      finishReason = "stop";
      break;
    }
    let piece: string;
    let single: boolean;
    if (constraint !== undefined) {
      try {
        piece = constraint.accept(token);
      } catch (cause) {
        throw new ModelCallError(settings.modelName, "the generated text left the tool-call grammar", { cause });
      }
      single = constraint.lastCount === 1;
      decoder.push(token);
    } else {
      piece = decoder.push(token);
      single = decoder.lastCount === 1;
    }
    if (settings.logprobs) {
      // The decoded text when this token alone completed it (exact at the start of the answer), else the cached piece.
      const own = single ? { text: piece, bytes: utf8Bytes(piece) } : tokenPiece(model, token);
      const top: TopLogprob[] = [];
      for (let i = 0; i < Math.min(settings.topLogprobs, choice.top.length); i++) {
        const candidate = choice.top[i]!;
        const alt = candidate.token === token ? own : tokenPiece(model, candidate.token);
        top.push({ token: alt.text, logprob: Math.min(0, candidate.logit - choice.logNormalizer), bytes: alt.bytes });
      }
      pending.push({ token: own.text, logprob: choice.logprob, bytes: own.bytes, top_logprobs: top });
    }

    if (constraint !== undefined) {
      if (piece.length > 0 || (pending.length > 0 && constraint.done)) {
        yield { text: piece, logprobs: pending };
        pending = [];
      }
      if (constraint.done) return { finishReason: "stop", inputTokens, outputTokens: generated.length };
      if (constraint.free) constraint = undefined;
      input = [[token, { generateNext: request() }]];
      continue;
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
    input = [[token, { generateNext: request() }]];
  }
  const rest = matcher.push(decoder.flush()).text + matcher.flush();
  if (rest.length > 0 || pending.length > 0) yield { text: rest, logprobs: pending };
  return { finishReason, inputTokens, outputTokens: generated.length };
}

function lastToken(input: readonly ControlledEvaluateInputItem[]): Token {
  const item = input[input.length - 1]!;
  return Array.isArray(item) ? item[0] : item;
}

/**
 * Drops the last evaluated token from the sequence so it can be evaluated again with another request; returns
 * the input that does it (the last token alone, or everything from the start when the sequence cannot drop a
 * suffix). `history` holds every token evaluated so far.
 */
async function rewindLastToken(
  sequence: LlamaContextSequence,
  input: readonly ControlledEvaluateInputItem[],
  history: readonly Token[],
): Promise<ControlledEvaluateInputItem[]> {
  const last = lastToken(input);
  try {
    await sequence.eraseContextTokenRanges([{ start: sequence.nextTokenIndex - 1, end: sequence.nextTokenIndex }]);
    return [last];
  } catch {
    await sequence.clearHistory();
    return [...history] as ControlledEvaluateInputItem[];
  }
}
