import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type {
  BaseChatModelCallOptions,
  BaseChatModelParams,
  BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { Runnable } from "@langchain/core/runnables";
import { AIMessage } from "@langchain/core/messages";
import type { AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** What one call of a {@link FaultyChatModel} does. */
export type FaultStep =
  | { readonly kind: "answer"; readonly text: string; readonly delayMs: number }
  | { readonly kind: "error"; readonly error: Error; readonly delayMs: number }
  /** Never answers; stops when its signal aborts (a well-behaved client whose server hangs). */
  | { readonly kind: "hang" }
  /** Never answers and ignores its signal (a client that cannot be cancelled). */
  | { readonly kind: "stuck" };

/** An HTTP-like error as LangChain/OpenAI clients throw it (`status`), or a network error (`code`). */
export function httpError(status: number, message = `${status} status code`): Error {
  return Object.assign(new Error(message), { status });
}

/** A network error (connection reset), as Node's fetch/undici throws it. */
export function networkError(): Error {
  return Object.assign(new TypeError("fetch failed"), {
    cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
  });
}

/** Calls of every fault model, counted: in progress now (hangs included until aborted), started, aborted. */
export class CallCounter {
  live = 0;
  started = 0;
  aborted = 0;
  peak = 0;
}

/** Options of {@link FaultyChatModel}. */
export interface FaultyChatModelInput extends BaseChatModelParams {
  readonly name: string;
  /** The step for the model's `call`-th call (0-based) on the prompt whose text is `prompt`. */
  readonly plan: (prompt: string, call: number) => FaultStep;
  readonly counter?: CallCounter;
  /** Input and output tokens reported per answer. */
  readonly tokens?: { input: number; output: number };
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error("Aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function waitForAbort(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(new Error("Aborted"));
    else signal?.addEventListener("abort", () => reject(new Error("Aborted")), { once: true });
  });
}

/**
 * A chat model that fails, hangs or answers slowly on a script, for fault-injection tests of the pyramid's
 * call handling. Every call is counted per prompt (`callsFor`), so retries can be checked query by query.
 */
export class FaultyChatModel extends BaseChatModel {
  readonly fields: FaultyChatModelInput;
  private readonly perPrompt = new Map<string, number>();

  constructor(fields: FaultyChatModelInput) {
    super(fields);
    this.fields = fields;
  }

  override _llmType(): string {
    return "faulty";
  }

  /** The output tokens every answer reports: the most it writes (what budget holds assume, as for `maxTokens`). */
  get maxTokens(): number {
    return (this.fields.tokens ?? { input: 20, output: 5 }).output;
  }

  override getLsParams(options: this["ParsedCallOptions"]) {
    return { ...super.getLsParams(options), ls_provider: "faulty", ls_model_name: this.fields.name };
  }

  /** Binds tools the way provider chat models do: a binding around this very model (the tools are ignored). */
  override bindTools(
    tools: BindToolsInput[],
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    return this.withConfig({ tools } as Partial<BaseChatModelCallOptions>);
  }

  /** Calls made so far on the prompt whose last message text is `prompt`. */
  callsFor(prompt: string): number {
    return this.perPrompt.get(prompt) ?? 0;
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const last = messages[messages.length - 1];
    const prompt = typeof last?.content === "string" ? last.content : "";
    const call = this.perPrompt.get(prompt) ?? 0;
    this.perPrompt.set(prompt, call + 1);
    const step = this.fields.plan(prompt, call);
    const counter = this.fields.counter;
    if (counter) {
      counter.live++;
      counter.started++;
      counter.peak = Math.max(counter.peak, counter.live);
    }
    try {
      if (step.kind === "stuck") {
        // The counter is released now: an uncancellable call holds no timer, only a promise that never settles.
        if (counter) counter.live--;
        return await new Promise<never>(() => undefined);
      }
      if (step.kind === "hang") await waitForAbort(options.signal);
      else await wait(step.delayMs, options.signal);
      if (step.kind === "error") throw step.error;
      const text = step.kind === "answer" ? step.text : "";
      const tokens = this.fields.tokens ?? { input: 20, output: 5 };
      const message = new AIMessage({
        content: text,
        usage_metadata: {
          input_tokens: tokens.input,
          output_tokens: tokens.output,
          total_tokens: tokens.input + tokens.output,
        },
      });
      return { generations: [{ text, message }] };
    } catch (error) {
      if (options.signal?.aborted && counter) counter.aborted++;
      throw error;
    } finally {
      if (counter && step.kind !== "stuck") counter.live--;
    }
  }
}
