import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { BASE_FEATURES, computeFeatures, featureDocumentation, featureNames } from "../../src/features/index.js";
import { candidate } from "../helpers/candidate.js";

// Each base feature is declared once (src/features/definitions.ts): its name, meaning, signal and computation.
// The names, the values and docs/features.md are all derived from that list; these tests fail when they drift.

const page = readFileSync(resolve(import.meta.dirname, "../../docs/features.md"), "utf8");

describe("feature declarations", () => {
  it("docs/features.md holds the table generated from the declarations (npx tsx scripts/feature_table.ts)", () => {
    const begin = page.indexOf("-->", page.indexOf("<!-- features:begin")) + 3;
    const end = page.indexOf("<!-- features:end -->");
    expect(page.slice(begin, end).trim()).toBe(featureDocumentation());
  });

  it("derives the ordered names from the declarations, per-member features once per member", () => {
    const names = featureNames(2);
    const expected = BASE_FEATURES.flatMap((d) => (d.perMember ? [`${d.name}_0`, `${d.name}_1`] : [d.name]));
    expect(names).toEqual(expected);
    expect(new Set(names).size).toBe(names.length);
  });

  it("gives one value per name, per-member declarations one per member", () => {
    for (const members of [1, 3, 5]) {
      const vector = computeFeatures(
        Array.from({ length: members }, (_, i) => candidate(i, `the answer is ${i % 2}`, String(i % 2))),
      );
      expect(vector.names).toEqual(featureNames(members));
      expect(vector.values).toHaveLength(vector.names.length);
    }
  });

  it("declares every feature with a meaning and a signal", () => {
    for (const definition of BASE_FEATURES) {
      expect(definition.description.length, definition.name).toBeGreaterThan(10);
      expect(["answers", "text", "logprobs", "confidence"]).toContain(definition.signal);
    }
  });
});
