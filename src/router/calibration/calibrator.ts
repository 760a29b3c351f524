import { z } from "zod";
import { PyramidConfigError } from "../../errors/index.js";
import { applyIsotonic, fitIsotonic } from "./isotonic.js";
import { applyPlatt, fitPlatt } from "./platt.js";

/** Calibration methods: isotonic (pool-adjacent-violators, interpolated) or Platt scaling. */
export const PFAIL_CALIBRATION_METHODS = ["isotonic", "platt"] as const;

/** One of {@link PFAIL_CALIBRATION_METHODS}. */
export type PFailCalibrationMethod = (typeof PFAIL_CALIBRATION_METHODS)[number];

const probability = z.number().min(0).max(1);
const provenance = {
  /** What it was fitted on, e.g. `out-of-fold (5 folds)` or `validation split`. */
  fittedOn: z.string().min(1),
  /** Number of graded predictions it was fitted on. */
  rows: z.number().int().positive(),
};

/**
 * zod schema of a stored `P_fail` calibration (the `pFailCalibration` field of a router bundle):
 * - `isotonic`: knots `x` (raw scores, strictly increasing) and `y` (calibrated values, strictly increasing); the map is
 *   linear between knots and flat outside them (see `fitIsotonic`);
 * - `platt`: `sigmoid(a * logit(raw) + b)` with `a > 0`.
 */
export const pFailCalibrationSchema = z
  .discriminatedUnion("method", [
    z
      .object({
        method: z.literal("isotonic"),
        x: z.array(probability).min(1),
        y: z.array(probability).min(1),
        ...provenance,
      })
      .strict(),
    z.object({ method: z.literal("platt"), a: z.number().positive(), b: z.number(), ...provenance }).strict(),
  ])
  .superRefine((value, ctx) => {
    if (value.method !== "isotonic") return;
    if (value.x.length !== value.y.length) {
      ctx.addIssue({
        code: "custom",
        message: `${value.x.length} knots x for ${value.y.length} values y`,
        path: ["y"],
      });
      return;
    }
    for (let k = 1; k < value.x.length; k++) {
      if (!(value.x[k] > value.x[k - 1])) {
        ctx.addIssue({ code: "custom", message: "knots x must be strictly increasing", path: ["x", k] });
        return;
      }
      if (!(value.y[k] >= value.y[k - 1])) {
        ctx.addIssue({
          code: "custom",
          message: "values y must be non-decreasing (a calibration keeps the ranking)",
          path: ["y", k],
        });
        return;
      }
    }
  });

/** A stored `P_fail` calibration; see {@link pFailCalibrationSchema}. */
export type PFailCalibration = z.infer<typeof pFailCalibrationSchema>;

/**
 * Fits a monotone calibration of raw router outputs `scores` to binary `labels` (1 = the crowd's answer was wrong), on
 * predictions the router did not train on (out-of-fold or a validation split).
 *
 * @throws PyramidConfigError for no rows, mismatched lengths, or labels other than 0/1.
 */
export function fitPFailCalibration(
  method: PFailCalibrationMethod,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  fittedOn: string,
): PFailCalibration {
  if (scores.length === 0 || scores.length !== labels.length) {
    throw new PyramidConfigError(
      `calibration needs as many labels as scores (at least one), got ${scores.length} and ${labels.length}.`,
      {
        field: "scores",
        fix: "pass one 0/1 label per score.",
      },
    );
  }
  for (let i = 0; i < labels.length; i++) {
    if ((labels[i] !== 0 && labels[i] !== 1) || !(scores[i] >= 0 && scores[i] <= 1)) {
      throw new PyramidConfigError(
        `row ${i}: expected a score in [0, 1] and a 0/1 label, got ${scores[i]} and ${labels[i]}.`,
        {
          field: `scores[${i}]`,
          fix: "calibrate on graded predictions: P_fail in [0, 1] and label 1 when the crowd was wrong.",
        },
      );
    }
  }
  const rows = scores.length;
  if (method === "platt") return { method, ...fitPlatt(scores, labels), fittedOn, rows };
  return { method, ...fitIsotonic(scores, labels), fittedOn, rows };
}

/** The calibrated `P_fail` of a raw router output (monotone non-decreasing in `raw`). */
export function applyPFailCalibration(calibration: PFailCalibration, raw: number): number {
  return calibration.method === "platt" ? applyPlatt(calibration, raw) : applyIsotonic(calibration, raw);
}
