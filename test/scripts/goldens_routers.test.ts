import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRouter } from "../../src/index.js";
import { GOLDEN_DIR, ROOT, ROUTERS_PFAIL_FILE, type RoutersPFail, shippedRouters } from "../../scripts/goldens/runs.js";

// The shipped routers' P_fail on the feature vectors of fixed recorded items, pinned to 1e-9 (the stored copy is
// written by `npm run goldens -- --update`; see docs/testing.md). Cheap: no eval run, only the routers.

const UPDATE = "if the change is meant: npm run goldens -- --update, and commit the docs that quote these figures";

describe("golden results: the shipped routers' P_fail on fixed recorded items", () => {
  const pinned = JSON.parse(readFileSync(join(GOLDEN_DIR, ROUTERS_PFAIL_FILE), "utf8")) as RoutersPFail;

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
