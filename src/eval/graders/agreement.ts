import { RecordedOutputs } from "../../replay/recorded_outputs.js";
import { SandboxPool } from "../../sandbox/pool.js";
import type { SandboxOptions } from "../../sandbox/options.js";
import type { MbppGold } from "../benchmarks/mbpp.js";
import { gradeGsm8k, type Gsm8kGradeOptions } from "./gsm8k.js";
import { gradeMbpp } from "./code.js";

/** One line where a grader and the recorded upstream verdict differ. */
export interface GraderDisagreement {
  id: string;
  model: string;
  /** Our verdict. */
  ours: boolean;
  /** Upstream's `reference.correct`. */
  reference: boolean;
  /** Why ours failed, or what we extracted. */
  detail: string;
}

/** Agreement of a grader with the recorded upstream verdicts. */
export interface GraderAgreement {
  lines: number;
  agree: number;
  rate: number;
  disagreements: GraderDisagreement[];
}

/** Runs the GSM8K grader over every line of a recorded file and compares with `reference.correct`. */
export function gsm8kAgreement(file: string, options: Gsm8kGradeOptions = {}): GraderAgreement {
  const store = RecordedOutputs.load(file);
  const disagreements: GraderDisagreement[] = [];
  let lines = 0;
  for (const line of store.lines) {
    if (!line.reference || typeof line.gold !== "string") continue;
    lines += 1;
    const { correct, extraction } = gradeGsm8k(line.output, line.gold, options);
    if (correct !== line.reference.correct) {
      disagreements.push({
        id: line.id ?? "?",
        model: line.model,
        ours: correct,
        reference: line.reference.correct,
        detail: `ours ${extraction.source}:${extraction.number ?? "none"} vs upstream answer ${JSON.stringify(line.reference.answer ?? null)} (gold ${line.gold})`,
      });
    }
  }
  return {
    lines,
    agree: lines - disagreements.length,
    rate: (lines - disagreements.length) / Math.max(1, lines),
    disagreements,
  };
}

/**
 * Runs the MBPP code grader (sandboxed execution) over every line of a recorded file, `concurrency`
 * programs at a time, and compares with `reference.correct` (RouterBench's execution verdict).
 */
export async function mbppAgreement(
  file: string,
  options: { concurrency?: number; sandbox?: SandboxOptions; onProgress?: (done: number, total: number) => void } = {},
): Promise<GraderAgreement> {
  const store = RecordedOutputs.load(file);
  const pool = new SandboxPool({ concurrency: options.concurrency });
  const lines = store.lines.filter((l) => l.reference && l.gold && typeof l.gold === "object");
  let done = 0;
  const verdicts = await Promise.all(
    lines.map(async (line) => {
      const r = await gradeMbpp(line.output, line.gold as MbppGold, { pool, sandbox: options.sandbox });
      done += 1;
      options.onProgress?.(done, lines.length);
      return r;
    }),
  );
  const disagreements: GraderDisagreement[] = [];
  lines.forEach((line, i) => {
    const v = verdicts[i];
    if (v.correct !== line.reference!.correct) {
      disagreements.push({
        id: line.id ?? "?",
        model: line.model,
        ours: v.correct,
        reference: line.reference!.correct,
        detail: v.reason ?? "passed",
      });
    }
  });
  return {
    lines: lines.length,
    agree: lines.length - disagreements.length,
    rate: (lines.length - disagreements.length) / Math.max(1, lines.length),
    disagreements,
  };
}
