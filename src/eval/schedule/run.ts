import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PyramidConfigError } from "../../errors/index.js";
import type { CrowdSchedule } from "../../graph/schedule/schedule.js";
import { AgreementRouter } from "../../router/agreement.js";
import type { Router } from "../../router/types.js";
import type { LatencyModel } from "./latency_model.js";
import { scheduleQueries } from "./queries.js";
import type { ScheduleSource } from "./queries.js";
import { scheduleMarkdown, scheduleScores } from "./report.js";
import type { ScheduleRule, ScheduleRuleScore } from "./report.js";
import { MajorityRule, NeverEscalate, UnanimityRule } from "./rules.js";

/** Options of {@link writeScheduleReport}. */
export interface ScheduleReportOptions {
  /** The schedule to replay (`parallel` is always replayed too, as the reference). */
  readonly schedule: CrowdSchedule;
  /** The latency model. */
  readonly latency: LatencyModel;
  /** The evaluated router (default the agreement router) and its threshold in force. */
  readonly router?: Router;
  /** The threshold in force (the traces'). */
  readonly threshold: number;
  /** Named preset thresholds of the router. */
  readonly presets?: Readonly<Record<string, number>>;
  /** Folder to write `schedule.md` and `schedule.json` into. */
  readonly outDir: string;
  /** Title of `schedule.md`. */
  readonly title: string;
}

/** The name of the evaluated router's rule at its threshold in force (as in `summary.md`). */
export function pyramidRuleName(threshold: number): string {
  return `pyramid (t=${threshold.toFixed(2)})`;
}

/** The rules replayed: the router at its threshold and presets, the crowd's majority, the two agreement rules, each member alone, the Oracle alone. */
export function scheduleRules(
  crowd: readonly string[],
  router: Router,
  threshold: number,
  presets: Readonly<Record<string, number>> = {},
): ScheduleRule[] {
  const crowdRule = (name: string, rule: Router, t: number): ScheduleRule => ({
    name,
    kind: "crowd",
    context: { router: rule, threshold: t, lower: [] },
  });
  return [
    ...crowd.map((name, member): ScheduleRule => ({ name, kind: "single", member })),
    crowdRule("crowd majority", new NeverEscalate(), 0.5),
    { name: "Oracle alone", kind: "oracle" },
    crowdRule("escalate unless unanimous", new UnanimityRule(), 0.5),
    crowdRule("escalate unless a majority agrees", new MajorityRule(crowd.length), 0.5),
    crowdRule(pyramidRuleName(threshold), router, threshold),
    ...Object.entries(presets).map(([name, t]) => crowdRule(`preset ${name} (t=${t.toFixed(2)})`, router, t)),
  ];
}

/**
 * `eval --schedule`: replays the evaluation's recordings under `parallel` and the chosen schedule with the latency
 * model, scores every rule and preset (see `scheduleScores`) and writes `schedule.md` and `schedule.json`.
 */
export async function writeScheduleReport(
  source: ScheduleSource,
  options: ScheduleReportOptions,
): Promise<{ scores: ScheduleRuleScore[]; markdown: string }> {
  const router = options.router ?? new AgreementRouter();
  const queries = await scheduleQueries(source);
  if (queries.length === 0) {
    throw new PyramidConfigError("no queries to replay the schedules on", {
      field: "--schedule",
      fix: "evaluate at least one item",
    });
  }
  const scores = scheduleScores(
    queries,
    scheduleRules(source.crowd, router, options.threshold, options.presets),
    [options.schedule],
    options.latency,
    [pyramidRuleName(options.threshold)],
  );
  const speeds = [...source.crowd, source.oracle]
    .map((model) => {
      const s = options.latency.speedOf(model);
      return `${model} ${s.ttftMs} ms + ${s.tokensPerSecond} tokens/s`;
    })
    .join("; ");
  const markdown = scheduleMarkdown(
    scores,
    options.title,
    `Latency model (time to first token + output tokens / tokens per second, output tokens as recorded): ${speeds}. ` +
      "Cost counts the members a schedule called; a cancelled member is charged its input and the tokens it streamed before the decision. " +
      "Rows `+ speculative` replay the pyramid with speculative escalation (the Oracle started at the first disagreement of the answers in hand; " +
      "adopted when the crowd escalates, else cancelled at the decision and charged as far as it streamed); `schedule.json` gives how often it started early and was cancelled.",
  );
  writeFileSync(join(options.outDir, "schedule.md"), markdown);
  writeFileSync(
    join(options.outDir, "schedule.json"),
    `${JSON.stringify({ schedule: options.schedule, latencyModel: options.latency.spec, scores }, null, 2)}\n`,
  );
  return { scores, markdown };
}
