import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { DataFormatError, RouterModelError } from "../../errors/index.js";
import { validate } from "../../errors/validate.js";
import { firstDifference, type XGBoostRouter } from "../../router/xgboost/xgboost_router.js";
import { seededRandom } from "../../utils/random.js";
import type { TrafficDataset } from "./dataset.js";
import { weightedAuc } from "./weighted_metrics.js";

/** One champion/challenger comparison, as a line of the history file. */
export const championComparisonSchema = z.object({
  /** When the comparison was made (ISO time). */
  time: z.string(),
  /** Labelled queries compared on (the shadow and escalation labels of the new traces). */
  labelledQueries: z.number().int().nonnegative(),
  /** Weighted AUC of the challenger (its out-of-fold predictions) and of the champion on the same queries. */
  challengerAuc: z.number().nullable(),
  championAuc: z.number().nullable(),
  /** Challenger minus champion, with its paired-bootstrap interval. */
  difference: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  level: z.number(),
  resamples: z.number().int().positive(),
  /** Whether the challenger replaced the champion (only when the whole interval is above 0). */
  replaced: z.boolean(),
  champion: z.string(),
  challenger: z.string(),
});

/** A champion/challenger comparison; see {@link championComparisonSchema}. */
export type ChampionComparison = z.infer<typeof championComparisonSchema>;

/**
 * Compares a challenger (a router retrained on new traces) with the served champion on the new traces' labels,
 * paired: the challenger's out-of-fold predictions (it never saw a query it is scored on) and the champion's
 * predictions on the same labelled queries, weighted AUC of crowd errors; a paired bootstrap of the queries (seeded)
 * gives the interval of the difference. The challenger replaces the champion only when the whole interval is above 0.
 *
 * @throws RouterModelError when the champion was trained on other features.
 */
export function compareWithChampion(
  champion: XGBoostRouter,
  challengerOof: readonly number[],
  data: TrafficDataset,
  names: { champion: string; challenger: string },
  options: { seed?: number; resamples?: number; level?: number } = {},
): ChampionComparison {
  const diff = champion.featureNames ? firstDifference(champion.featureNames, data.featureNames) : undefined;
  if (diff) {
    throw new RouterModelError(`the champion router was trained on other features: ${diff}.`, {
      field: "--champion",
      fix: "compare routers of the same pyramid configuration (same crowd, same features).",
    });
  }
  const n = data.matrix.rows;
  const cols = data.matrix.cols;
  const championScores = Array.from({ length: n }, (_, i) =>
    champion.predictRow(data.matrix.data.subarray(i * cols, (i + 1) * cols)),
  );
  const weights = Array.from(data.weights);
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.9;
  const random = seededRandom(options.seed ?? 1);
  const diffs: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx = Array.from({ length: n }, () => Math.floor(random() * n));
    const wrong = idx.map((i) => data.crowdWrong[i]);
    const w = idx.map((i) => weights[i]);
    const d =
      weightedAuc(
        idx.map((i) => challengerOof[i]),
        wrong,
        w,
      ) -
      weightedAuc(
        idx.map((i) => championScores[i]),
        wrong,
        w,
      );
    if (Number.isFinite(d)) diffs.push(d);
  }
  diffs.sort((a, b) => a - b);
  const q = (p: number): number =>
    diffs.length > 0 ? diffs[Math.min(diffs.length - 1, Math.floor(p * diffs.length))] : Number.NaN;
  const challengerAuc = weightedAuc([...challengerOof], data.crowdWrong, weights);
  const championAuc = weightedAuc(championScores, data.crowdWrong, weights);
  const lower = q((1 - level) / 2);
  const upper = q((1 + level) / 2);
  const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
  return {
    time: new Date().toISOString(),
    labelledQueries: n,
    challengerAuc: finite(challengerAuc),
    championAuc: finite(championAuc),
    difference: finite(challengerAuc - championAuc),
    lower: finite(lower),
    upper: finite(upper),
    level,
    resamples,
    replaced: lower > 0,
    champion: names.champion,
    challenger: names.challenger,
  };
}

/** `challenger 0.871 vs champion 0.852: +0.019 (90% interval +0.004 to +0.035, 1000 paired resamples of 212 ...)`. */
export function describeChampionComparison(c: ChampionComparison): string {
  const f = (x: number | null): string => (x === null ? "n/a" : `${x >= 0 ? "+" : ""}${x.toFixed(3)}`);
  const a = (x: number | null): string => (x === null ? "n/a" : x.toFixed(3));
  return `challenger AUC ${a(c.challengerAuc)} (out of fold) vs champion ${a(c.championAuc)} on ${c.labelledQueries} labelled queries: ${f(c.difference)} (${Math.round(100 * c.level)}% interval ${f(c.lower)} to ${f(c.upper)}, ${c.resamples} paired bootstrap resamples); ${c.replaced ? "the challenger replaces the champion" : "the champion stays (the challenger is not better with confidence)"}`;
}

/** Appends a comparison to a history file (JSON lines, created with its folder). */
export function appendChampionHistory(path: string, comparison: ChampionComparison): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(comparison)}\n`);
}

/**
 * Reads a champion history file (missing file: no comparisons yet).
 *
 * @throws DataFormatError naming `file:line` for a line that is not a comparison.
 */
export function readChampionHistory(path: string): ChampionComparison[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .flatMap((line, index) => {
      if (line.trim() === "") return [];
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (cause) {
        throw new DataFormatError("not valid JSON.", {
          field: `${path}:${index + 1}`,
          fix: "one comparison per line.",
          cause,
        });
      }
      return [
        validate(championComparisonSchema, json, {
          error: DataFormatError,
          field: () => `${path}:${index + 1}`,
          fix: "the file is written by `pyramid-moa train --labels ... --champion`.",
        }),
      ];
    });
}
