/**
 * Converts AlpacaEval results (a checkout of tatsu-lab/alpaca_eval, or its `results/` folder, at a path you give:
 * the evaluation set is CC BY-NC 4.0, so it is never copied into this repository) into recorded lines of the shared
 * schema, for `eval --benchmark custom --grader reference`: one line per instruction and model, `output` the model's
 * answer, `reference.correct` whether the annotator (weighted_alpaca_eval_gpt4_turbo: GPT-4 Turbo against
 * gpt4_1106_preview) preferred it (preference > 1.5).
 *
 *   npx tsx scripts/alpacaeval_recorded.ts <alpaca_eval>/results /tmp/alpacaeval.jsonl \
 *     OpenHermes-2.5-Mistral-7B gemma-7b-it vicuna-7b-v1.5 humpback-llama2-70b
 *   npx tsx src/cli/bin.ts eval --benchmark custom --recorded /tmp/alpacaeval.jsonl --grader reference \
 *     --crowd OpenHermes-2.5-Mistral-7B,gemma-7b-it,vicuna-7b-v1.5 --oracle humpback-llama2-70b \
 *     --task text --similarity lexical --out results/alpacaeval-lexical --no-png
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Output {
  readonly instruction: string;
  readonly output: string;
}
interface Annotation {
  readonly instruction: string;
  readonly output_2: string;
  readonly preference: string | number | null;
}

const [resultsDir, outFile, ...models] = process.argv.slice(2);
if (!resultsDir || !outFile || models.length < 2) {
  console.error("usage: alpacaeval_recorded.ts <alpaca_eval results dir> <out.jsonl> <model> <model> ...");
  process.exit(2);
}
const lines: string[] = [];
for (const model of models) {
  const outputs = JSON.parse(readFileSync(join(resultsDir, model, "model_outputs.json"), "utf8")) as Output[];
  const annotations = JSON.parse(
    readFileSync(join(resultsDir, model, "weighted_alpaca_eval_gpt4_turbo", "annotations.json"), "utf8"),
  ) as Annotation[];
  const preference = new Map(annotations.map((a) => [`${a.instruction}\u0000${a.output_2}`, Number(a.preference)]));
  outputs.forEach((item, index) => {
    const p = preference.get(`${item.instruction}\u0000${item.output}`);
    if (p === undefined || !Number.isFinite(p)) return;
    lines.push(
      JSON.stringify({
        benchmark: "alpacaeval",
        id: `alpacaeval/${index}`,
        model,
        question: item.instruction,
        messages: [{ role: "user", content: item.instruction }],
        output: item.output,
        reference: { correct: p > 1.5, preference: p },
      }),
    );
  });
}
writeFileSync(outFile, `${lines.join("\n")}\n`);
console.log(`${lines.length} lines for ${models.length} models -> ${outFile}`);
