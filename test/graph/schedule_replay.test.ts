import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { RecordedOutputs, getRecordedItems, itemsAnsweredByAll } from "../../src/replay/index.js";
import type { CrowdSchedule } from "../../src/graph/schedule/schedule.js";

// The recorded GSM8K development outputs of the paper's crowd and Oracle: under the agreement router, `waves` and
// `anytime` must return exactly `parallel`'s final answers at the same threshold, for less or equal money.

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const ORACLE = "Meta-Llama-3.1-70B-Instruct";
const ITEMS = 200;

const store = RecordedOutputs.load(join(dataDir(), "recorded", "gsm8k.jsonl"));
const items = itemsAnsweredByAll(getRecordedItems(store), [...CROWD, ORACLE]).slice(0, ITEMS);

function pyramid(schedule: CrowdSchedule, threshold: number): PyramidChatModel {
  return new PyramidChatModel({
    crowd: CROWD.map((name) => ({ name, model: store.model(name) })),
    oracle: { name: ORACLE, model: store.model(ORACLE) },
    task: "math",
    policy: { threshold },
    schedule,
  });
}

async function run(schedule: CrowdSchedule, threshold: number) {
  const model = pyramid(schedule, threshold);
  const out: { content: string; escalated: boolean; cost: number }[] = [];
  for (const item of items) {
    const answer = await model.invoke(item.messages.map((m) => new HumanMessage(m.content)));
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    out.push({ content: String(answer.content), escalated: meta.escalated, cost: meta.cost.total });
  }
  return out;
}

const total = (rows: readonly { cost: number }[]) => rows.reduce((sum, row) => sum + row.cost, 0);

describe("crowd schedules on recorded GSM8K (agreement router)", () => {
  for (const threshold of [0.2, 0.5]) {
    it(`gives parallel's final answers at threshold ${threshold}, waves for less money`, async () => {
      expect(items.length).toBe(ITEMS);
      const parallel = await run("parallel", threshold);
      const waves = await run("waves", threshold);
      const anytime = await run("anytime", threshold);
      expect(waves.map((r) => r.content)).toEqual(parallel.map((r) => r.content));
      expect(anytime.map((r) => r.content)).toEqual(parallel.map((r) => r.content));
      expect(waves.map((r) => r.escalated)).toEqual(parallel.map((r) => r.escalated));
      expect(total(waves)).toBeLessThanOrEqual(total(parallel));
      if (threshold === 0.5) expect(total(waves)).toBeLessThan(0.9 * total(parallel));
    }, 600_000);
  }
});
