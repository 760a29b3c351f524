import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, RouterModelError } from "../../src/errors/index.js";
import { libXGBoostAvailable, loadLibXGBoost } from "../../src/router/train/libxgboost.js";
import { seededPermutation } from "../../src/router/train/metrics.js";
import { parseOptions } from "../../src/router/train/options.js";
import { fitRuleOffset, ruleOffsetMargin } from "../../src/router/rule_offset.js";
import { sigmoid } from "../../src/router/xgboost/forest.js";
import { pairedComparison } from "../../src/traces/train/paired_comparison.js";
import { weightedAuc } from "../../src/traces/train/weighted_metrics.js";
import { XGBoostRouter } from "../../src/router/xgboost/xgboost_router.js";
import type { TrafficRecord } from "../../src/traces/read.js";
import type { QueryTraceLine, ShadowTraceLine } from "../../src/traces/schema.js";
import { repeatedFolds } from "../../src/traces/train/repeated_folds.js";
import { trainFromTraffic } from "../../src/traces/train/train_traffic.js";
import {
  appendChampionHistory,
  type ChampionComparison,
  compareWithChampion,
  describeChampionComparison,
  readChampionHistory,
} from "../../src/traces/train/champion.js";
import type { TrafficDataset } from "../../src/traces/train/dataset.js";
import { missing } from "../helpers/requires.js";
import { thrownBy } from "../helpers/thrown.js";
import { stumpModel } from "../helpers/stump_model.js";

// The decisions of training on production traffic (src/traces/train: the champion/challenger comparison, the repeated
// folds, the refusals of trainFromTraffic), value by value on tiny hand-worked inputs: fast tests of the traces-train
// mutation scope (learn.test.ts runs the CLI end to end with real training, too slow to run per mutant).

/** A traffic dataset of rows `[vote_share, f1]` with unit weights unless given. */
function dataset(
  rows: readonly (readonly [number, number])[],
  crowdWrong: readonly boolean[],
  options: { names?: readonly string[]; weights?: readonly number[] } = {},
): TrafficDataset {
  return {
    featureNames: [...(options.names ?? ["vote_share", "f1"])],
    matrix: { data: Float32Array.from(rows.flat()), rows: rows.length, cols: 2 },
    labels: Float32Array.from(crowdWrong, (w) => (w ? 1 : 0)),
    weights: Float32Array.from(options.weights ?? rows.map(() => 1)),
    crowdWrong,
    traces: [],
  };
}

const names = { champion: "champion.json", challenger: "challenger.json" };
const wrong4 = [true, true, false, false];
/** vote_share 0.2 everywhere: the stump champion scores every row alike (AUC 0.5 on any sample with both classes). */
const flat4 = dataset(
  [
    [0.2, 0],
    [0.2, 1],
    [0.2, 2],
    [0.2, 3],
  ],
  wrong4,
);

describe("compareWithChampion: the challenger's out-of-fold AUC against the champion's, paired bootstrap", () => {
  const champion = XGBoostRouter.fromJSON(stumpModel(["vote_share", "f1"]));

  it("replaces the champion when the whole interval is above 0", () => {
    // The challenger separates the classes perfectly (AUC 1 on any resample with both classes), the champion ties
    // everything (0.5): every finite paired difference is exactly 0.5.
    const c = compareWithChampion(champion, [0.9, 0.8, 0.1, 0.2], flat4, names);
    expect(c).toMatchObject({
      labelledQueries: 4,
      challengerAuc: 1,
      championAuc: 0.5,
      difference: 0.5,
      lower: 0.5,
      upper: 0.5,
      level: 0.9,
      resamples: 1000,
      replaced: true,
      champion: "champion.json",
      challenger: "challenger.json",
    });
    expect(Number.isNaN(Date.parse(c.time))).toBe(false);
    expect(Math.abs(Date.parse(c.time) - Date.now())).toBeLessThan(60_000);
  });

  it("keeps the champion when the interval reaches 0 (at level 1 the interval is the min and max resample)", () => {
    // Challenger [0.9, 0.5 | 0.5, 0.1]: the positive at 0.5 ties the negative at 0.5, so AUC (1 + 1 + 1 + 0.5) / 4;
    // a resample drawing only rows 1 and 2 scores 0.5 (difference 0), one without them scores 1 (difference 0.5).
    const c = compareWithChampion(champion, [0.9, 0.5, 0.5, 0.1], flat4, names, { level: 1, resamples: 2000, seed: 3 });
    expect(c.challengerAuc).toBe(0.875);
    expect(c.difference).toBe(0.375);
    expect(c.lower).toBe(0);
    expect(c.upper).toBe(0.5);
    expect(c.replaced).toBe(false);
    expect(c.level).toBe(1);
    expect(c.resamples).toBe(2000);
  });

  it("spans the worst and best resample at level 1, and narrows at level 0.9", () => {
    // Challenger [0.9, 0.3 | 0.5, 0.1]: row 1 (positive) below row 2 (negative): AUC 3/4; a resample drawing only rows 1
    // and 2 scores 0 (difference -0.5, about 6% of the resamples with both classes), one without row 1 or row 2 scores
    // 1 (difference +0.5): the 10% quantile (level 0.8) is above the worst.
    const wide = compareWithChampion(champion, [0.9, 0.3, 0.5, 0.1], flat4, names, { level: 1, seed: 5 });
    expect(wide).toMatchObject({ challengerAuc: 0.75, difference: 0.25, lower: -0.5, upper: 0.5, replaced: false });
    const narrow = compareWithChampion(champion, [0.9, 0.3, 0.5, 0.1], flat4, names, { seed: 5, level: 0.8 });
    expect(narrow.lower).toBeGreaterThan(-0.5);
    expect(narrow.upper).toBe(0.5);
    expect(narrow.level).toBe(0.8);
    // The seed is the bootstrap's: the same seed gives the same interval.
    expect(compareWithChampion(champion, [0.9, 0.3, 0.5, 0.1], flat4, names, { seed: 5, level: 0.8 }).lower).toBe(
      narrow.lower,
    );
  });

  it("scores the champion with its own predictions, weighted", () => {
    // The champion ranks by vote_share (0.8 above 0.2): row 0 (positive, 0.8) above both negatives, row 1 (positive,
    // 0.2) ties negative row 3 (0.2) and loses to row 2 (0.8). Weights 1, 1, 2, 1 (row 2 doubled):
    // positive row 0: 2 / 2 (tie with row 2) + 1 = 2; row 1: 0 + 1 / 2 = 0.5; of 2 * 3 = 6.
    const data = dataset(
      [
        [0.8, 0],
        [0.2, 0],
        [0.8, 0],
        [0.2, 0],
      ],
      wrong4,
      { weights: [1, 1, 2, 1] },
    );
    const c = compareWithChampion(champion, [0.9, 0.8, 0.1, 0.2], data, names, { resamples: 10 });
    expect(c.championAuc).toBeCloseTo(2.5 / 6, 12);
    expect(c.challengerAuc).toBe(1);
    expect(c.difference).toBeCloseTo(1 - 2.5 / 6, 12);
  });

  it("takes the interval's ends at the (1 -/+ level) / 2 quantiles of the resampled differences", () => {
    // The champion of the weighted test above: challenger AUC 1 on any resample with both classes, the champion's
    // between 0 (only rows 1 and 2 drawn: difference 1) and 1 (only rows 0 and 3: difference 0).
    const data = dataset(
      [
        [0.8, 0],
        [0.2, 0],
        [0.8, 0],
        [0.2, 0],
      ],
      wrong4,
      { weights: [1, 1, 2, 1] },
    );
    const at = (level: number) => compareWithChampion(champion, [0.9, 0.8, 0.1, 0.2], data, names, { level });
    expect(at(1)).toMatchObject({ lower: 0, upper: 1 });
    // Level 0: both ends are the median resample (here 0.5, below the largest difference 1).
    expect(at(0)).toMatchObject({ lower: 0.5, upper: 0.5 });
    // Level 0.5: the quartiles of the seeded bootstrap (seed 1 by default).
    expect(at(0.5)).toMatchObject({ lower: 0.33333333333333337, upper: 0.75 });
  });

  it("draws the resamples from the seed (1 by default): with one resample the interval is that one difference", () => {
    const one = (seed?: number) =>
      compareWithChampion(champion, [0.9, 0.3, 0.5, 0.1], flat4, names, { level: 1, resamples: 1, seed });
    expect(one()).toMatchObject({ lower: 0.5, upper: 0.5, resamples: 1 });
    expect(one(1)).toMatchObject({ lower: 0.5, upper: 0.5 });
    // Seed 2 draws only rows 1 and 2 first: the challenger's AUC 0 against the champion's 1/2.
    expect(one(2)).toMatchObject({ lower: -0.5, upper: -0.5, replaced: false });
    expect(one(3).lower).toBe(one(3).upper);
  });

  it("reports n/a and keeps the champion when no resample has both classes", () => {
    const one = dataset([[0.2, 0]], [true]);
    const c = compareWithChampion(champion, [0.9], one, names, { resamples: 5 });
    expect(c).toMatchObject({
      labelledQueries: 1,
      challengerAuc: null,
      championAuc: null,
      difference: null,
      lower: null,
      upper: null,
      replaced: false,
    });
  });

  it("refuses a champion trained on other features, naming the first difference", () => {
    const other = dataset([[0.2, 0]], [true], { names: ["vote_share", "f2"] });
    const error = thrownBy(() => compareWithChampion(champion, [0.5], other, names));
    expect(error).toBeInstanceOf(RouterModelError);
    expect(error).toMatchObject({
      message: expect.stringContaining(
        'the champion router was trained on other features: feature 1 is "f2" where the model expects "f1".',
      ),
      field: "--champion",
      fix: "compare routers of the same pyramid configuration (same crowd, same features).",
    });
  });
});

const comparison: ChampionComparison = {
  time: "2026-12-08T00:00:00.000Z",
  labelledQueries: 212,
  challengerAuc: 0.8714,
  championAuc: 0.8521,
  difference: 0.0193,
  lower: 0.0041,
  upper: 0.0352,
  level: 0.9,
  resamples: 1000,
  replaced: true,
  champion: "a.json",
  challenger: "b.json",
};

describe("describeChampionComparison: the one-line verdict", () => {
  it("states both AUCs, the signed difference and interval, and the replacement", () => {
    expect(describeChampionComparison(comparison)).toBe(
      "challenger AUC 0.871 (out of fold) vs champion 0.852 on 212 labelled queries: +0.019 (90% interval +0.004 to +0.035, 1000 paired bootstrap resamples); the challenger replaces the champion",
    );
  });

  it("signs 0 with +, negatives with -, writes n/a for missing values, and says when the champion stays", () => {
    const kept: ChampionComparison = {
      ...comparison,
      challengerAuc: null,
      championAuc: 0.5,
      difference: null,
      lower: -0.0123,
      upper: 0,
      level: 0.95,
      resamples: 7,
      labelledQueries: 3,
      replaced: false,
    };
    expect(describeChampionComparison(kept)).toBe(
      "challenger AUC n/a (out of fold) vs champion 0.500 on 3 labelled queries: n/a (95% interval -0.012 to +0.000, 7 paired bootstrap resamples); the champion stays (the challenger is not better with confidence)",
    );
  });
});

describe("the champion history file: JSON lines", () => {
  const dir = mkdtempSync(join(tmpdir(), "train-logic-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("appends comparisons (creating the folder) and reads them back; a missing file is an empty history", () => {
    const path = join(dir, "nested", "deeper", "history.jsonl");
    expect(readChampionHistory(path)).toEqual([]);
    appendChampionHistory(path, comparison);
    appendChampionHistory(path, { ...comparison, replaced: false, challengerAuc: null });
    expect(readFileSync(path, "utf8").split("\n")).toHaveLength(3);
    expect(readChampionHistory(path)).toEqual([comparison, { ...comparison, replaced: false, challengerAuc: null }]);
  });

  it("skips blank lines and names file:line of a line that is not JSON or not a comparison", () => {
    const path = join(dir, "bad.jsonl");
    writeFileSync(path, `${JSON.stringify(comparison)}\n   \n{not json\n`);
    expect(thrownBy(() => readChampionHistory(path))).toMatchObject({
      name: DataFormatError.name,
      message: expect.stringContaining("not valid JSON."),
      field: `${path}:3`,
      fix: "one comparison per line.",
    });
    writeFileSync(path, `\n${JSON.stringify({ ...comparison, resamples: 0 })}\n`);
    const error = thrownBy(() => readChampionHistory(path));
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error).toMatchObject({
      field: expect.stringContaining(`${path}:2`),
      fix: expect.stringContaining("the file is written by `pyramid-moa train --labels ... --champion`."),
    });
    writeFileSync(path, `${JSON.stringify(comparison)}\n\n${JSON.stringify(comparison)}\n`);
    expect(readChampionHistory(path)).toEqual([comparison, comparison]);
  });
});

/** The stratified fold of every row, from its definition: a seeded order, the crowd errors dealt first, round-robin. */
function foldsByDefinition(wrong: readonly boolean[], k: number, seed: number): number[] {
  const order = seededPermutation(wrong.length, seed);
  const dealt = [...order.filter((i) => wrong[i]), ...order.filter((i) => !wrong[i])];
  const fold = new Array<number>(wrong.length).fill(0);
  dealt.forEach((row, j) => {
    fold[row] = j % k;
  });
  return fold;
}

describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "repeatedFolds held fold by held fold (real libxgboost, eta 0: the router is the rule's offset fitted on the fold's training part)",
  () => {
    // 12 rows, errors on every third, vote shares spread so that each held fold's agreement AUC depends on its rows.
    const wrong = Array.from({ length: 12 }, (_, i) => i % 3 === 0);
    const shares = [0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875, 0.5, 0.25, 0.75, 1, 0];
    const data = dataset(
      shares.map((v, i): readonly [number, number] => [v, i]),
      wrong,
    );
    const options = parseOptions({
      tracesFile: "unit",
      seed: 3,
      folds: 4,
      numRounds: 2,
      earlyStoppingRounds: 0,
      monotone: false,
      params: { eta: 0, nthread: 1 },
    });
    const agreement = shares.map((v) => 1 - v);

    it("holds out each stratified fold, fits on the rest minus the inner validation part, and scores both on it", () => {
      const lib = loadLibXGBoost();
      const result = repeatedFolds(lib, options, data, 1 / 3, 2);
      expect(result.agreementScores).toEqual(agreement);
      const expectedOof = new Array<number>(12).fill(Number.NaN);
      const routerAucs: number[] = [];
      const agreementAucs: number[] = [];
      for (let r = 0; r < 2; r++) {
        const seed = 3 + 7919 * r;
        const foldOf = foldsByDefinition(wrong, 4, seed);
        for (let f = 0; f < 4; f++) {
          const held = foldOf.flatMap((fold, i) => (fold === f ? [i] : []));
          const rest = foldOf.flatMap((fold, i) => (fold === f ? [] : [i]));
          // 9 training rows: round(9 * 0.2) = 2 go to early stopping, 7 fit the rule's offset.
          expect(held).toHaveLength(3);
          const inner = seededPermutation(9, seed + 1 + f);
          const train = inner.slice(2).map((j) => rest[j]);
          const offset = fitRuleOffset(
            train.map((i) => shares[i]),
            train.map((i) => (wrong[i] ? 1 : 0)),
          );
          const predictions = held.map((i) => sigmoid(ruleOffsetMargin(offset, shares[i])));
          if (r === 0) {
            for (const [j, row] of held.entries()) expectedOof[row] = predictions[j];
          }
          const w = held.map(() => 1);
          routerAucs.push(
            weightedAuc(
              predictions,
              held.map((i) => wrong[i]),
              w,
            ),
          );
          agreementAucs.push(
            weightedAuc(
              held.map((i) => agreement[i]),
              held.map((i) => wrong[i]),
              w,
            ),
          );
        }
      }
      for (const [i, p] of result.oof.entries()) expect(p).toBeCloseTo(expectedOof[i], 6);
      const expected = pairedComparison(routerAucs, agreementAucs, { repetitions: 2, k: 4 });
      expect(result.comparison.agreementAuc).toBeCloseTo(expected.agreementAuc, 12);
      expect(result.comparison.routerAuc).toBeCloseTo(expected.routerAuc, 12);
      expect(result.comparison.folds).toBe(expected.folds);
      // The folds differ: their agreement AUCs are not all alike (the check above depends on which rows each holds).
      expect(new Set(agreementAucs).size).toBeGreaterThan(1);
    });
  },
);

describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "repeatedFolds with the real libxgboost on 12 rows (eta 0: every prediction is the base score)",
  () => {
    // Rows 0, 3, 6, 9 are crowd errors (vote_share 0.25, row 9 missing), the others are not (vote_share 0.75). With eta
    // 0 and no rule offset the router predicts the base score (the positive rate) everywhere: AUC 1/2 on every held
    // fold, while the agreement rule (1 - vote_share, 1 when missing) separates the classes: AUC 1 on every held fold.
    // Stratified folds deal the 4 errors first, one per fold of 4: every held fold has both classes.
    const wrong = Array.from({ length: 12 }, (_, i) => i % 3 === 0);
    const rows = wrong.map((w, i): readonly [number, number] => [i === 9 ? Number.NaN : w ? 0.25 : 0.75, i]);
    const options = parseOptions({
      tracesFile: "unit",
      folds: 4,
      numRounds: 3,
      earlyStoppingRounds: 0,
      startFromRule: false,
      monotone: false,
      params: { eta: 0, nthread: 1 },
    });

    it("scores every held fold of every repetition, the agreement rule from vote_share", () => {
      const lib = loadLibXGBoost();
      const result = repeatedFolds(lib, options, dataset(rows, wrong), 0.25, 2);
      expect(result.agreementScores).toEqual([0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 1, 0.25, 0.25]);
      expect(result.comparison).toMatchObject({
        folds: 8,
        skippedFolds: 0,
        repetitions: 2,
        k: 4,
        routerAuc: 0.5,
        agreementAuc: 1,
        difference: -0.5,
      });
      // The out-of-fold predictions and best rounds are the first repetition's: one per row, one per fold.
      expect(result.oof).toHaveLength(12);
      for (const p of result.oof) expect(p).toBeCloseTo(0.25, 6);
      expect(result.foldRounds).toHaveLength(4);
    });

    it("reads vote_share from its own column wherever it is", () => {
      const lib = loadLibXGBoost();
      const swapped = dataset(
        rows.map(([v, i]): readonly [number, number] => [i, v]),
        wrong,
        { names: ["f0", "vote_share"] },
      );
      const result = repeatedFolds(lib, options, swapped, 0.25, 1);
      expect(result.agreementScores).toEqual([0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 0.75, 0.25, 0.25, 1, 0.25, 0.25]);
      expect(result.comparison).toMatchObject({ folds: 4, agreementAuc: 1, routerAuc: 0.5 });
    });

    it("scores every row 1 for the agreement rule when vote_share is not a feature", () => {
      const lib = loadLibXGBoost();
      const result = repeatedFolds(lib, options, dataset(rows, wrong, { names: ["f0", "f1"] }), 0.25, 1);
      expect(result.agreementScores).toEqual(new Array(12).fill(1));
      expect(result.comparison).toMatchObject({ folds: 4, repetitions: 1, routerAuc: 0.5, agreementAuc: 0.5 });
      expect(result.comparison.difference).toBe(0);
      expect(result.foldRounds).toHaveLength(4);
    });
  },
);

/** A kept, shadowed query: the apex disagrees (crowd wrong) on every third one, whose vote_share is 0.25 (else 0.75). */
function shadowed(i: number, shares: readonly [number, number] = [0.25, 0.75]): TrafficRecord {
  const id = `q${String(i).padStart(2, "0")}`;
  const wrong = i % 3 === 0;
  const query: QueryTraceLine = {
    type: "query",
    id,
    time: "2026-12-01T10:00:00.000Z",
    featureNames: ["vote_share", "f1"],
    features: [wrong ? shares[0] : shares[1], i],
    candidates: [],
    crowdAnswer: "1",
    apexAnswer: null,
    pFail: 0.1,
    threshold: 0.5,
    escalated: false,
    reachedApex: false,
    tier: 0,
    decisions: [],
    finalAnswer: "1",
    cost: { crowd: 0.001, oracle: 0, total: 0.001, oracleOnly: 0.01 },
    latencyMs: 5,
    shadowScheduled: true,
    shadowRate: 1,
    task: "math",
  };
  const shadow: ShadowTraceLine = {
    type: "shadow",
    id,
    time: "2026-12-01T10:00:01.000Z",
    apexAnswer: wrong ? "2" : "1",
    agrees: !wrong,
    costUsd: 0.01,
    latencyMs: 3,
  };
  return { query, shadow };
}

describe("trainFromTraffic: its refusals and the champion comparison", () => {
  const records = Array.from({ length: 12 }, (_, i) => shadowed(i));
  const small = { minLabels: 4, minCrowdErrors: 2 };

  it("refuses to estimate P_oracle from too little feedback, before any training", () => {
    expect(thrownBy(() => trainFromTraffic({ records, oracleAccuracy: "auto", ...small }))).toMatchObject({
      name: DataFormatError.name,
      message: expect.stringContaining(
        "too little feedback to estimate P_oracle: 0 apex answers judged by feedback, at least 30 are needed",
      ),
      field: "--oracle-accuracy",
      fix: "give the apex's accuracy (e.g. --oracle-accuracy 0.95), or send feedback (POST /v1/feedback) on more escalated or shadowed queries",
    });
  });

  it("refuses too few labels with the defaults (150 labels, 20 crowd errors)", () => {
    expect(thrownBy(() => trainFromTraffic({ records }))).toBeInstanceOf(DataFormatError);
  });

  describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))("with the real libxgboost (eta 0)", () => {
    // eta 0: the router predicts its base score everywhere (AUC 1/2), the agreement rule separates the classes (AUC 1).
    const training = { records, ...small, folds: 4, repetitions: 2, numRounds: 3, earlyStoppingRounds: 0 };
    const params = { eta: 0, nthread: 1 };

    it("refuses a router worse than the rule with confidence, unless forced", () => {
      // Vote shares 0 (errors) and 0.01: the rule 1 - vote_share separates them (AUC 1), but the offset clips both to
      // 0.98, so the router (eta 0) ties every row: AUC 1/2 on every held fold, difference -1/2 with no spread.
      const clipped = Array.from({ length: 12 }, (_, i) => shadowed(i, [0, 0.01]));
      const options = { ...training, records: clipped, params };
      expect(thrownBy(() => trainFromTraffic(options))).toMatchObject({
        name: DataFormatError.name,
        message: expect.stringMatching(
          /the router trained from traffic is worse than the agreement rule: .*, on 12 labelled queries/,
        ),
        field: "--traces",
        fix: "keep the agreement router (the default) and collect more labels, or pass --force to write the router anyway",
      });
      const forced = trainFromTraffic({ ...options, force: true, seed: 7 });
      // The given seed and parameters; base_score 0.5 (unused: the rule's offset is every row's base margin).
      expect(forced.bundle.metadata.seed).toBe(7);
      expect(forced.bundle.metadata.params).toMatchObject({ eta: 0, seed: 7, base_score: 0.5 });
      expect(forced.router.ruleOffset).toBeDefined();
      expect(forced.router.ruleOffset).toEqual(forced.bundle.ruleOffset);
      expect(forced.auc).toEqual({ router: 0.5, agreement: 1 });
      expect(forced.comparison).toMatchObject({ folds: 8, difference: -0.5, upper: -0.5 });
      expect(forced.championComparison).toBeUndefined();
      expect(forced.bundle.metadata.trainRows).toBe(12);
      expect(forced.bundle.metadata.rounds).toEqual({ best: 3, trained: 3, max: 3, folds: [3, 3, 3, 3] });
      expect(forced.bundle.metadata.validation).toMatchObject({
        auc: 0.5,
        agreementAuc: 1,
        comparison: { difference: -0.5, against: "agreement rule (1 - vote_share)", metric: "weighted AUC" },
        labels: "auto",
        labelledQueries: 12,
        queries: 12,
        oracleAccuracyAssumed: 1,
        weighting:
          "inverse propensity (escalated 1, shadowed 1/rate); presets calibrated on the weighted out-of-fold sample",
      });
      expect(forced.bundle.metadata.validation).not.toHaveProperty("oracleAccuracyInterval");
    });

    it("orders the rows by query id (the folds do not depend on the order of the lines) and takes P_oracle as given", () => {
      const shares = [0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875, 0.5, 0.25, 0.75, 1, 0];
      const varied = records.map((r, i) => ({ ...r, query: { ...r.query, features: [shares[i], i] } }));
      const forward = trainFromTraffic({ ...training, records: varied, params, force: true, oracleAccuracy: 0.9 });
      const backward = trainFromTraffic({ ...training, records: [...varied].reverse(), params, force: true });
      expect(backward.comparison).toEqual(forward.comparison);
      expect(backward.auc).toEqual(forward.auc);
      expect(forward.sample.oracleAccuracy).toBe(0.9);
      expect(backward.sample.oracleAccuracy).toBe(1);
    });

    it("starts from the weighted positive rate when vote_share is not a feature (no rule offset)", () => {
      // Feature names without vote_share: the rule scores every row 1 (AUC 1/2), like the constant router (eta 0).
      const plain = records.map((r, i) => ({
        ...r,
        query: { ...r.query, featureNames: ["f0", "f1"], features: [i % 2, i] },
      }));
      const trained = trainFromTraffic({ ...training, records: plain, params });
      // 4 errors of 12 rows, each of weight 1 (shadow rate 1): base score fround(4 / 12).
      expect(trained.bundle.metadata.params).toMatchObject({ base_score: Math.fround(1 / 3) });
      expect(trained.auc).toEqual({ router: 0.5, agreement: 0.5 });
      expect(trained.router.ruleOffset).toBeUndefined();
      expect(trained.bundle.ruleOffset).toBeUndefined();
    });

    it("reads the records from the trace file when none are given, naming the challenger after it", () => {
      const dir = mkdtempSync(join(tmpdir(), "train-logic-traces-"));
      const file = join(dir, "traffic.jsonl");
      writeFileSync(file, records.flatMap((r) => [JSON.stringify(r.query), JSON.stringify(r.shadow)]).join("\n"));
      const champion = XGBoostRouter.fromJSON(stumpModel(["vote_share", "f1"]));
      const { records: _given, ...fromFile } = training;
      const trained = trainFromTraffic({
        ...fromFile,
        tracesFile: file,
        params,
        champion: { router: champion, name: "c" },
      });
      rmSync(dir, { recursive: true, force: true });
      expect(trained.sample.rows).toHaveLength(12);
      expect(trained.championComparison).toMatchObject({ challenger: file, labelledQueries: 12 });
    });

    it("trains when the interval's upper end is exactly 0 (the router ties the rule), comparing with the champion", () => {
      // With the rule's offset (on by default) and eta 0 the router is the rule refitted: the same ranking, AUC 1 on every
      // held fold like the rule, so the difference and its interval are exactly 0 (not worse with confidence).
      const champion = XGBoostRouter.fromJSON(stumpModel(["vote_share", "f1"]));
      const trained = trainFromTraffic({ ...training, params, champion: { router: champion, name: "c.json" } });
      expect(trained.auc).toEqual({ router: 1, agreement: 1 });
      expect(trained.comparison).toMatchObject({ folds: 8, repetitions: 2, k: 4, difference: 0, lower: 0, upper: 0 });
      expect(trained.bundle.metadata.trainRows).toBe(12);
      expect(trained.sample.oracleAccuracy).toBe(1);
      expect(trained.oracleAccuracy).toBeUndefined();
      // The champion (margin +1 at vote_share 0.75, -1 at 0.25) ranks the errors below the right answers: AUC 0.
      expect(trained.championComparison).toMatchObject({
        champion: "c.json",
        challenger: "traffic",
        labelledQueries: 12,
        challengerAuc: 1,
        championAuc: 0,
        difference: 1,
        replaced: true,
      });
    });
  });
});
