/**
 * How the MATH grader (`gradeMath`, the equivalence the `math-latex` vote uses) compares with
 *  1. the hand-checked cases of `test/fixtures/math/math_l5_cases.json` (picked by answer form on
 *     `recorded/math-l5.jsonl`, each verdict decided by reading the output and the gold),
 *  2. upstream's `reference` verdicts (ZeroEval's first-number match) on every line of the file, with the reasons
 *     of each disagreement,
 *  3. MATH-500: whether each gold answer and its reference solution's `\boxed{}` get the same vote key.
 *
 *   npx tsx scripts/math_grader_check.ts [recorded/math-l5.jsonl]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mathAnswerKey, parseMathAnswer } from "../src/answers/index.js";
import { dataDir, gradeMath, lastBoxedLatex, loadMath500 } from "../src/eval/index.js";
import { RecordedOutputs } from "../src/replay/recorded_outputs.js";

interface HandCase {
  id: string;
  model: string;
  form: string;
  expected: boolean;
  note: string;
}

const file = process.argv[2] ?? join(dataDir(), "recorded", "math-l5.jsonl");
const store = RecordedOutputs.load(file);
const byKey = new Map(store.lines.map((line) => [`${line.id}\u0000${line.model}`, line]));
const fixture = fileURLToPath(new URL("../test/fixtures/math/math_l5_cases.json", import.meta.url));
const cases = (JSON.parse(readFileSync(fixture, "utf8")) as { cases: HandCase[] }).cases;

const out: string[] = [];
const wrongCases = cases.filter((c) => {
  const line = byKey.get(`${c.id}\u0000${c.model}`);
  if (!line) throw new Error(`${c.id} / ${c.model} is not in ${file}`);
  return gradeMath(line.output, String(line.gold)).correct !== c.expected;
});
const forms = new Set(cases.map((c) => c.form)).size;
out.push(
  `hand-checked cases (${forms} answer forms, ${cases.filter((c) => c.expected).length} correct / ${cases.filter((c) => !c.expected).length} wrong): gradeMath agrees on ${cases.length - wrongCases.length} of ${cases.length}`,
);
for (const c of wrongCases) out.push(`  differs: ${c.id} ${c.model} (${c.form}): expected ${c.expected}, ${c.note}`);
const refOnCases = cases.filter((c) => byKey.get(`${c.id}\u0000${c.model}`)?.reference?.correct === c.expected).length;
out.push(`upstream reference on the same cases: ${refOnCases} of ${cases.length}`);

/** Why our verdict and upstream's differ on one line. */
function reason(ours: boolean, answer: string | null, reference: Record<string, unknown>): string {
  const shape = answer === null ? null : parseMathAnswer(answer);
  if (!ours && shape?.kind === "list") return "a list of answers: upstream takes its first number";
  if (ours && (reference.answer === null || reference.answer === undefined)) {
    return "no JSON answer field: upstream finds no answer, ours reads \\boxed{} / 'the answer is' / an 'Answer:' line";
  }
  if (ours && answer?.includes("=")) return "an equation chain: ours takes its last side";
  return ours ? "ours correct, upstream wrong (other)" : "ours wrong, upstream correct (other)";
}

let agree = 0;
const reasons = new Map<string, string[]>();
for (const line of store.lines) {
  const graded = gradeMath(line.output, String(line.gold));
  const reference = line.reference as Record<string, unknown> & { correct: boolean };
  if (graded.correct === reference.correct) {
    agree++;
    continue;
  }
  const why = reason(graded.correct, graded.answer, reference);
  reasons.set(why, [...(reasons.get(why) ?? []), `${line.id} ${line.model}`]);
}
out.push(
  `upstream reference on all ${store.lines.length} lines: agrees on ${agree} (${((100 * agree) / store.lines.length).toFixed(1)}%); differs on ${store.lines.length - agree}:`,
);
for (const [why, lines] of reasons) out.push(`  ${lines.length} x ${why}: ${lines.join(", ")}`);

const items = loadMath500();
const sameKey = items.filter((item) => {
  const boxed = lastBoxedLatex(item.solution);
  return boxed !== null && mathAnswerKey(boxed) === mathAnswerKey(item.gold);
}).length;
out.push(
  `MATH-500: the gold and the reference solution's \\boxed{} get the same vote key on ${sameKey} of ${items.length}`,
);
console.log(out.join("\n"));
