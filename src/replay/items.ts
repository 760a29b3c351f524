import { RecordedOutputs } from "./recorded_outputs.js";
import type { RecordedLine, RecordedMessage } from "./schema.js";

/** One benchmark item of a recorded file, with every model's recorded line for it. */
export interface RecordedItem {
  /** Item id, e.g. `gsm8k/test/17`. */
  id: string;
  /** Benchmark name. */
  benchmark: string;
  /** The bare question / task text. */
  question: string;
  /** The messages that were sent (identical for every model in the shared files). */
  messages: RecordedMessage[];
  /** The gold answer (string for GSM8K, `{task_id, test_list, test_imports}` for MBPP). */
  gold: unknown;
  /** Recorded line per model name (upstream verdicts in `reference`, costs in `cost_usd`). */
  byModel: Map<string, RecordedLine>;
}

/**
 * Groups a recorded file's lines by item id, in order of first appearance. Lines without an `id`
 * are grouped by their prompt text. Accepts a loaded store or a file path (loaded once per
 * process).
 */
export function getRecordedItems(source: string | RecordedOutputs): RecordedItem[] {
  const store = typeof source === "string" ? RecordedOutputs.load(source) : source;
  const items = new Map<string, RecordedItem>();
  for (const line of store.lines) {
    const id = line.id ?? `prompt:${JSON.stringify(line.messages.map((m) => m.content))}`;
    let item = items.get(id);
    if (!item) {
      item = {
        id,
        benchmark: line.benchmark ?? "custom",
        question: line.question ?? line.messages[line.messages.length - 1].content,
        messages: line.messages,
        gold: line.gold,
        byModel: new Map(),
      };
      items.set(id, item);
    }
    if (!item.byModel.has(line.model)) item.byModel.set(line.model, line);
  }
  return [...items.values()];
}

/** Item ids of a recorded file, in order of first appearance. */
export function recordedItemIds(source: string | RecordedOutputs): string[] {
  return getRecordedItems(source).map((item) => item.id);
}

/** The items that every one of `models` answered (items missing a model are left out). */
export function itemsAnsweredByAll(items: readonly RecordedItem[], models: readonly string[]): RecordedItem[] {
  return items.filter((item) => models.every((m) => item.byModel.has(m)));
}
