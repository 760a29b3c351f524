/**
 * The JSON-field answer key (`task: { field: "answer" }`) against the built-in math keys on the recorded GSM8K and
 * MATH level-5 outputs (whose prompts ask for JSON `{"reasoning", "answer"}`): on every line of every model, how often
 * each key reads an answer, and how often the two keys put two outputs of the same item in the same vote (pairs of
 * crowd members that agree under one key and not under the other). Accuracy and saving come from the eval runs:
 *
 *   npx tsx src/cli/bin.ts eval --benchmark gsm8k --out results/keys/gsm8k-math --no-png
 *   npx tsx src/cli/bin.ts eval --benchmark gsm8k --task json --out results/keys/gsm8k-json --no-png
 *   npx tsx src/cli/bin.ts eval --benchmark math --out results/keys/math-latex --no-png
 *   npx tsx src/cli/bin.ts eval --benchmark math --task json --out results/keys/math-json --no-png
 *   npx tsx scripts/answer_key_check.ts
 */
import { join } from "node:path";
import { extractAnswer } from "../src/answers/index.js";
import type { AnswerTask } from "../src/answers/index.js";
import { dataDir } from "../src/eval/index.js";
import { RecordedOutputs } from "../src/replay/index.js";

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const JSON_KEY: AnswerTask = { field: "answer" };

function check(file: string, builtin: AnswerTask): void {
  const store = RecordedOutputs.load(join(dataDir(), "recorded", file));
  let lines = 0;
  let builtinRead = 0;
  let jsonRead = 0;
  const byItem = new Map<string, Map<string, { builtin: string | null; json: string | null }>>();
  for (const line of store.lines) {
    lines++;
    const a = extractAnswer(line.output, builtin)?.key ?? null;
    const b = extractAnswer(line.output, JSON_KEY)?.key ?? null;
    if (a !== null) builtinRead++;
    if (b !== null) jsonRead++;
    const id = line.id ?? "";
    const item = byItem.get(id) ?? new Map<string, { builtin: string | null; json: string | null }>();
    item.set(line.model, { builtin: a, json: b });
    byItem.set(id, item);
  }
  let pairs = 0;
  let same = 0;
  let items = 0;
  let sameVote = 0;
  for (const item of byItem.values()) {
    const crowd = CROWD.map((model) => item.get(model));
    if (crowd.some((c) => c === undefined)) continue;
    items++;
    let itemSame = true;
    for (let i = 0; i < crowd.length; i++) {
      for (let j = i + 1; j < crowd.length; j++) {
        const x = crowd[i] as { builtin: string | null; json: string | null };
        const y = crowd[j] as { builtin: string | null; json: string | null };
        const agreeBuiltin = x.builtin !== null && x.builtin === y.builtin;
        const agreeJson = x.json !== null && x.json === y.json;
        pairs++;
        if (agreeBuiltin === agreeJson) same++;
        else itemSame = false;
      }
    }
    if (itemSame) sameVote++;
  }
  const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
  console.log(
    `${file}: ${lines} lines; answer read by the built-in key ${pct(builtinRead, lines)}, by { field: "answer" } ${pct(jsonRead, lines)}; crowd member pairs voting alike under both keys ${pct(same, pairs)} (${pairs} pairs); items whose crowd partition is identical ${pct(sameVote, items)} (${items} items)`,
  );
}

check("gsm8k.jsonl", "math");
check("math-l5.jsonl", "math-latex");
