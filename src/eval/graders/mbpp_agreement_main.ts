/**
 * Regenerates the MBPP grader-agreement numbers of docs/mbpp-grader-agreement.md:
 * `npx tsx src/eval/graders/mbpp_agreement_main.ts [recorded/mbpp.jsonl] [--json out.json]`.
 * Prints the agreement rate, then one line per disagreement (id, model, ours, upstream, reason).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "../data_dir.js";
import { mbppAgreement } from "./agreement.js";

const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const file = args.find((a, i) => !a.startsWith("--") && i !== jsonAt + 1) ?? join(dataDir(), "recorded", "mbpp.jsonl");
const started = Date.now();
const result = await mbppAgreement(file, {
  onProgress: (done, total) => {
    if (done % 250 === 0 || done === total) process.stderr.write(`graded ${done}/${total}\n`);
  },
});
console.log(
  `agreement ${result.agree}/${result.lines} = ${(100 * result.rate).toFixed(2)}% in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
for (const d of result.disagreements) {
  console.log(`${d.id}\t${d.model}\tours=${d.ours}\tupstream=${d.reference}\t${d.detail}`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(result, null, 2));
