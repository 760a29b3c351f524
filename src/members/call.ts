import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { extractAnswer } from "../answers/extract.js";
import { extractToolCallAnswer } from "../answers/tool_calls.js";
import { extractStructuredAnswer } from "../answers/structured.js";
import type { StructuredAnswerSpec } from "../answers/structured.js";
import type { AnswerTask } from "../answers/types.js";
import { warnIfUnpriced } from "../cost/unpriced.js";
import { costOf, messageText, usageOf } from "../cost/usage.js";
import type { Candidate } from "../core/types.js";
import { redactSecrets } from "../security/redact.js";
import { redactingCallbacks } from "../security/redacting_callbacks.js";
import { abortReason, sleep, withDeadline } from "./abort.js";
import { retryDelayMs } from "./backoff.js";
import { parseConfidence, stripConfidence } from "./confidence.js";
import { tokenLogprobs } from "./logprobs.js";
import type { Member } from "./member.js";
import { trackLiveCall } from "./live.js";
import { withStrictToolCalls } from "./strict_tool_calls.js";
import { isTransientError } from "./transient.js";

/** Where and how a member is called. */
export interface MemberCallContext {
  /** Tier index. */
  readonly tier: number;
  /** Position in the tier. */
  readonly index: number;
  /** Answer extractor. */
  readonly task: AnswerTask;
  /** Aborts the call (and its retries) when the query is aborted. */
  readonly signal?: AbortSignal;
  /** Callbacks of the enclosing run, so the call shows up as a child run in traces. */
  readonly callbacks?: Callbacks;
  /** Whether members were asked for a self-reported confidence. */
  readonly askConfidence?: boolean;
  /** When set, the call streams and each chunk is passed here as it arrives. */
  readonly onChunk?: (chunk: AIMessageChunk) => void;
  /** When set, the answer is the member's structured object (see {@link extractStructuredAnswer}). */
  readonly structured?: StructuredAnswerSpec;
  /** Model call options of the pyramid call (`stop`, `tool_choice`, ...), as {@link memberInvocation} resolved them. */
  readonly callOptions?: Readonly<Record<string, unknown>>;
}

/** Turns a member's output message into a candidate (answer extracted, usage and cost accounted). */
export function candidateFromMessage(
  member: Member,
  prompt: readonly BaseMessage[],
  output: BaseMessage,
  context: MemberCallContext,
  meta: { attempts: number; latencyMs: number },
): Candidate {
  const message = AIMessage.isInstance(output) ? output : new AIMessage({ content: output.content });
  const text = messageText(message);
  const invalidCalls = message.invalid_tool_calls ?? [];
  let extracted: { key: string; display: string } | null = null;
  let invalid: string | undefined;
  if (invalidCalls.length > 0) {
    // A call cut off (e.g. by maxTokens) or garbled: no answer, whatever else the message holds.
    invalid = `invalid tool call${invalidCalls.length > 1 ? "s" : ""} (arguments are not valid JSON): ${invalidCalls
      .map((call) => call.name ?? "(unnamed)")
      .join(", ")}`;
  } else if (context.structured) {
    const structured = extractStructuredAnswer(message, context.structured);
    if ("answer" in structured) extracted = structured.answer;
    else invalid = structured.invalid;
  } else {
    const toolAnswer = extractToolCallAnswer(message.tool_calls ?? []);
    // The confidence line the pyramid asked for is not part of the answer (its number would pass for a math answer).
    const answerText = context.askConfidence ? stripConfidence(text) : text;
    extracted = toolAnswer ?? extractAnswer(answerText, context.task, message);
  }
  const usage = usageOf(prompt, message);
  warnIfUnpriced(member, message);
  return {
    model: member.name,
    tier: context.tier,
    index: context.index,
    text,
    answer: extracted?.key ?? null,
    display: extracted?.display ?? null,
    message,
    ...(invalid !== undefined ? { invalid } : {}),
    attempts: meta.attempts,
    latencyMs: meta.latencyMs,
    usage,
    costUsd: costOf(usage, member.price, message),
    logprobs: tokenLogprobs(message),
    confidence: context.askConfidence ? parseConfidence(text) : undefined,
  };
}

async function invokeOnce(
  member: Member,
  prompt: BaseMessage[],
  context: MemberCallContext,
  signal: AbortSignal,
): Promise<BaseMessage> {
  // Handlers (LangSmith among them) see the member's errors with secrets masked, like the candidate does.
  const config = {
    ...context.callOptions,
    signal,
    callbacks: redactingCallbacks(context.callbacks),
    runName: member.name,
  };
  if (!context.onChunk) return member.runnable.invoke(prompt, config);
  let merged: AIMessageChunk | undefined;
  let whole: BaseMessage | undefined;
  for await (const piece of await member.runnable.stream(prompt, config)) {
    // A model that ignores its signal may keep streaming after a timeout or abort: never forward those chunks.
    if (signal.aborted) throw abortReason(signal);
    if (!AIMessageChunk.isInstance(piece)) {
      // A model that does not stream (no `_streamResponseChunks`, or `disableStreaming`) yields its whole message,
      // as invoke returns it: it is the answer as is (tool calls, usage, metadata), and goes out as one chunk.
      whole = piece;
      context.onChunk(chunkOfMessage(piece));
      continue;
    }
    merged = merged ? merged.concat(piece) : piece;
    context.onChunk(piece);
  }
  if (whole) return whole;
  return merged ? withStrictToolCalls(merged) : new AIMessageChunk({ content: "" });
}

/** A whole (not streamed) message as one chunk: its text, tool calls as complete chunks, usage and metadata. */
function chunkOfMessage(message: BaseMessage): AIMessageChunk {
  const calls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
  return new AIMessageChunk({
    content: message.content,
    id: message.id,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
    ...(AIMessage.isInstance(message) && message.usage_metadata ? { usage_metadata: message.usage_metadata } : {}),
    tool_call_chunks: calls.map((call, index) => ({
      type: "tool_call_chunk" as const,
      name: call.name,
      args: JSON.stringify(call.args),
      id: call.id,
      index,
    })),
  });
}

/** The text recorded on a failed candidate: `Name: message`, with secrets masked. */
export function memberErrorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactSecrets(text);
}

/**
 * Calls one member with its timeout and retries (exponential backoff, optionally jittered, on transient
 * errors; a `Retry-After` header on the error replaces the backoff, see {@link retryDelayMs}) and returns
 * its candidate. A failure after the retries is recorded on the candidate (`error`, with secrets masked),
 * never thrown, so the other members' work is kept; only an abort of the whole query is rethrown. Each
 * attempt takes the member's concurrency slot (`maxConcurrency`) and gives it back before any backoff
 * wait; an abort cancels the attempt in flight, a backoff wait, or a wait for a slot.
 */
export function callMember(member: Member, prompt: BaseMessage[], context: MemberCallContext): Promise<Candidate> {
  return trackLiveCall(() => callMemberWithRetries(member, prompt, context));
}

async function callMemberWithRetries(
  member: Member,
  prompt: BaseMessage[],
  context: MemberCallContext,
): Promise<Candidate> {
  const started = performance.now();
  let attempts = 0;
  let streamed = false;
  const onChunk = context.onChunk
    ? (chunk: AIMessageChunk) => {
        streamed = true;
        context.onChunk?.(chunk);
      }
    : undefined;
  const attempt = (): Promise<BaseMessage> =>
    withDeadline(
      (signal) => invokeOnce(member, prompt, { ...context, onChunk }, signal),
      member.timeoutMs,
      context.signal,
      `model "${member.name}"`,
    );
  for (;;) {
    attempts++;
    try {
      const output = member.limiter ? await member.limiter.run(attempt, context.signal) : await attempt();
      return candidateFromMessage(member, prompt, output, context, {
        attempts,
        latencyMs: performance.now() - started,
      });
    } catch (error) {
      if (context.signal?.aborted) throw error;
      const canRetry = attempts <= member.retries && isTransientError(error) && !streamed;
      if (canRetry) {
        // A server's Retry-After (429/503) replaces the exponential backoff, within the member's time budget.
        await sleep(retryDelayMs(member, attempts, error, performance.now() - started), context.signal);
        continue;
      }
      return {
        model: member.name,
        tier: context.tier,
        index: context.index,
        text: "",
        answer: null,
        display: null,
        error: memberErrorText(error),
        attempts,
        latencyMs: performance.now() - started,
        usage: { input: 0, output: 0, estimated: true },
        costUsd: 0,
      };
    }
  }
}
