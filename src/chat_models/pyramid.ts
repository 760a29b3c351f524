import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseChatModelParams, BindToolsInput } from "@langchain/core/language_models/chat_models";
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
import type { PyramidResult } from "../graph/result.js";
import type { PyramidSpec } from "../graph/spec.js";
import type { PyramidStateType, PyramidTokenEvent } from "../graph/state.js";
import type { StructuredAnswerSpec } from "../answers/structured.js";
import type { MemberInput } from "../members/member.js";
import { announceAnswer } from "./answer_event.js";
import type { PyramidChatModelCallOptions } from "./call_options.js";
import { checkMemberCallOptions, forwardedCallOptions } from "../members/call_options.js";
import { bindMemberTools } from "../members/tool_choice.js";
import { pyramidCacheIdentity } from "./cache_identity.js";
import { childCallbacks } from "./child_callbacks.js";
import { tokenCallbacks } from "./token_callbacks.js";
import { answerChunks, closingChunk, liveTextChunk, toolCallChunks } from "./stream_chunks.js";
import { structuredPyramid } from "./structured_output_method.js";
import type { PyramidStructuredOutputConfig } from "./structured_output.js";
import { PYRAMID_RUN_KEY, deadlineSetting } from "../graph/run_config.js";
import type { PyramidRunSettings } from "../graph/run_config.js";
import type { Ledger } from "../ledger/ledger.js";
import { callLedger } from "./call_ledger.js";
import { endQuerySpan, PYRAMID_ATTRIBUTES, startQuerySpan } from "../telemetry/spans.js";
import { endPyramidSpan } from "./query_span.js";
import type { Span } from "@opentelemetry/api";

/** Constructor options of {@link PyramidChatModel}: the pyramid's options plus LangChain's chat model params. */
export interface PyramidChatModelInput extends PyramidOptions, BaseChatModelParams {}

/** Structured-output settings handed from `withStructuredOutput` to the pyramid it builds (not a public option). */
const structuredSettings = new WeakMap<object, StructuredAnswerSpec>();

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
  private cacheIdentity?: Record<string, unknown>;

  /** Validates the options (errors name the field) and compiles the pyramid graph. */
  constructor(fields: PyramidChatModelInput) {
    super(fields ?? {});
    if (!fields || typeof fields !== "object") {
      throw new PyramidConfigError("expected an options object", {
        field: "options",
        fix: "new PyramidChatModel({ crowd, oracle })",
      });
    }
    this.options = fields;
    const structured = structuredSettings.get(fields);
    this.spec = { ...resolvePyramidOptions(fields), ...(structured ? { structured } : {}) };
    this.graph = buildPyramidStateGraph(this.spec).compile();
    const apex = this.spec.tiers[this.spec.tiers.length - 1];
    this.apexName = apex.members.map((member) => member.name).join("+");
    this.identity = {
      tiers: this.spec.tiers.map((tier) => ({
        name: tier.name,
        members: tier.members.map((m) => m.name),
        threshold: tier.threshold,
      })),
      mode: this.spec.mode,
      task: this.spec.task,
    };
  }

  /** LangChain model type. */
  override _llmType(): string {
    return "pyramid-moa";
  }

  /** The call options the pyramid reads: LangChain's plus the model options it forwards to its members. */
  override get callKeys(): string[] {
    return [...super.callKeys, "tools", "tool_choice", "response_format", "strict", "parallel_tool_calls"];
  }

  /**
   * What identifies this pyramid in LangChain's LLM cache: every tier's members (their own identifying params:
   * model, provider, sampling, bound tools), thresholds and router digests, the mode, task and policy settings.
   * Stable across processes; two pyramids share cached answers only when they are configured alike.
   */
  override _identifyingParams(): Record<string, unknown> {
    const prompt = this.options.generativePrompt;
    this.cacheIdentity ??= pyramidCacheIdentity(this.spec, {
      generativePrompt: typeof prompt === "function" ? prompt : (prompt ?? "default"),
      structured: this.spec.structured
        ? {
            method: this.spec.structured.method,
            name: this.spec.structured.name,
            instruction: this.spec.structured.instruction,
          }
        : undefined,
    });
    return this.cacheIdentity;
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

  /** The call's model options for the members, checked against every member before any call is made. */
  private memberCallOptions(options: this["ParsedCallOptions"]): Record<string, unknown> {
    const members = this.spec.tiers.flatMap((tier) => tier.members);
    const callOptions = forwardedCallOptions(options as Record<string, unknown>, members);
    checkMemberCallOptions(members, callOptions);
    return callOptions;
  }

  /** Runs the pyramid graph on `messages` and returns its final state. */
  async runGraph(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
    span?: Span,
  ): Promise<PyramidStateType> {
    const callOptions = this.memberCallOptions(options);
    const { ledger, owned } = callLedger(options.ledger, this.spec.budget);
    try {
      return (await this.graph.invoke(
        { messages, stream: false, callOptions },
        {
          signal: options.signal,
          callbacks: childCallbacks(runManager),
          configurable: this.runConfigurable(ledger, options, span),
        },
      )) as PyramidStateType;
    } finally {
      if (owned) await ledger.release();
    }
  }

  private runConfigurable(
    ledger: Ledger,
    options: this["ParsedCallOptions"],
    span?: Span,
  ): Record<string, PyramidRunSettings> {
    return {
      [PYRAMID_RUN_KEY]: {
        ledger,
        ...deadlineSetting(options.deadlineMs ?? this.spec.deadlineMs),
        ...(span ? { span } : {}),
      },
    };
  }

  private startSpan(options: this["ParsedCallOptions"]): Span {
    const account = options.ledger?.account;
    return startQuerySpan(this._llmType(), {
      "gen_ai.request.model": this.apexName,
      ...(account ? { [PYRAMID_ATTRIBUTES.tenant]: account } : {}),
    });
  }

  /** Answers with the pyramid; the routing trace is in `response_metadata.pyramid`. */
  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const span = this.startSpan(options);
    const started = Date.now();
    let result: PyramidResult;
    try {
      const state = await this.runGraph(messages, options, runManager, span);
      result = await announceAnswer(runManager, this.spec, state, Date.now() - started);
    } catch (error) {
      endQuerySpan(span, { error });
      throw error;
    }
    endPyramidSpan(span, result.pyramid, result.message.usage_metadata);
    // LangChain chat models return AIMessageChunk from invoke (what withStructuredOutput's parser expects).
    const message = new AIMessageChunk({
      content: result.message.content,
      tool_calls: result.message.tool_calls,
      usage_metadata: result.message.usage_metadata,
      response_metadata: result.message.response_metadata,
    });
    // AIMessageChunk's constructor drops invalid_tool_calls given without tool_call_chunks.
    message.invalid_tool_calls = result.message.invalid_tool_calls ?? [];
    return {
      generations: [{ text: typeof message.content === "string" ? message.content : "", message }],
      llmOutput: { tokenUsage: message.usage_metadata },
    };
  }

  /**
   * Streams the final answer: the apex model's text tokens as they come when the query is escalated to a
   * single-model apex (its tool calls once they are complete and valid), otherwise the chosen answer in chunks
   * once the router has decided. The last chunk carries the summed usage and `response_metadata.pyramid`. Each
   * chunk is reported once to the run's callbacks, so `streamEvents` and LangGraph's `messages` stream add up
   * to the final output; member calls appear as child runs.
   */
  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const span = this.startSpan(options);
    const { ledger, owned } = callLedger(options.ledger, this.spec.budget);
    try {
      yield* this.streamGraph(messages, options, ledger, span, runManager);
    } catch (error) {
      endQuerySpan(span, { error });
      throw error;
    } finally {
      if (owned) await ledger.release();
    }
  }

  private async *streamGraph(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    ledger: Ledger,
    span: Span,
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const started = Date.now();
    const callOptions = this.memberCallOptions(options);
    const tokens = tokenCallbacks(runManager);
    const stream = await this.graph.stream(
      { messages, stream: true, callOptions },
      {
        signal: options.signal,
        callbacks: childCallbacks(runManager),
        streamMode: ["custom", "values"],
        configurable: this.runConfigurable(ledger, options, span),
      },
    );
    let finalState: PyramidStateType | undefined;
    let streamed = 0;
    for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === "custom" && isTokenEvent(payload)) {
        // Only text goes out live: a tool call is sent once complete, so a cut-off call never reaches the stream.
        const chunk = liveTextChunk(payload.chunk);
        if (!chunk) continue;
        streamed++;
        yield chunk;
        await tokens?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
      } else if (mode === "values") {
        finalState = payload as PyramidStateType;
      }
    }
    if (!finalState) throw new Error("the pyramid graph produced no state");
    const { message, pyramid } = await announceAnswer(runManager, this.spec, finalState, Date.now() - started);
    const apexAnswered = pyramid.tier === this.spec.tiers.length - 1;
    if (streamed > 0 && !apexAnswered) {
      // The apex failed after some of its tokens were sent: appending the fallback answer would glue two answers
      // together, so the stream ends with an error that carries the fallback instead.
      throw new ModelCallError(
        this.spec.tiers[this.spec.tiers.length - 1].name,
        `failed mid-stream after ${streamed} chunks (${pyramid.error ?? "unknown error"}); ` +
          `the ${pyramid.tierName} tier's answer was: ${messageText(message)}`,
        { fix: "retry the query, or use invoke() to get the fallback answer with degraded: true" },
      );
    }
    endPyramidSpan(span, pyramid, message.usage_metadata);
    const rest = apexAnswered && streamed > 0 ? toolCallChunks(message) : answerChunks(message);
    for (const chunk of [...rest, closingChunk(message)]) {
      yield chunk;
      await tokens?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  /** The pyramid's tiers as `tiers` options, with every member replaced by `map(member)`. */
  mapMembers(map: (model: MemberInput & { model: unknown }, name: string) => MemberInput): TierInput[] {
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
    const tiers = this.mapMembers((spec, name) => ({
      ...spec,
      model: bindMemberTools(name, spec.model, tools, kwargs as Record<string, unknown> | undefined),
    }));
    return this.withTiers(tiers);
  }

  /**
   * A copy of this pyramid with other tiers (and, for `withStructuredOutput`, structured answers); it keeps this
   * pyramid's constructor callbacks (a traffic recorder given there, too).
   */
  withTiers(tiers: TierInput[], structured?: StructuredAnswerSpec): PyramidChatModel {
    const { crowd: _crowd, oracle: _oracle, ...rest } = this.options;
    const fields: PyramidChatModelInput = { ...rest, tiers, policy: undefined };
    if (structured) structuredSettings.set(fields, structured);
    return new PyramidChatModel(fields);
  }
}

type StructuredOutput = BaseChatModel<PyramidChatModelCallOptions, AIMessageChunk>["withStructuredOutput"];

/**
 * `withStructuredOutput(schema, { method, includeRaw, name, strict })`, as `ChatOpenAI` does it
 * ({@link structuredPyramid}).
 */
PyramidChatModel.prototype.withStructuredOutput = function withStructuredOutput(
  this: PyramidChatModel,
  schema: Parameters<StructuredOutput>[0],
  config?: PyramidStructuredOutputConfig,
) {
  return structuredPyramid(this, schema, config);
} as StructuredOutput;
