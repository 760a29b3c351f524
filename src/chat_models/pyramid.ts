import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseChatModelCallOptions, BaseChatModelParams, BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { LangSmithParams } from "@langchain/core/language_models/chat_models";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatGenerationChunk, ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { ModelCallError, PyramidConfigError } from "../errors/index.js";
import { messageText } from "../cost/usage.js";
import { buildPyramidStateGraph } from "../graph/build.js";
import { resolvePyramidOptions } from "../graph/options.js";
import type { PyramidOptions, TierInput } from "../graph/options.js";
import { pyramidResult } from "../graph/result.js";
import type { PyramidSpec } from "../graph/spec.js";
import type { PyramidStateType, PyramidTokenEvent } from "../graph/state.js";
import type { MemberInput } from "../members/member.js";
import { TrafficRecorder } from "../traces/recorder.js";
import type { TrafficOptions } from "../traces/options.js";
import type { ShadowStats } from "../shadow/shadow_runner.js";
import { childCallbacks } from "./child_callbacks.js";
import { withTrafficMetadata } from "./traffic_metadata.js";
import { answerChunks, closingChunk, passthroughChunk } from "./stream_chunks.js";

/** Constructor options of {@link PyramidChatModel}: the pyramid's options plus LangChain's chat model params. */
export interface PyramidChatModelInput extends PyramidOptions, TrafficOptions, BaseChatModelParams {}

/** Call options of {@link PyramidChatModel}. */
export interface PyramidChatModelCallOptions extends BaseChatModelCallOptions {}

function isTokenEvent(value: unknown): value is PyramidTokenEvent {
  return typeof value === "object" && value !== null && (value as { type?: unknown }).type === "pyramid.token";
}

/**
 * A LangChain chat model that answers with a Pyramid Mixture-of-Agents: the crowd answers every query in
 * parallel, a router estimates the probability that the crowd's majority answer is wrong, and only the
 * queries above the threshold (Equation 5) go up to the Oracle. Use it anywhere a chat model goes: agents
 * with tools, chains, streaming, batching, structured output, tracing.
 *
 * ```ts
 * const model = new PyramidChatModel({ crowd: [llama8b, gemma9b, qwen7b], oracle: llama70b, task: "math" });
 * const answer = await model.invoke("What is 17 * 23?");
 * answer.response_metadata.pyramid; // { tier, escalated, pFail, threshold, features, candidates, cost, ... }
 * ```
 */
export class PyramidChatModel extends BaseChatModel<PyramidChatModelCallOptions> {
  /** LangChain serialization name. */
  static override lc_name(): string {
    return "PyramidChatModel";
  }

  /** The resolved pyramid (tiers, members, thresholds). */
  readonly spec: PyramidSpec;

  private readonly options: PyramidChatModelInput;
  private readonly graph;
  private readonly apexName: string;
  private readonly identity: Record<string, unknown>;
  private traffic?: TrafficRecorder;

  /** Validates the options (errors name the field) and compiles the pyramid graph. */
  constructor(fields: PyramidChatModelInput) {
    super(fields ?? {});
    if (!fields || typeof fields !== "object") {
      throw new PyramidConfigError("expected an options object", { field: "options", fix: "new PyramidChatModel({ crowd, oracle })" });
    }
    this.options = fields;
    this.spec = resolvePyramidOptions(fields);
    this.graph = buildPyramidStateGraph(this.spec).compile();
    const apex = this.spec.tiers[this.spec.tiers.length - 1];
    this.apexName = apex.members.map((member) => member.name).join("+");
    this.identity = {
      tiers: this.spec.tiers.map((tier) => ({ name: tier.name, members: tier.members.map((m) => m.name), threshold: tier.threshold })),
      mode: this.spec.mode,
      task: this.spec.task,
    };
    if (TrafficRecorder.wanted(fields)) this.traffic = new TrafficRecorder(this.spec, fields);
  }

  /**
   * Attaches ground truth to an answered query of the trace file: `id` is `response_metadata.pyramid.traceId`,
   * `correct` whether the answer returned was correct. Needs `traces`.
   */
  feedback(id: string, correct: boolean): void {
    if (!this.traffic) {
      throw new PyramidConfigError("feedback needs a trace file", { field: "traces", fix: 'create the pyramid with traces: "traffic.jsonl"' });
    }
    this.traffic.feedback(id, correct);
  }

  /** Resolves once every shadow call started so far has finished and been written to the trace file. */
  async drainShadow(): Promise<void> {
    await this.traffic?.drain();
  }

  /** Shadow calls so far: scheduled, completed, skipped, and their USD cost (shadow cost). */
  get shadowStats(): Readonly<ShadowStats> {
    return this.traffic?.shadowStats ?? { scheduled: 0, completed: 0, skipped: 0, costUsd: 0 };
  }

  /** The trace file this pyramid appends to, when `traces` is set. */
  get traceFile(): string | undefined {
    return this.traffic?.file;
  }

  /** LangChain model type. */
  override _llmType(): string {
    return "pyramid-moa";
  }

  /** LangSmith parameters: provider `pyramid-moa`, model name = the apex model's name. */
  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return {
      ...super.getLsParams(options),
      ls_provider: "pyramid-moa",
      ls_model_name: this.apexName,
      ls_model_type: "chat",
    };
  }

  /** Parameters identifying this pyramid in traces. */
  override invocationParams(): Record<string, unknown> {
    return this.identity;
  }

  /** Runs the pyramid graph on `messages` and returns its final state. */
  async runGraph(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<PyramidStateType> {
    return this.graph.invoke(
      { messages, stream: false },
      { signal: options.signal, callbacks: childCallbacks(runManager) },
    ) as Promise<PyramidStateType>;
  }

  /** Answers with the pyramid; the routing trace is in `response_metadata.pyramid`. */
  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const started = Date.now();
    const state = await this.runGraph(messages, options, runManager);
    const plain = pyramidResult(this.spec, state);
    const result = withTrafficMetadata(plain, this.traffic?.onAnswer(state, plain, Date.now() - started));
    // LangChain chat models return AIMessageChunk from invoke (what withStructuredOutput's parser expects).
    const message = new AIMessageChunk({
      content: result.message.content,
      tool_calls: result.message.tool_calls,
      usage_metadata: result.message.usage_metadata,
      response_metadata: result.message.response_metadata,
    });
    return {
      generations: [{ text: typeof message.content === "string" ? message.content : "", message }],
      llmOutput: { tokenUsage: message.usage_metadata },
    };
  }

  /**
   * Streams the final answer: the apex model's tokens as they come when the query is escalated to a
   * single-model apex, otherwise the chosen answer in chunks once the router has decided. The last chunk
   * carries the summed usage and `response_metadata.pyramid`.
   */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const started = Date.now();
    const stream = await this.graph.stream(
      { messages, stream: true },
      { signal: options.signal, callbacks: childCallbacks(runManager), streamMode: ["custom", "values"] },
    );
    let finalState: PyramidStateType | undefined;
    const streamed: AIMessageChunk[] = [];
    for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === "custom" && isTokenEvent(payload)) {
        streamed.push(payload.chunk);
        const chunk = passthroughChunk(payload.chunk);
        yield chunk;
        await runManager?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
      } else if (mode === "values") {
        finalState = payload as PyramidStateType;
      }
    }
    if (!finalState) throw new Error("the pyramid graph produced no state");
    const plain = pyramidResult(this.spec, finalState);
    const { message, pyramid } = withTrafficMetadata(plain, this.traffic?.onAnswer(finalState, plain, Date.now() - started));
    const apexAnswered = pyramid.tier === this.spec.tiers.length - 1;
    if (streamed.length > 0 && !apexAnswered) {
      // The apex failed after some of its tokens were sent: appending the fallback answer would glue two answers
      // together, so the stream ends with an error that carries the fallback instead.
      throw new ModelCallError(
        this.spec.tiers[this.spec.tiers.length - 1].name,
        `failed mid-stream after ${streamed.length} chunks (${pyramid.error ?? "unknown error"}); ` +
          `the ${pyramid.tierName} tier's answer was: ${messageText(message)}`,
        { fix: "retry the query, or use invoke() to get the fallback answer with degraded: true" },
      );
    }
    if (!(apexAnswered && streamed.length > 0)) {
      for (const chunk of answerChunks(message)) {
        yield chunk;
        await runManager?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
      }
    }
    yield closingChunk(message);
  }

  /** The pyramid's tiers as `tiers` options, with every member replaced by `map(member)`. */
  private mapMembers(map: (model: MemberInput & { model: unknown }, name: string) => MemberInput): TierInput[] {
    return this.spec.tiers.map((tier) => ({
      name: tier.name,
      models: tier.members.map((member) => map({ ...member.input, name: member.name }, member.name)),
      router: tier.router,
      policy: { threshold: Math.min(1, tier.threshold) },
    }));
  }

  /**
   * Binds tools to every member of every tier and returns a new PyramidChatModel: members answer with tool
   * calls, which are voted like answers (same tool names and arguments = same answer).
   */
  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<PyramidChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, PyramidChatModelCallOptions> {
    const tiers = this.mapMembers((spec, name) => {
      const model = spec.model as { bindTools?: (t: BindToolsInput[], k?: unknown) => unknown };
      if (typeof model.bindTools !== "function") {
        throw new PyramidConfigError(`member "${name}" does not support tool calling (no bindTools)`, {
          field: "bindTools",
          fix: "use chat models that implement bindTools for every tier",
        });
      }
      return { ...spec, model: model.bindTools(tools, kwargs) as MemberInput & Runnable };
    });
    const { crowd: _crowd, oracle: _oracle, traces: _traces, shadow: _shadow, ...rest } = this.options;
    const bound = new PyramidChatModel({ ...rest, tiers, policy: undefined });
    bound.traffic = this.traffic;
    return bound;
  }
}
