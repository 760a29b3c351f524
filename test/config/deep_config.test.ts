import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { pyramidFromConfig } from "../../src/config/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import type { PyramidMetadata } from "../../src/index.js";
import { getRecordedItems } from "../../src/replay/index.js";

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const SHIPPED = join("routers", "deep", "gsm8k-llama8b-gemma9b-qwen7b_llama70b_llama405b");
const file = (name: string): string => join(dataDir(), "recorded", name);
const replay = (model: string, recordedFile: string) => ({ provider: "replay" as const, model, recordedFile });

function config(withRouter: boolean) {
  return {
    tiers: [
      { name: "crowd", members: CROWD.map((m) => replay(m, file("gsm8k.jsonl"))) },
      { name: "70B", members: [replay("Meta-Llama-3.1-70B-Instruct", file("gsm8k.jsonl"))] },
      { name: "405B", members: [replay("Meta-Llama-3.1-405B-Instruct", file("gsm8k-405b.jsonl"))] },
    ],
    task: "math" as const,
    policy: "balanced",
    ...(withRouter ? { router: "routers/gsm8k-llama8b-gemma9b-qwen7b.json" } : {}),
  };
}

describe("a config file of the shipped three-tier pyramid's members", () => {
  it("picks up the shipped per-boundary routers and their joint presets when it names no router", async () => {
    const model = await pyramidFromConfig(config(false), { baseDir: process.cwd() });
    const item = getRecordedItems(file("gsm8k-405b.jsonl"))[0];
    const answer = await model.invoke([new HumanMessage(item.messages[0].content)]);
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    const balanced = [0, 1].map(
      (k) =>
        (JSON.parse(readFileSync(join(SHIPPED, `boundary-${k}.json`), "utf8")) as { presets: { balanced: number } })
          .presets.balanced,
    );
    expect(meta.decisions[0].threshold).toBe(balanced[0]);
    if (meta.decisions[1]) expect(meta.decisions[1].threshold).toBe(balanced[1]);
  });

  it("keeps a router the config names (here a two-tier router, refused above the crowd for its features)", async () => {
    const error = await pyramidFromConfig(config(true), { baseDir: process.cwd() }).catch((e: unknown) => e);
    expect(String(error)).toContain("the router was trained on different features");
  });

  it("refuses a boundary router trained for another pool of members above the crowd", async () => {
    const other = config(false);
    const tiers = other.tiers.map((tier, k) => ({
      ...tier,
      ...(k < 2 ? { router: join(process.cwd(), SHIPPED, `boundary-${k}.json`) } : {}),
      ...(k === 1 ? { members: [replay("Qwen2-72B-Instruct", file("gsm8k.jsonl"))] } : {}),
    }));
    const error = await pyramidFromConfig({ ...other, tiers }, { baseDir: process.cwd() }).catch((e: unknown) => e);
    expect(String(error)).toContain("Meta-Llama-3.1-70B-Instruct");
    expect(String(error)).toContain("Qwen2-72B-Instruct");
    expect(String(error)).toContain("tiers.1.router");
  });
});
