import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataDir } from "../../../src/eval/data_dir.js";
import { DEFAULT_EXPERIMENTS, runEvaluation } from "../../../src/eval/run/run_eval.js";
import { getRecordedItems } from "../../../src/replay/items.js";
import { RecordedOutputs } from "../../../src/replay/index.js";
import { featureNames } from "../../../src/index.js";
import { behaviourFeatureNames, measureCodeBehaviour } from "../../../src/router/train/index.js";
import { codeCandidate } from "../../helpers/code_candidates.js";
import { tempDirs } from "../../helpers/temp_dirs.js";

const tmp = tempDirs("pyramid-codebehaviour-");

const LIMIT = 6;
const crowd = DEFAULT_EXPERIMENTS.mbpp.crowd;

describe("code behaviour on recorded MBPP outputs (real sandbox, real grader)", () => {
  it("pyramid-moa eval writes behaviour_* features that match a direct measurement of the same outputs", async () => {
    const run = await runEvaluation({ benchmark: "mbpp", outDir: tmp(), limit: LIMIT, concurrency: 2 });
    expect(run.traces).toHaveLength(LIMIT);
    const store = RecordedOutputs.load(join(dataDir(), "recorded", "mbpp.jsonl"));
    const items = new Map(getRecordedItems(store).map((item) => [item.id, item]));
    let probed = 0;
    for (const trace of run.traces) {
      expect(trace.featureNames).toEqual([...featureNames(3), ...behaviourFeatureNames(3)]);
      const item = items.get(trace.id);
      if (!item) throw new Error(`no recorded item ${trace.id}`);
      const candidates = crowd.map((model, index) =>
        codeCandidate(index, item.byModel.get(model)?.output ?? "", { model }),
      );
      const direct = await measureCodeBehaviour(candidates, {
        prompt: item.messages[item.messages.length - 1].content,
      });
      const recorded = Object.fromEntries(trace.featureNames.map((n, i) => [n, trace.features[i] ?? Number.NaN]));
      expect(recorded.behaviour_probes).toEqual(direct.probes);
      expect(recorded.behaviour_cluster_share).toEqual(direct.clusterShare);
      expect(recorded.behaviour_failed).toEqual(direct.failed);
      expect([0, 1, 2].map((i) => recorded[`behaviour_in_largest_${i}`])).toEqual(direct.inLargest);
      if (direct.probes > 0) {
        probed++;
        expect(
          [1 / 3, 2 / 3, 1].some((share) => Math.abs(direct.clusterShare - share) < 1e-9) || direct.clusterShare === 0,
        ).toBe(true);
      }
    }
    // These outputs show usage examples on most tasks (281 of the 299 development tasks).
    expect(probed).toBeGreaterThan(0);
  }, 300_000);

  it("--code-claims adds the claim features, recorded in run.json, and the trained router turns them on", async () => {
    const outDir = tmp();
    const run = await runEvaluation({ benchmark: "mbpp", outDir, limit: 4, codeClaims: true, concurrency: 2 });
    const names = [...featureNames(3), ...behaviourFeatureNames(3, true)];
    for (const trace of run.traces) expect(trace.featureNames).toEqual(names);
    // Members write their example's output down on most MBPP tasks: some claim is met or missed.
    const claims = run.traces.flatMap((t) =>
      [0, 1, 2].map((i) => t.features[names.indexOf(`behaviour_claims_met_${i}`)]),
    );
    expect(claims.some((v) => v !== null)).toBe(true);
    expect(JSON.parse(readFileSync(join(outDir, "run.json"), "utf8")).codeClaims).toBe(true);
    // Resuming the same folder without the flag is refused: its traces were made with other features.
    await expect(runEvaluation({ benchmark: "mbpp", outDir, limit: 4 })).rejects.toThrow(/other settings/);
  }, 300_000);

  it("--no-code-behaviour leaves them out", async () => {
    const run = await runEvaluation({ benchmark: "mbpp", outDir: tmp(), limit: 2, codeBehaviour: false });
    for (const trace of run.traces) expect(trace.featureNames).toEqual(featureNames(3));
  }, 300_000);
});
