import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRouter } from "../../src/index.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import { workingBwrap } from "../../src/sandbox/index.js";
import {
  freshSummary,
  GOLDEN_DIR,
  ROOT,
  ROUTERS_PFAIL_FILE,
  type RoutersPFail,
  SUMMARY_RUNS,
  shippedRouters,
} from "../../scripts/goldens/runs.js";
import { missing } from "../helpers/requires.js";

// The figures users see, pinned: the README's result rows (each run's summary.json, compared exactly) and the
// shipped routers' P_fail. A change that moves them on purpose regenerates them with `npm run goldens -- --update`
// and commits the stored copies with the docs that quote them (docs/testing.md).

const stored = (file: string): unknown => JSON.parse(readFileSync(join(GOLDEN_DIR, file), "utf8"));
const UPDATE = "if the change is meant: npm run goldens -- --update, and commit the docs that quote these figures";

const bwrapWorks = workingBwrap(process.getuid?.() === 0 ? 65534 : null) !== null;
/** Training needs libxgboost; MBPP runs code in the bubblewrap sandbox. */
const runnable = (args: readonly string[]): boolean =>
  (!args.includes("--train") || libXGBoostAvailable()) && (!args.includes("mbpp") || bwrapWorks);

describe("golden results: each README result row's summary.json equals its stored copy", () => {
  for (const spec of SUMMARY_RUNS) {
    it.skipIf(missing(runnable(spec.args), "libxgboost (--train) and bubblewrap (mbpp)"))(
      `${spec.name} (pyramid-moa eval ${spec.args.join(" ")}) = test/fixtures/golden/${spec.file}`,
      async () => {
        expect(await freshSummary(spec), UPDATE).toEqual(stored(spec.file));
      },
      600_000, // MBPP runs every candidate's code in the sandbox: ~1.5 min alone, longer on a loaded machine
    );
  }
});

describe("golden results: the shipped routers' P_fail on fixed recorded items", () => {
  const pinned = stored(ROUTERS_PFAIL_FILE) as RoutersPFail;

  it("every shipped router has pinned items", () => {
    expect(Object.keys(pinned).sort()).toEqual(shippedRouters().sort());
    for (const entry of Object.values(pinned)) expect(entry.items.length).toBeGreaterThanOrEqual(20);
  });

  for (const router of shippedRouters()) {
    it(`${router}: P_fail on its pinned items to 1e-9`, () => {
      const entry = pinned[router];
      expect(entry, `no pinned items for ${router}: ${UPDATE}`).toBeDefined();
      const model = loadRouter(join(ROOT, router));
      for (const item of entry.items) {
        const values = item.features.map((v) => (v === null ? Number.NaN : v));
        const pFail = model.predict({ names: entry.featureNames, values });
        expect(Math.abs(pFail - item.pFail), `${router} ${item.id}: ${pFail} vs ${item.pFail}; ${UPDATE}`).toBeLessThan(
          1e-9,
        );
      }
    });
  }
});
