/**
 * Sends recorded benchmark questions to a running `pyramid-moa serve` as traffic (offline: with the replay config
 * examples/pyramid.config.json the members answer from the recorded outputs), a few at a time, and prints how many
 * were escalated and drawn for a shadow call.
 *
 *   npx tsx scripts/send_traffic.ts --url http://127.0.0.1:8000 [--benchmark gsm8k] [--part train|holdout|all]
 *     [--limit N] [--concurrency 4] [--feedback-every N]
 *
 * `--part train` (default) sends the training part of `pyramid-moa eval --train`'s split (holdout 0.3, seed 1).
 * `--feedback-every N` posts the gold verdict of every N-th answer to POST /v1/feedback (a grader's feedback).
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { extractAnswer } from "../src/answers/extract.js";
import { dataDir } from "../src/eval/data_dir.js";
import { splitHoldout } from "../src/eval/run/split.js";
import { getRecordedItems } from "../src/replay/items.js";

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    benchmark: { type: "string" },
    part: { type: "string" },
    limit: { type: "string" },
    concurrency: { type: "string" },
    "feedback-every": { type: "string" },
  },
});
const url = (values.url ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
const benchmark = values.benchmark ?? "gsm8k";
const part = values.part ?? "train";
const concurrency = Number(values.concurrency ?? 4);
const feedbackEvery = values["feedback-every"] ? Number(values["feedback-every"]) : 0;

async function main(): Promise<void> {
  const items = getRecordedItems(join(dataDir(), "recorded", `${benchmark}.jsonl`));
  const { train, holdout } = splitHoldout(
    items.map((item) => item.id),
    0.3,
    1,
  );
  const keep = new Set(part === "train" ? train : part === "holdout" ? holdout : items.map((item) => item.id));
  const chosen = items.filter((item) => keep.has(item.id)).slice(0, values.limit ? Number(values.limit) : undefined);
  let next = 0;
  let escalated = 0;
  let shadow = 0;
  let feedback = 0;
  const worker = async (): Promise<void> => {
    while (next < chosen.length) {
      const index = next++;
      const item = chosen[index];
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "pyramid-moa", messages: item.messages }),
      });
      const body = (await response.json()) as {
        choices?: { message: { content: string } }[];
        pyramid?: { escalated: boolean; shadow?: boolean; traceId?: string };
        error?: { message: string };
      };
      if (!response.ok) throw new Error(`${item.id}: HTTP ${response.status}: ${body.error?.message ?? ""}`);
      if (body.pyramid?.escalated) escalated++;
      if (body.pyramid?.shadow) shadow++;
      if (feedbackEvery > 0 && index % feedbackEvery === 0 && body.pyramid?.traceId && typeof item.gold === "string") {
        const answer = extractAnswer(body.choices?.[0]?.message.content ?? "", "math")?.key;
        const gold = extractAnswer(item.gold, "math")?.key;
        await fetch(`${url}/v1/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ id: body.pyramid.traceId, correct: answer !== undefined && answer === gold }),
        });
        feedback++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  console.log(
    `sent ${chosen.length} ${benchmark} ${part} queries: ${escalated} escalated, ${shadow} drawn for a shadow call, ${feedback} feedback`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
