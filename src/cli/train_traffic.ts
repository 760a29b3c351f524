import { PyramidConfigError } from "../errors/index.js";
import { loadRouter, saveRouterBundle } from "../router/bundle.js";
import { appendChampionHistory, describeChampionComparison } from "../traces/train/champion.js";
import type { LabelSource } from "../traces/labels.js";
import { trainFromTraffic } from "../traces/train/train_traffic.js";
import { describeComparison } from "../traces/train/paired_comparison.js";
import type { CliOptions, CliValues } from "./options.js";

/**
 * The flags of `pyramid-moa train` that train from production traces (`--labels ...`): parsed by `parseArgs` and
 * listed by `--help` (under {@link TRAFFIC_TRAIN_HEADING}) from this one definition.
 */
export const TRAFFIC_TRAIN_OPTIONS = {
  labels: {
    type: "string",
    value: "<source>",
    help: `apex: the apex's answer on escalated and shadowed queries (agreement), weighted by
      1/propensity (1 escalated, 1/shadow rate shadowed); feedback: POST /v1/feedback only;
      auto: feedback where given, the apex elsewhere`,
  },
  "oracle-accuracy": {
    type: "string",
    value: "<p>",
    help: `P_oracle, to discount an apex disagreement (default 1: the apex is taken as right);
      auto: estimated from the feedback that judges apex answers (at least 30 of them)`,
  },
  "min-labels": { type: "string", value: "<n>", help: "refuse below n labelled queries (default 150)" },
  champion: {
    type: "string",
    value: "<file>",
    help: `the served router: the new one (the challenger) is compared with it on the traces'
      labels (its out-of-fold predictions against the champion's, weighted AUC, paired
      bootstrap, 90% interval) and --out is written only when the challenger is better with
      confidence; every comparison is appended to <--out>.champion.jsonl (report --champion
      shows them over time)`,
  },
} as const satisfies CliOptions;

/** The heading of {@link TRAFFIC_TRAIN_OPTIONS} in `pyramid-moa train --help`. */
export const TRAFFIC_TRAIN_HEADING = `Training from production traces (serve --traces, the pyramid's traces option); --force then writes
the router even when it is worse than the agreement rule with confidence (compared on the same folds of
5 repeated 5-fold cross-validations, 90% interval):`;

/** Flags of `pyramid-moa train --labels ...` (training from production traces), checked by {@link runTrafficTraining}. */
export interface TrafficTrainFlags extends Omit<CliValues<typeof TRAFFIC_TRAIN_OPTIONS>, "labels"> {
  readonly traces: string;
  readonly out: string;
  readonly labels: string;
  readonly force?: boolean;
  readonly seed?: number;
  readonly folds?: number;
  readonly params: Record<string, string | number>;
}

/** Runs `pyramid-moa train --labels ...`; returns the exit code. */
export function runTrafficTraining(flags: TrafficTrainFlags): number {
  const labels = flags.labels;
  if (labels !== "apex" && labels !== "feedback" && labels !== "auto") {
    throw new PyramidConfigError(`expected apex, feedback or auto, got "${labels}"`, {
      field: "--labels",
      fix: "e.g. --labels auto",
    });
  }
  const pText = flags["oracle-accuracy"];
  const oracleAccuracy = pText === undefined ? 1 : pText === "auto" ? "auto" : Number(pText);
  if (oracleAccuracy !== "auto" && !(oracleAccuracy > 0 && oracleAccuracy <= 1)) {
    throw new PyramidConfigError(`expected a probability in (0, 1], got "${pText}"`, {
      field: "--oracle-accuracy",
      fix: "e.g. --oracle-accuracy 0.95 (the apex's accuracy), or auto to estimate it from feedback",
    });
  }
  const minText = flags["min-labels"];
  const minLabels = minText === undefined ? undefined : Number(minText);
  if (minLabels !== undefined && !(Number.isInteger(minLabels) && minLabels >= 10)) {
    throw new PyramidConfigError(`expected a whole number >= 10, got "${minText}"`, {
      field: "--min-labels",
      fix: "e.g. --min-labels 150",
    });
  }
  const result = trainFromTraffic({
    tracesFile: flags.traces,
    labels: labels as LabelSource,
    oracleAccuracy,
    ...(minLabels !== undefined ? { minLabels } : {}),
    force: flags.force ?? false,
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.folds !== undefined ? { folds: flags.folds } : {}),
    params: flags.params,
    ...(flags.champion ? { champion: { router: loadRouter(flags.champion), name: flags.champion } } : {}),
  });
  const versus = result.championComparison;
  if (versus) appendChampionHistory(`${flags.out}.champion.jsonl`, versus);
  if (!versus || versus.replaced) saveRouterBundle(flags.out, result.bundle);
  const { sample, auc, bundle, comparison } = result;
  const estimated = result.oracleAccuracy;
  const pOracle = estimated
    ? `P_oracle ${estimated.estimate.toFixed(3)} (estimated from ${estimated.judged} apex answers judged by feedback, 95% interval ${estimated.lower.toFixed(3)}-${estimated.upper.toFixed(3)})`
    : `P_oracle ${oracleAccuracy}`;
  const bySource = new Map<string, number>();
  for (const row of sample.rows) bySource.set(row.source, (bySource.get(row.source) ?? 0) + 1);
  console.log(
    [
      `labelled ${sample.rows.length} of ${sample.queries} queries (${[...bySource].map(([s, k]) => `${k} ${s}`).join(", ")}); labels: ${labels}, ${pOracle}`,
      `estimated crowd accuracy ${(100 * sample.crowdAccuracy).toFixed(1)}%; a disagreement with the apex counts as ${sample.disagreementLabel.toFixed(3)} of a crowd error`,
      `weighted out-of-fold AUC: router ${auc.router.toFixed(3)}, agreement rule ${auc.agreement.toFixed(3)}`,
      `paired on the same folds: ${describeComparison(comparison)}; ${comparison.upper < 0 ? "worse with confidence, written because of --force" : comparison.lower > 0 ? "better with confidence" : "not worse with confidence, so kept"}`,
      `presets: ${Object.entries(bundle.presets)
        .map(([name, t]) => `${name} ${t.toFixed(4)}`)
        .join(", ")}`,
      ...(versus ? [`champion ${flags.champion}: ${describeChampionComparison(versus)}`] : []),
      !versus || versus.replaced ? `wrote ${flags.out}` : `kept the champion: ${flags.out} not written`,
    ].join("\n"),
  );
  return 0;
}
