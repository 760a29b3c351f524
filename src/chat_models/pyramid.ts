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
import { buildPyramidStateGraph } from "../graphs/build.js";
import { resolvePyramidOptions } from "../graphs/options.js";
import type { PyramidOptions, TierInput } from "../graphs/options.js";
import { pyramidResult } from "../graphs/result.js";
import type { PyramidSpec } from "../graphs/spec.js";
import type { PyramidStateType, PyramidTokenEvent } from "../graphs/state.js";
import type { MemberInput } from "../members/member.js";
import { childCallbacks } from "./child_callbacks.js";
import type { Budget } from "../cost/budget_api.js";
import { PYRAMID_RUN_KEY } from "../graphs/run_config.js";
import type { PyramidRunSettings } from "../graphs/run_config.js";
import { endQuerySpan, PYRAMID_ATTRIBUTES, startQuerySpan } from "../telemetry/spans.js";
import type { Span } from "@opentelemetry/api";
import type { PyramidMetadata } from "../graphs/result.js";
import { answerChunks, closingChunk, passthroughChunk } from "./stream_chunks.js";

/** Constructor options of {@link PyramidChatModel}: the pyramid's options plus LangChain's chat model params. */
export interface PyramidChatModelInput extends PyramidOptions, BaseChatModelParams {}

/** Call options of {@link PyramidChatModel}. */
export interface PyramidChatModelCallOptions extends BaseChatModelCallOptions {
  /** The budget this call spends from instead of the pyramid's `budget` (e.g. a tenant's; see `combineBudgets`). */
  budget?: Budget;
  /** A tenant name recorded on the query's OpenTelemetry span (`pyramid.tenant`). */
  tenant?: string;
}

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
      { signal: options.signal, callbacks: childCallbacks(runManager), configurable: this.runConfigurable(options) },
    ) as Promise<PyramidStateType>;
  }

  private runConfigurable(options: this["ParsedCallOptions"], span?: Span): Record<string, PyramidRunSettings> {
    return { [PYRAMID_RUN_KEY]: { ...(options.budget ? { budget: options.budget } : {}), ...(span ? { span } : {}) } };
  }

  private startSpan(options: this["ParsedCallOptions"]): Span {
    return startQuerySpan(this._llmType(), {
      "gen_ai.request.model": this.apexName,
      ...(options.tenant ? { [PYRAMID_ATTRIBUTES.tenant]: options.tenant } : {}),
    });
  }

  private static endSpan(span: Span, pyramid: PyramidMetadata, usage: { input_tokens: number; output_tokens: number } | undefined): void {
    endQuerySpan(span, {
      tier: pyramid.tier,
      escalated: pyramid.escalated,
      degraded: pyramid.degraded,
      inputTokens: usage?.input_tokens ?? 0,
      outputTokens: usage?.output_tokens ?? 0,
      costUsd: pyramid.cost.total,
      oracleOnlyUsd: pyramid.cost.oracleOnly,
    });
  }

  /** Answers with the pyramid; the routing trace is in `response_metadata.pyramid`. */
  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const span = this.startSpan(options);
    let result: ReturnType<typeof pyramidResult>;
    try {
      const state = (await this.graph.invoke(
        { messages, stream: false },
        { signal: options.signal, callbacks: childCallbacks(runManager), configurable: this.runConfigurable(options, span) },
      )) as PyramidStateType;
      result = pyramidResult(this.spec, state);
    } catch (error) {
      endQuerySpan(span, { error });
      throw error;
    }
    PyramidChatModel.endSpan(span, result.pyramid, result.message.usage_metadata);
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
    const span = this.startSpan(options);
    try {
      yield* this.streamGraph(messages, options, span, runManager);
    } catch (error) {
      endQuerySpan(span, { error });
      throw error;
    }
  }

  private async *streamGraph(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    span: Span,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const stream = await this.graph.stream(
      { messages, stream: true },
      {
        signal: options.signal,
        callbacks: childCallbacks(runManager),
        streamMode: ["custom", "values"],
        configurable: this.runConfigurable(options, span),
      },
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
    const { message, pyramid } = pyramidResult(this.spec, finalState);
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
    PyramidChatModel.endSpan(span, pyramid, message.usage_metadata);
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
    const { crowd: _crowd, oracle: _oracle, ...rest } = this.options;
    return new PyramidChatModel({ ...rest, tiers, policy: undefined });
  }
}
