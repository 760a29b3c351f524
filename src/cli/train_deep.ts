import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PRESET_NAMES } from "../policy/presets.js";
import { saveRouterBundle } from "../router/bundle.js";
import type { TrainRouterOptions } from "../router/train/options.js";
import { trainBoundaryRouters } from "../router/train/train_boundaries.js";
import { weakRouterReasons } from "../router/train/weak_router.js";
import { PyramidConfigError } from "../errors/index.js";

/** Whether a traces file holds traces of a pyramid of three or more tiers (its first line has `tiers`). */
export function isDeepTracesFile(path: string): boolean {
  if (!existsSync(path)) return false;
  const first = readFileSync(path, "utf8").split("\n", 1)[0];
  try {
    const tiers = (JSON.parse(first) as { tiers?: unknown }).tiers;
    return Array.isArray(tiers) && tiers.length >= 3;
  } catch {
    return false;
  }
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");

/**
 * `pyramid-moa train` on the traces of a deep pyramid: one router per boundary and the joint presets, written to
 * `<out>/boundary-<k>.json`; prints each boundary's validation figures and the joint presets. A router no better than
 * chance is refused (nothing written) unless `force`.
 */
export function runDeepTraining(
  options: Omit<TrainRouterOptions, "traces" | "tracesFile"> & { tracesFile: string; out: string; force?: boolean },
  formatValidationReport: (bundle: Parameters<typeof weakRouterReasons>[0]) => string,
): number {
  const { out, force, ...train } = options;
  if (out.endsWith(".json")) {
    throw new PyramidConfigError("traces of a deep pyramid train one router per boundary: --out is a folder", {
      field: "--out",
      fix: "give a folder, e.g. --out routers/my-pyramid (boundary-0.json, boundary-1.json, ... are written in it)",
    });
  }
  const result = trainBoundaryRouters(train);
  const weak: string[] = [];
  result.bundles.forEach((bundle, k) => {
    console.log(
      `\n== boundary ${k}: ${result.tiers
        .slice(0, k + 1)
        .flat()
        .join(", ")} -> tier ${k + 1}\n`,
    );
    console.log(formatValidationReport(bundle));
    const reasons = weakRouterReasons(bundle);
    if (reasons.length > 0) weak.push(`boundary ${k}: ${reasons.join("; ")}`);
  });
  const j = result.joint;
  console.log(
    `\njoint presets (every boundary together, chosen on the out-of-fold P_fail of ${j.combinations} threshold combinations; target held in ${Math.round(100 * (j.reports.economy.spec.confidence ?? 1))}% of ${j.bootstrap.resamples} bootstrap resamples):`,
  );
  console.log(`apex accuracy ${pct(j.apexAccuracy)}, crowd accuracy ${pct(j.crowdAccuracy)}`);
  for (const name of PRESET_NAMES) {
    const r = j.reports[name];
    console.log(
      `  ${name.padEnd(15)} t=${r.thresholds.map((t) => t.toFixed(3)).join("/")}  accuracy ${pct(r.accuracy)}  saving ${pct(r.costSaving)} [${pct(r.intervals.costSaving[0])}, ${pct(r.intervals.costSaving[1])}]  answered by tier ${r.answeredShare.map(pct).join(" / ")}  held in ${pct(r.targetProbability)}${r.feasible ? "" : "  (target not reachable)"}`,
    );
  }
  if (weak.length > 0) {
    console.error(`\nWARNING: a router is no better than chance: ${weak.join("; ")}.`);
    if (!force) {
      console.error("Not written. Fix: train on more traces, or pass --force to write them anyway.");
      return 1;
    }
  }
  mkdirSync(out, { recursive: true });
  result.bundles.forEach((bundle, k) => {
    saveRouterBundle(join(out, `boundary-${k}.json`), bundle);
  });
  console.log(`\nwrote ${result.bundles.map((_, k) => join(out, `boundary-${k}.json`)).join(", ")}`);
  return 0;
}
