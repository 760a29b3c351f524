import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { EvaluationSummary } from "../../src/eval/metrics/index.js";
import { ruleRows } from "../../scripts/results_rows.js";

// The published result rows come from the golden summaries (test/fixtures/golden/, pinned by goldens.test.ts):
// a row of the README's table or of docs/results.md that is not what the golden run prints fails here, so a number
// moves in the docs only with the run that produces it (`npm run goldens -- --update`, then
// `npx tsx scripts/results_tables.ts ...`).

const root = resolve(import.meta.dirname, "../..");
const golden = (name: string): EvaluationSummary =>
  JSON.parse(readFileSync(resolve(root, "test/fixtures/golden", `${name}.summary.json`), "utf8")) as EvaluationSummary;

/** The result-table rows (`| pyramid, ...` and the baselines) of the table that follows `heading` in `page`. */
function tableRows(page: string, heading: string): string[] {
  const text = readFileSync(resolve(root, page), "utf8");
  const start = text.indexOf(heading);
  expect(start, `${page}: "${heading}"`).toBeGreaterThanOrEqual(0);
  const header = text.indexOf("| rule | accuracy [95% CI] |", start);
  const lines = text.slice(header).split("\n").slice(2);
  return lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith("|")),
  );
}

describe("published numbers", () => {
  it("the README's GSM8K table rows are the golden demo's", () => {
    const rows = tableRows("README.md", "## Results on real model outputs");
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const expected = ruleRows(golden("gsm8k"));
    for (const row of rows) expect(expected).toContain(row);
  });

  it("docs/results.md's GSM8K, MBPP and MATH zero-shot tables are the golden runs'", () => {
    for (const [heading, name] of [
      ["**gsm8k**", "gsm8k"],
      ["**mbpp**", "mbpp"],
      ["**MATH level 5, zero-shot**", "math-zeroshot"],
    ] as const) {
      expect(tableRows("docs/results.md", heading), name).toEqual(ruleRows(golden(name)));
    }
  });

  it("a row the golden run does not print is caught", () => {
    const expected = ruleRows(golden("gsm8k"));
    const forged = expected[0].replace(/\d+\.\d%/, "99.9%");
    expect(expected).not.toContain(forged);
  });
});
