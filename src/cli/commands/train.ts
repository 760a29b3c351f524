import { PyramidConfigError } from "../../errors/index.js";
import { PRESET_NAMES } from "../../policy/presets.js";
import { saveRouterBundle, type RouterBundle } from "../../router/bundle.js";
import { trainRouter } from "../../router/train/train_router.js";
import { weakRouterReasons } from "../../router/train/weak_router.js";
import { parseCommandArgs } from "../args.js";
import { checkTrainingTraces } from "../traces_origin.js";
import type { CliCommand } from "../main.js";
import { runTrafficTraining, TRAFFIC_TRAIN_HEADING, TRAFFIC_TRAIN_OPTIONS } from "../train_traffic.js";
import { type CliOptions, optionsHelp } from "../options.js";
import { isDeepTracesFile, runDeepTraining } from "../train_deep.js";

/** The flags of `train`: parsed by `parseArgs` and listed by `--help` from this one definition. */
const TRAIN_OPTIONS = {
  traces: { type: "string", value: "<file>", help: "traces JSONL written by `pyramid-moa eval` (required)" },
  out: { type: "string", value: "<file>", help: "router bundle to write (required)" },
  seed: { type: "string", value: "<n>", help: "seed of the folds / validation split and of XGBoost (default 1)" },
  calibration: {
    type: "string",
    value: "<how>",
    help: `cross-validation (default): one booster per fold predicts its held fold, the
      presets are calibrated on the out-of-fold predictions of all traces and the
      model is trained on all traces for the folds' median best round count;
      validation: calibrate on one held-out split, train on the rest`,
  },
  folds: { type: "string", value: "<k>", help: "folds of the cross-validation (default 5)" },
  validation: {
    type: "string",
    value: "<f>",
    help: `fraction held out for early stopping and (with --calibration validation)
      calibration; with cross-validation, of each fold's training part (default 0.2)`,
  },
  rounds: { type: "string", value: "<n>", help: "maximum boosting rounds (default 500)" },
  "early-stopping": {
    type: "string",
    value: "<n>",
    help: "stop after n rounds without validation improvement; 0 = off (default 20)",
  },
  "pfail-calibration": {
    type: "string",
    value: "<m>",
    help: `platt (default), isotonic or none: monotone calibration of P_fail fitted on
      the same out-of-fold (or validation) predictions, stored in the bundle`,
  },
  resamples: {
    type: "string",
    value: "<n>",
    help: "bootstrap resamples behind the presets' 90% confidence and intervals (default 1000)",
  },
  dataset: { type: "string", value: "<name>", help: "data set name for the metadata (default: the traces' benchmark)" },
  param: {
    type: "string",
    multiple: true,
    value: "<key=value>",
    help: "an XGBoost parameter, repeatable (e.g. --param max_depth=4)",
  },
  force: {
    type: "boolean",
    help: `write the router even when it is no better than chance (AUC < 0.55, no split,
      one round); without it such a router is refused (exit 1) and nothing is written`,
  },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies CliOptions;

/** Every flag `train` parses: its own and those of training from production traces. */
const OPTIONS = { ...TRAIN_OPTIONS, ...TRAFFIC_TRAIN_OPTIONS } as const satisfies CliOptions;

const USAGE = `Usage: pyramid-moa train --traces <traces.jsonl> --out <router.json> [options]

Trains an XGBoost router (P_fail = probability that the crowd's majority answer is wrong) on graded
traces with the real XGBoost library, calibrates the presets economy / balanced / baseline-match on the
out-of-fold predictions of a k-fold cross-validation (or on one held-out validation split) and writes a
router bundle.

${optionsHelp(TRAIN_OPTIONS, 21)}

Traces of a pyramid of three or more tiers (\`eval --tiers ... --train\`) train one router per boundary
and choose the presets of all boundaries together: --out is then a folder (boundary-<k>.json).

The traces of \`eval --train --out <dir>\`: <dir>/train_traces.jsonl is the training part (use it);
<dir>/traces.jsonl is the holdout part, which is refused. \`eval\` without --train writes every item to
<dir>/traces.jsonl.

Needs libxgboost: apt-get install -y libxgboost0 (or set PYRAMID_LIBXGBOOST to the .so).

${optionsHelp(TRAFFIC_TRAIN_OPTIONS, 21, TRAFFIC_TRAIN_HEADING)}`;

function number(value: string | undefined, flag: string, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new PyramidConfigError(`expected ${integer ? "an integer" : "a number"}, got "${value}".`, {
      field: flag,
      fix: `see \`pyramid-moa train --help\`.`,
    });
  }
  return n;
}

function parseParams(values: readonly string[]): Record<string, string | number> {
  const params: Record<string, string | number> = {};
  for (const entry of values) {
    const eq = entry.indexOf("=");
    if (eq <= 0) {
      throw new PyramidConfigError(`expected key=value, got "${entry}".`, {
        field: "--param",
        fix: "e.g. --param max_depth=4.",
      });
    }
    const value = entry.slice(eq + 1);
    params[entry.slice(0, eq)] = value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return params;
}

function percent(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a";
}

function fixed(x: number | null | undefined, digits: number): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/** One line on the bundle's P_fail calibration and bootstrap. */
function pFailLine(bundle: RouterBundle): string {
  const c = bundle.pFailCalibration;
  const v = bundle.metadata.validation as {
    pFail?: { raw?: { ece?: number }; calibrated?: { ece?: number }; crossFitted?: { ece?: number } };
    bootstrap?: { resamples: number; level: number };
  };
  const boot = v.bootstrap
    ? `; presets chosen on ${v.bootstrap.resamples} bootstrap resamples ("held in": share where the target held), ${Math.round(100 * v.bootstrap.level)}% intervals`
    : "";
  if (!c) return `P_fail: the model's output, not calibrated${boot}`;
  return `P_fail calibration: ${c.method} on ${c.rows} ${c.fittedOn}; ECE ${fixed(v.pFail?.raw?.ece, 3)} raw -> ${fixed(v.pFail?.calibrated?.ece, 3)} calibrated (${fixed(v.pFail?.crossFitted?.ece, 3)} cross-fitted)${boot}`;
}

/** Reads a number field of an unknown record (undefined when absent or not a number). */
function numberField(record: unknown, key: string): number | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const value = (record as Record<string, unknown>)[key];
  return typeof value === "number" ? value : undefined;
}

/**
 * The guaranteed presets' lines: threshold, figures on the calibration rows and the delta the guarantee is stated at
 * (with the spec's delta when it was widened to what the calibration rows can certify).
 */
function guaranteedLines(bundle: RouterBundle): string[] {
  const figures = (bundle.metadata.validation as Record<string, unknown>).guaranteedPresets;
  if (typeof figures !== "object" || figures === null) return [];
  const lines: string[] = [];
  for (const [name, report] of Object.entries(figures as Record<string, unknown>)) {
    const delta = numberField(report, "delta");
    const spec = (report as { spec?: unknown }).spec;
    const asked = numberField(spec, "delta");
    const alpha = numberField(spec, "alpha");
    const widened =
      delta !== undefined && asked !== undefined && delta > asked + 1e-12
        ? ` (widened from ${fixed(100 * asked, 2)}: the smallest loss ${bundle.metadata.validationRows} calibration rows can certify)`
        : "";
    lines.push(
      `${name.padEnd(26)}${fixed(bundle.presets[name], 4).padStart(10)}${percent(numberField(report, "escalationRate")).padStart(11)}${percent(numberField(report, "accuracy")).padStart(10)}${percent(numberField(report, "costSaving")).padStart(9)}  accuracy >= Oracle - ${delta === undefined ? "n/a" : fixed(100 * delta, 2)} points w.p. ${alpha === undefined ? "n/a" : percent(1 - alpha)}${widened}`,
    );
  }
  return lines.length === 0
    ? []
    : [
        "",
        `${"guaranteed preset".padEnd(26)}${"threshold".padStart(10)}${"escalated".padStart(11)}${"accuracy".padStart(10)}${"saving".padStart(9)}  guarantee (Learn-then-Test)`,
        ...lines,
      ];
}

/** The validation figures of a bundle, as printed by `pyramid-moa train`. */
export function formatValidationReport(bundle: RouterBundle): string {
  const { metadata } = bundle;
  const v = metadata.validation;
  const rounds = metadata.rounds;
  const folds = (v as { folds?: unknown }).folds;
  const foldRounds = (rounds as { folds?: unknown } | undefined)?.folds;
  const crossValidated = (v as { calibration?: unknown }).calibration === "cross-validation";
  const lines = crossValidated
    ? [
        `data set ${metadata.dataset}: ${metadata.trainRows} training rows; presets calibrated on the out-of-fold predictions of ${metadata.validationRows} rows (${String(folds)}-fold cross-validation)`,
        `rounds: ${rounds ? `${rounds.best} (median of the folds' best: ${Array.isArray(foldRounds) ? foldRounds.join(", ") : "n/a"}; max ${rounds.max})` : "n/a"}`,
      ]
    : [
        `data set ${metadata.dataset}: ${metadata.trainRows} training rows, ${metadata.validationRows} validation rows`,
        `rounds: ${rounds ? `${rounds.best} kept of ${rounds.trained} trained (max ${rounds.max})` : "n/a"}`,
      ];
  lines.push(
    `${crossValidated ? "out-of-fold validation" : "validation"}: AUC ${fixed(v.auc, 3)}, log-loss ${fixed(v.logloss, 4)}, crowd error rate ${percent(v.crowdErrorRate)}`,
    `accuracy alone: crowd ${percent(v.crowdAccuracy)}, Oracle ${percent(v.oracleAccuracy)}${v.costModel === "unit" ? " (no costs in the traces: 1 per Oracle call)" : ""}`,
    pFailLine(bundle),
    "",
    `${"preset".padEnd(16)}${"threshold".padStart(10)}${"escalated".padStart(11)}${"accuracy".padStart(10)}${"saving".padStart(9)}${"recall".padStart(9)}${"held in".padStart(9)}  saving interval`,
  );
  for (const name of PRESET_NAMES) {
    const p = v.presets?.[name];
    const saving = p?.intervals?.costSaving;
    lines.push(
      `${name.padEnd(16)}${fixed(bundle.presets[name], 4).padStart(10)}${percent(p?.escalationRate).padStart(11)}${percent(p?.accuracy).padStart(10)}${percent(p?.costSaving).padStart(9)}${percent(p?.recallOfCrowdErrors).padStart(9)}${percent(p?.targetProbability).padStart(9)}  ${saving ? `[${percent(saving[0])}, ${percent(saving[1])}]` : "n/a"}${p && !p.feasible ? "  (target not reachable)" : ""}`,
    );
  }
  lines.push(...guaranteedLines(bundle));
  const importance = Object.entries(metadata.importance).sort((a, b) => b[1] - a[1]);
  lines.push(
    "",
    `importance (gain): ${importance.map(([name, gain]) => `${name} ${gain.toFixed(2)}`).join(", ") || "none"}`,
  );
  return lines.join("\n");
}

/** `pyramid-moa train`: trains a router bundle from graded traces and prints its validation figures. */
export const trainCommand: CliCommand = {
  summary: "train an XGBoost router from graded traces (needs libxgboost)",
  options: OPTIONS,
  async run(argv: readonly string[]): Promise<number> {
    const parsed = parseCommandArgs("train", {
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    });
    const { values } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.traces || !values.out) {
      console.error(`pyramid-moa train: --traces and --out are required.\n\n${USAGE}`);
      return 2;
    }
    if (values.labels !== undefined) {
      return runTrafficTraining({
        traces: values.traces,
        out: values.out,
        labels: values.labels,
        "oracle-accuracy": values["oracle-accuracy"],
        "min-labels": values["min-labels"],
        force: values.force,
        champion: values.champion,
        seed: number(values.seed, "--seed", true),
        folds: number(values.folds, "--folds", true),
        params: parseParams(values.param ?? []),
      });
    }
    const calibration = values.calibration;
    if (calibration !== undefined && calibration !== "validation" && calibration !== "cross-validation") {
      throw new PyramidConfigError(`expected validation or cross-validation, got "${calibration}".`, {
        field: "--calibration",
        fix: "see `pyramid-moa train --help`.",
      });
    }
    checkTrainingTraces(values.traces);
    const method = values["pfail-calibration"];
    if (isDeepTracesFile(values.traces)) {
      return runDeepTraining(
        {
          tracesFile: values.traces,
          out: values.out,
          force: values.force,
          seed: number(values.seed, "--seed", true),
          params: parseParams(values.param ?? []),
          ...(method === "isotonic" || method === "platt" || method === "none" ? { pFailCalibration: method } : {}),
        },
        formatValidationReport,
      );
    }
    if (method !== undefined && method !== "isotonic" && method !== "platt" && method !== "none") {
      throw new PyramidConfigError(`expected isotonic, platt or none, got "${method}".`, {
        field: "--pfail-calibration",
        fix: "see `pyramid-moa train --help`.",
      });
    }
    const resamples = number(values.resamples, "--resamples", true);
    const { bundle } = trainRouter({
      tracesFile: values.traces,
      seed: number(values.seed, "--seed", true),
      calibration,
      folds: number(values.folds, "--folds", true),
      validationFraction: number(values.validation, "--validation", false),
      numRounds: number(values.rounds, "--rounds", true),
      earlyStoppingRounds: number(values["early-stopping"], "--early-stopping", true),
      dataset: values.dataset,
      params: parseParams(values.param ?? []),
      pFailCalibration: method,
      ...(resamples !== undefined ? { bootstrap: { resamples } } : {}),
    });
    console.log(formatValidationReport(bundle));
    const weak = weakRouterReasons(bundle);
    if (weak.length > 0) {
      const lines = [
        `\nWARNING: this router is no better than chance: ${weak.join("; ")}.`,
        "Causes: too few traces, or traces that are not a training part.",
      ];
      if (!values.force) {
        console.error(
          [
            ...lines,
            `Not written. Fix: train on more traces (e.g. <eval dir>/train_traces.jsonl), or pass --force to write it anyway.`,
          ].join("\n"),
        );
        return 1;
      }
      console.error([...lines, "Written anyway (--force)."].join("\n"));
    }
    saveRouterBundle(values.out, bundle);
    console.log(`\nwrote ${values.out}`);
    return 0;
  },
};
