import { dirname, isAbsolute, join, resolve } from "node:path";
import type { AnswerTask } from "../answers/types.js";
import { loadPyramidConfig } from "../config/load.js";
import { defaultRecordedFile } from "../config/providers/replay.js";
import type { Price } from "../cost/price.js";
import { PyramidConfigError } from "../errors/index.js";
import { DEEP_EXPERIMENTS } from "../eval/deep/experiments.js";
import type { DeepReportOptions } from "../eval/deep/report.js";
import { thresholdsLabel } from "../eval/deep/rules.js";
import type { DeepEvaluationRun } from "../eval/deep/run_deep.js";
import type { DeepSummary } from "../eval/deep/summary.js";
import type { DecisionPolicy } from "../policy/decision.js";

/**
 * Parses `--tiers "a,b,c;d;e"`: tiers separated by `;`, members by `,`, cheapest first; `deep` is the benchmark's
 * built-in deep pyramid.
 */
export function parseTiersFlag(text: string, benchmark: string): string[][] {
  if (text.trim() === "deep") {
    const deep = DEEP_EXPERIMENTS[benchmark];
    if (!deep) {
      throw new PyramidConfigError(`benchmark "${benchmark}" has no built-in deep pyramid`, {
        field: "--tiers",
        fix: `use --tiers deep with ${Object.keys(DEEP_EXPERIMENTS).join(" or ")}, or list the tiers: "a,b,c;d;e"`,
      });
    }
    return deep.tiers.map((t) => [...t]);
  }
  const tiers = text.split(";").map((tier) =>
    tier
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean),
  );
  if (tiers.length < 2 || tiers.some((t) => t.length === 0)) {
    throw new PyramidConfigError(`expected at least two non-empty tiers, got "${text}"`, {
      field: "--tiers",
      fix: 'separate tiers by ";" and members by ",", cheapest tier first, e.g. "m1,m2,m3;m4;m5"',
    });
  }
  return tiers;
}

/** What a config file gives `eval`: its tiers of `replay` members, their files and prices, routers, policy, task. */
export interface ConfigPyramid {
  readonly tiers: string[][];
  readonly tierNames: string[];
  readonly recordedFiles: string[];
  readonly prices: Record<string, Price>;
  /** One router file per boundary, when the config names them (a tier's own, else the top-level one). */
  readonly routerFiles?: string[];
  readonly policy?: DecisionPolicy | string;
  readonly task?: AnswerTask;
}

/**
 * Reads the pyramid of a config file for `eval`: every member must be a `replay` member (its recorded model and
 * file); relative paths are resolved against the config file's folder.
 */
export function configPyramid(path: string): ConfigPyramid {
  const config = loadPyramidConfig(path);
  const baseDir = dirname(resolve(path));
  const at = (file: string): string => (isAbsolute(file) ? file : resolve(baseDir, file));
  const files = new Set<string>();
  const prices: Record<string, Price> = {};
  const tiers = config.tiers.map((tier, t) =>
    tier.members.map((member, m) => {
      if (member.provider !== "replay") {
        throw new PyramidConfigError(
          `eval replays recorded outputs, but this member's provider is ${member.provider}`,
          {
            field: `${path}: tiers[${t}].members[${m}].provider`,
            fix: "evaluate a config whose members are all provider: replay (recorded outputs)",
          },
        );
      }
      files.add(member.recordedFile ? at(member.recordedFile) : defaultRecordedFile());
      if (member.price) prices[member.model] = member.price;
      return member.model;
    }),
  );
  const routers = config.tiers.slice(0, -1).map((tier) => tier.router ?? config.router);
  return {
    tiers,
    tierNames: config.tiers.map((tier) => tier.name),
    recordedFiles: [...files],
    prices,
    ...(routers.every((r) => r !== undefined) ? { routerFiles: routers.map((r) => at(r as string)) } : {}),
    ...(config.policy !== undefined ? { policy: config.policy as DecisionPolicy | string } : {}),
    ...(config.task !== undefined ? { task: config.task } : {}),
  };
}

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : "n/a");

/** The lines `pyramid-moa eval` prints after a deep run. */
export function deepEvalOutputLines(input: {
  readonly benchmark: string;
  readonly outDir: string;
  readonly run: Pick<DeepEvaluationRun, "routerOrigin" | "routerFiles" | "trainTraces" | "policy" | "tierNames">;
  readonly summary: DeepSummary;
  readonly png: boolean;
  readonly pngSkipped?: string;
}): string[] {
  const { run, summary, outDir } = input;
  const origin = {
    trained: `one XGBoost router per boundary trained on the training part (${run.trainTraces.length} queries), joint presets, written to ${run.routerFiles.join(", ")}`,
    shipped:
      run.trainTraces.length > 0
        ? `not retrained (libxgboost is missing): the routers \`scripts/train_deep_routers.ts\` trains on this same training part, copied to ${run.routerFiles.join(", ")}`
        : `the shipped per-boundary routers (${run.routerFiles.join(", ")}), picked up because the members match`,
    file: `the given routers (${run.routerFiles.join(", ")})`,
    agreement: "none trained (no --train or --router): P_fail = 1 - the vote share of the pool at every boundary",
  }[run.routerOrigin];
  const part = run.trainTraces.length > 0 ? "holdout part" : "all items";
  const policy =
    "preset" in run.policy
      ? `the routers' joint "${run.policy.preset}" preset`
      : "threshold" in run.policy
        ? "a fixed threshold"
        : "Equation 5";
  const lines = [
    `Routers: ${origin}.`,
    `${input.benchmark} ${part}: ${summary.queries} queries, tiers ${run.tierNames.join(" -> ")}; the "pyramid" row uses ${policy} (${thresholdsLabel(summary.thresholds)}).`,
    "",
  ];
  const rows = [summary.pyramid, ...summary.presets.map((p) => p.score), ...summary.baselines];
  const width = Math.max(...rows.map((r) => r.name.length));
  lines.push(`${"rule".padEnd(width)}  accuracy  cost vs apex  answered by tier`);
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(width)}  ${pct(r.accuracy, 2).padStart(8)}  ${pct(r.costFraction).padStart(12)}  ${r.answeredShare.map((a) => pct(a)).join(" / ")}`,
    );
  }
  lines.push("");
  for (const b of summary.boundaries) {
    lines.push(
      `Boundary ${b.name} (t=${b.threshold.toFixed(2)}): reached ${b.reached}, escalated ${pct(b.escalationRate)}, caught ${b.errorsCaught} of ${b.tierErrors} errors; Theorem 1 ${b.theorem1.satisfied ? "satisfied" : "not satisfied"} (alpha_L1 ${pct(b.theorem1.alphaL1)}, alpha_L2 ${pct(b.theorem1.alphaL2)}); P_fail ECE ${b.reliability.ece.toFixed(3)}.`,
    );
  }
  const ext = input.png ? "png" : "svg";
  lines.push(
    "",
    `Tables: ${join(outDir, "summary.md")} (intervals, paired tests, boundaries, frontier${summary.lookahead ? ", look-ahead" : ""}), ${join(outDir, "summary.json")}.`,
    `Plots: ${join(outDir, `frontier.${ext}`)} (accuracy vs cost over the joint thresholds), ${join(outDir, `reliability-<k>.${ext}`)} (P_fail calibration per boundary).`,
  );
  if (input.pngSkipped) lines.push(`${input.pngSkipped}.`);
  lines.push(
    run.trainTraces.length > 0
      ? `Traces: ${join(outDir, "traces.jsonl")} (holdout part), ${join(outDir, "train_traces.jsonl")} (training part: \`pyramid-moa train --traces\` takes this one).`
      : `Traces: ${join(outDir, "traces.jsonl")} (every item).`,
  );
  return lines;
}

/** The report options of a deep run. */
export function deepReportOptions(
  run: DeepEvaluationRun,
  outDir: string,
  title: string,
  png: boolean,
  seed: number,
): DeepReportOptions {
  return {
    outDir,
    presets: run.presets,
    ...(run.lookahead ? { lookahead: run.lookahead } : {}),
    title,
    png,
    seed,
  };
}
