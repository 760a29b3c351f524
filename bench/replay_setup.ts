import { existsSync } from "node:fs";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { dataDir } from "../src/eval/index.js";
import { RecordedOutputs } from "../src/replay/index.js";
import type { ReplayChatModel } from "../src/replay/index.js";

/** The paper's crowd on GSM8K, as recorded in `recorded/gsm8k.jsonl`. */
export const CROWD_MODELS: readonly string[] = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];

/** The paper's oracle on GSM8K. */
export const ORACLE_MODEL = "Meta-Llama-3.1-70B-Instruct";

/** Replayed members over the recorded GSM8K development file, and its queries. */
export interface ReplaySetup {
  /** The recorded file. */
  readonly file: string;
  /** Replayed crowd members, in {@link CROWD_MODELS} order. */
  readonly crowd: ReplayChatModel[];
  /** Replayed oracle. */
  readonly oracle: ReplayChatModel;
  /** One prompt per item that every crowd member and the oracle answered, in file order. */
  readonly queries: BaseMessage[][];
}

/** The recorded GSM8K file under {@link dataDir}, or `undefined` when it is absent. */
export function recordedGsm8kFile(): string | undefined {
  const file = join(dataDir(), "recorded", "gsm8k.jsonl");
  return existsSync(file) ? file : undefined;
}

/** Loads the replay setup; `undefined` when the data folder has no recorded GSM8K file. */
export function replaySetup(limit = Number.POSITIVE_INFINITY): ReplaySetup | undefined {
  const file = recordedGsm8kFile();
  if (!file) return undefined;
  const store = RecordedOutputs.load(file);
  const models = [...CROWD_MODELS, ORACLE_MODEL];
  const seen = new Map<string, { messages: readonly { content: string }[]; models: Set<string> }>();
  for (const line of store.lines) {
    if (!models.includes(line.model)) continue;
    const id = line.id ?? JSON.stringify(line.messages);
    let item = seen.get(id);
    if (!item) {
      item = { messages: line.messages, models: new Set() };
      seen.set(id, item);
    }
    item.models.add(line.model);
  }
  const queries: BaseMessage[][] = [];
  for (const item of seen.values()) {
    if (item.models.size !== models.length) continue;
    queries.push(item.messages.map((m) => new HumanMessage(m.content)));
    if (queries.length >= limit) break;
  }
  return {
    file,
    crowd: CROWD_MODELS.map((name) => store.model(name)),
    oracle: store.model(ORACLE_MODEL),
    queries,
  };
}
