import { existsSync, openSync, closeSync, fstatSync, readSync, ftruncateSync, fsyncSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { resolve } from "node:path";
import { z } from "zod";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { PyramidConfigError } from "../errors/index.js";
import { messageText } from "../cost/usage.js";
import { RecordedOutputs } from "./recorded_outputs.js";
import { recordedLineSchema, type RecordedLine } from "./schema.js";
import { readJsonlFile } from "./jsonl.js";
import { estimateTokens } from "../cost/usage.js";
import { validate } from "../errors/validate.js";

/** Item description written with a recorded answer (all optional). */
export interface RecordingItemInfo {
  benchmark?: string;
  id?: string;
  split?: string;
  question?: string;
  gold?: unknown;
  reference?: { correct: boolean } & Record<string, unknown>;
  cost_usd?: number;
}

/** Call options of {@link RecordingChatModel}: the item the prompt belongs to, written into the line. */
export interface RecordingChatModelCallOptions extends BaseChatModelCallOptions {
  /** Item fields to store with the answer (benchmark, id, question, gold, ...). */
  recordItem?: RecordingItemInfo;
}

/** Constructor fields of {@link RecordingChatModel}, validated with zod. */
export const recordingChatModelFieldsSchema = z.object({
  /** The live chat model to record. */
  inner: z.custom<BaseChatModel>((v) => v instanceof BaseChatModel, "expected a LangChain chat model"),
  /** Model name written into each line (the replay key); defaults to the inner model's `model` field. */
  model: z.string().min(1).optional(),
  /** JSONL file to append to (created if missing). */
  file: z.string().min(1),
  /** Item fields written with every line unless the call gives `recordItem`. */
  defaults: z.custom<RecordingItemInfo>((v) => v === undefined || (typeof v === "object" && v !== null)).optional(),
  /** Receives warnings (a truncated last line repaired on open, bad lines); defaults to `console.warn`. */
  onWarning: z.custom<(message: string) => void>((v) => typeof v === "function").optional(),
});

/** Constructor fields of {@link RecordingChatModel}. */
export type RecordingChatModelFields = z.infer<typeof recordingChatModelFieldsSchema> & BaseChatModelParams;

/**
 * Record mode: wraps a live chat model and appends each of its answers as one line of a recorded
 * JSONL file (the schema of `../shared/data/README.md`), so a run can later be replayed with
 * {@link ReplayChatModel} as often as needed without calling the model again.
 *
 * Safety: the file is append-only; each line is written with one `write` on an `O_APPEND` handle
 * and `fsync`ed before the call returns, so an interrupted run leaves only whole lines (at worst a
 * partial last line, which is cut off with a warning when the recorder reopens the file, and ignored
 * with a warning by the loader). Resuming: (model, prompt) pairs already in the file are answered
 * from the file and not sent to the live model again.
 */
export class RecordingChatModel extends BaseChatModel<RecordingChatModelCallOptions> {
  /** The wrapped live model. */
  readonly inner: BaseChatModel;
  /** Model name used as the replay key. */
  readonly model: string;
  /** Absolute path of the JSONL file. */
  readonly file: string;
  /** How many calls were answered from the file (already recorded) instead of the live model. */
  resumedCalls = 0;
  /** How many calls went to the live model and were appended. */
  recordedCalls = 0;
  private readonly defaults: RecordingItemInfo;
  private readonly warn: (message: string) => void;
  private store?: RecordedOutputs;
  private handle?: Promise<FileHandle>;
  private writeChain: Promise<void> = Promise.resolve();

  /** LangChain serialization name. */
  static override lc_name(): string {
    return "RecordingChatModel";
  }

  constructor(fields: RecordingChatModelFields) {
    super(fields);
    validate(recordingChatModelFieldsSchema, fields, {
      field: (path) => path || "fields",
      fix: "pass { inner: <chat model>, file: <path.jsonl>, model?: <name> }",
    });
    this.inner = fields.inner;
    const innerName = (fields.inner as unknown as { model?: unknown }).model;
    const name = fields.model ?? (typeof innerName === "string" ? innerName : undefined);
    if (!name) {
      throw new PyramidConfigError("cannot tell the recorded model's name", {
        field: "model",
        fix: "pass model: '<name>' (it is the key under which the answers are replayed)",
      });
    }
    this.model = name;
    this.file = resolve(fields.file);
    this.defaults = fields.defaults ?? {};
    this.warn = fields.onWarning ?? ((m: string) => console.warn(m));
  }

  override _llmType(): string {
    return "recording";
  }

  /** Cuts a partial (unterminated) last line left by an interrupted run, then indexes the file. */
  private openStore(): RecordedOutputs {
    if (this.store) return this.store;
    if (existsSync(this.file)) {
      const fd = openSync(this.file, "r+");
      try {
        const size = fstatSync(fd).size;
        if (size > 0) {
          const last = Buffer.alloc(1);
          readSync(fd, last, 0, 1, size - 1);
          if (last[0] !== 0x0a) {
            // Find the last newline and truncate after it.
            const block = 1 << 16;
            let end = size;
            let cut = 0;
            while (end > 0) {
              const start = Math.max(0, end - block);
              const buf = Buffer.alloc(end - start);
              readSync(fd, buf, 0, buf.length, start);
              const nl = buf.lastIndexOf(0x0a);
              if (nl >= 0) {
                cut = start + nl + 1;
                break;
              }
              end = start;
            }
            this.warn(`${this.file}: removed a partial last line (${size - cut} bytes) left by an interrupted run`);
            ftruncateSync(fd, cut);
            fsyncSync(fd);
          }
        }
      } finally {
        closeSync(fd);
      }
      const { rows, problems } = readJsonlFile(this.file, recordedLineSchema, { onWarning: this.warn });
      this.store = new RecordedOutputs(
        rows.map((r) => r.value),
        { file: this.file, problems },
      );
    } else {
      this.store = new RecordedOutputs([], { file: this.file });
    }
    return this.store;
  }

  private async append(line: RecordedLine): Promise<void> {
    this.handle ??= open(this.file, "a");
    const text = `${JSON.stringify(line)}\n`;
    const run = this.writeChain.then(async () => {
      const fh = await this.handle!;
      await fh.write(text);
      await fh.sync();
    });
    this.writeChain = run.catch(() => undefined);
    await run;
  }

  /** Waits for pending writes and closes the file. */
  async close(): Promise<void> {
    await this.writeChain;
    if (this.handle) {
      const fh = await this.handle;
      this.handle = undefined;
      await fh.close();
    }
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const store = this.openStore();
    const contents = messages.map(messageText);
    const item = { ...this.defaults, ...(options.recordItem ?? {}) };
    const existing = store.lookup(this.model, contents);
    const already = item.id === undefined ? existing[0] : existing.find((l) => l.id === item.id);
    if (already) {
      this.resumedCalls += 1;
      const message = new AIMessage({
        content: already.output,
        response_metadata: { model_name: this.model, resumedFromRecording: true },
        ...(already.usage
          ? {
              usage_metadata: {
                input_tokens: already.usage.input_tokens,
                output_tokens: already.usage.output_tokens,
                total_tokens: already.usage.input_tokens + already.usage.output_tokens,
              },
            }
          : {}),
      });
      return { generations: [{ text: already.output, message }] };
    }
    const { recordItem: _ignored, ...innerOptions } = options;
    void _ignored;
    const answer = await this.inner.invoke(messages, innerOptions);
    const output = messageText(answer);
    const usage =
      answer instanceof AIMessage && answer.usage_metadata
        ? { input_tokens: answer.usage_metadata.input_tokens, output_tokens: answer.usage_metadata.output_tokens }
        : undefined;
    const line: RecordedLine = {
      benchmark: item.benchmark ?? "custom",
      ...(item.id !== undefined ? { id: item.id } : {}),
      ...(item.split !== undefined ? { split: item.split } : {}),
      model: this.model,
      question: item.question ?? contents[contents.length - 1] ?? "",
      messages: messages.map((m, i) => ({ role: roleOf(m), content: contents[i] })),
      output,
      ...(item.gold !== undefined ? { gold: item.gold } : {}),
      ...(item.reference !== undefined ? { reference: item.reference } : {}),
      ...(item.cost_usd !== undefined ? { cost_usd: item.cost_usd } : {}),
      ...(usage ? { usage } : {}),
    };
    await this.append(line);
    store.add(line);
    this.recordedCalls += 1;
    const tokenUsage = usage ?? {
      input_tokens: estimateTokens(contents.join("")),
      output_tokens: estimateTokens(output),
    };
    const message = new AIMessage({
      content: output,
      response_metadata: {
        ...answer.response_metadata,
        model_name: this.model,
        tokenUsageEstimated: usage === undefined,
      },
      usage_metadata: {
        ...tokenUsage,
        total_tokens: tokenUsage.input_tokens + tokenUsage.output_tokens,
      },
    });
    return { generations: [{ text: output, message }] };
  }
}

function roleOf(message: BaseMessage): string {
  const type = message.getType();
  if (type === "human") return "user";
  if (type === "ai") return "assistant";
  return type;
}
