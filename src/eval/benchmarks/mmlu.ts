import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { DataFormatError, PyramidConfigError } from "../../errors/index.js";
import { dataDir } from "../data_dir.js";
import { parseCsv } from "./csv.js";
import type { BenchmarkItemBase, BenchmarkLoadOptions } from "./types.js";

/** Upstream of MMLU (MIT): hendrycks/test (the CSVs here add a header and store the answer as 0-3). */
export const MMLU_UPSTREAM =
  "https://github.com/hendrycks/test (data: https://people.eecs.berkeley.edu/~hendrycks/data.tar)";

/** The answer letters of MMLU's four choices. */
export const MMLU_LETTERS = ["A", "B", "C", "D"] as const;

/** One MMLU question. */
export interface MmluItem extends BenchmarkItemBase {
  benchmark: "mmlu";
  /** Subject, from the file name (e.g. `abstract_algebra`). */
  subject: string;
  /** The four choices, A to D. */
  choices: [string, string, string, string];
  /** The gold letter. */
  gold: "A" | "B" | "C" | "D";
  /** The gold index 0-3. */
  answerIndex: number;
}

/** The standard zero-shot MMLU prompt for an item: question, lettered choices, answer with a letter. */
export function mmluPrompt(subject: string, question: string, choices: readonly string[]): string {
  const topic = subject.replace(/_/g, " ");
  const lines = choices.map((c, i) => `${MMLU_LETTERS[i]}. ${c}`);
  return (
    `The following is a multiple choice question about ${topic}.\n\n${question}\n${lines.join("\n")}\n\n` +
    "Answer with the letter of the correct choice (A, B, C or D)."
  );
}

/**
 * Loads MMLU from `mmlu/<split>/*.csv` (header `question,choice0,choice1,choice2,choice3,answer`,
 * answer 0-3; quoted CSV). The test split has 14042 questions in 57 subjects, dev 285. Ids are
 * `mmlu/<split>/<subject>/<row>` (0-based data row). Upstream: {@link MMLU_UPSTREAM}.
 * `options.file` is not used; `options.dir` is the benchmarks folder.
 */
export function loadMmlu(
  options: BenchmarkLoadOptions & { split?: "test" | "dev"; subjects?: string[] } = {},
): MmluItem[] {
  const split = options.split ?? "test";
  const folder = join(options.dir ?? join(dataDir(), "benchmarks"), "mmlu", split);
  if (!existsSync(folder)) {
    throw new PyramidConfigError(`MMLU folder not found: ${folder}`, {
      field: "dir",
      fix: `download MMLU from ${MMLU_UPSTREAM} and convert it to mmlu/${split}/<subject>_${split}.csv`,
    });
  }
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(`_${split}.csv`))
    .sort();
  const items: MmluItem[] = [];
  for (const name of files) {
    const subject = name.slice(0, -`_${split}.csv`.length);
    if (options.subjects && !options.subjects.includes(subject)) continue;
    const file = join(folder, name);
    const rows = parseCsv(readFileSync(file, "utf8"), file);
    const header = rows[0]?.join(",");
    if (header !== "question,choice0,choice1,choice2,choice3,answer") {
      throw new DataFormatError(`unexpected header ${JSON.stringify(header)}`, {
        field: `${file}:1`,
        fix: "use the header question,choice0,choice1,choice2,choice3,answer with answer 0-3",
      });
    }
    let row = 0;
    for (let r = 1; r < rows.length; r += 1) {
      const cells = rows[r];
      if (cells.length === 1 && cells[0] === "") continue;
      const answerIndex = Number(cells[5]);
      if (cells.length !== 6 || !Number.isInteger(answerIndex) || answerIndex < 0 || answerIndex > 3) {
        throw new DataFormatError(`expected 6 fields with answer 0-3, got ${cells.length} fields`, {
          field: `${file}: data row ${r}`,
          fix: "quote fields that contain commas, quotes or newlines",
        });
      }
      const choices: [string, string, string, string] = [cells[1], cells[2], cells[3], cells[4]];
      items.push({
        id: `mmlu/${split}/${subject}/${row}`,
        benchmark: "mmlu",
        subject,
        question: cells[0],
        messages: [{ role: "user", content: mmluPrompt(subject, cells[0], choices) }],
        choices,
        gold: MMLU_LETTERS[answerIndex],
        answerIndex,
      });
      row += 1;
    }
  }
  return items;
}
