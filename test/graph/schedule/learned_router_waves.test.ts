import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { dataDir } from "../../../src/eval/data_dir.js";
import type { CrowdSchedule } from "../../../src/graph/schedule/schedule.js";
import { PyramidChatModel } from "../../../src/index.js";
import type { PyramidMetadata } from "../../../src/index.js";
import { RecordedOutputs, getRecordedItems, itemsAnsweredByAll } from "../../../src/replay/index.js";
import { loadRouter } from "../../../src/router/bundle.js";

// The shipped GSM8K XGBoost router reads vote_share, agrees_with_majority_1 and text lengths: under `waves` its
// decision is settled on the answers in hand ("in-hand" settlement, docs/anytime.md), so two agreeing members can
// decide without the third; the final answers may differ from parallel's only through the text lengths of the
// member not called.

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const ORACLE = "Meta-Llama-3.1-70B-Instruct";
const store = RecordedOutputs.load(join(dataDir(), "recorded", "gsm8k.jsonl"));
const items = itemsAnsweredByAll(getRecordedItems(store), [...CROWD, ORACLE]).slice(0, 100);
const router = loadRouter(join(import.meta.dirname, "../../../routers/gsm8k-llama8b-gemma9b-qwen7b.json"));

async function run(schedule: CrowdSchedule) {
  const model = new PyramidChatModel({
    crowd: CROWD.map((name) => ({ name, model: store.model(name) })),
    oracle: { name: ORACLE, model: store.model(ORACLE) },
    task: "math",
    router,
    policy: { preset: "balanced" },
    schedule,
  });
  const out: { content: string; cost: number; notCalled: number }[] = [];
  for (const item of items) {
    const answer = await model.invoke(item.messages.map((m) => new HumanMessage(m.content)));
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    const notCalled = meta.candidates.filter((c) => c.schedule?.status === "not_called").length;
    out.push({ content: String(answer.content), cost: meta.cost.total, notCalled });
  }
  return out;
}

describe("a learned router under waves (recorded GSM8K, shipped XGBoost router, balanced preset)", () => {
  it("calls two members on most queries, costs less, and returns parallel's answers (at most 2 of 100 differ)", async () => {
    const parallel = await run("parallel");
    const waves = await run("waves");
    const twoOnly = waves.filter((r) => r.notCalled === 1).length;
    expect(twoOnly).toBeGreaterThan(50);
    const differing = waves.filter((r, i) => r.content !== parallel[i].content).length;
    expect(differing).toBeLessThanOrEqual(2);
    const total = (rows: readonly { cost: number }[]) => rows.reduce((s, r) => s + r.cost, 0);
    expect(total(waves)).toBeLessThan(0.9 * total(parallel));
  }, 300_000);
});
