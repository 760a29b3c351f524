import { describe, expect, it } from "vitest";
import { TASK_KINDS } from "../../src/answers/types.js";
import { ConfigFileError, parsePyramidConfig } from "../../src/config/index.js";

// A config mistake's fix is read from the field's own zod schema (kind, limits, values), so a limit is written
// once: changing a schema changes the message, and an enum's fix lists exactly its values.

const TIERS = `tiers:
  - name: crowd
    members:
      - { provider: replay, model: Meta-Llama-3.1-8B-Instruct }
  - name: oracle
    members:
      - { provider: replay, model: Meta-Llama-3.1-70B-Instruct }
`;

/** `path | fix` of every issue of a whole config file. */
function fixesOf(yaml: string): string[] {
  try {
    parsePyramidConfig(yaml, "pyramid.config.yaml");
  } catch (error) {
    if (error instanceof ConfigFileError) return error.issues.map((issue) => `${issue.path} | ${issue.fix}`);
    throw error;
  }
  return [];
}

/** `path | fix` of every issue of a config with two valid tiers and `yaml` after them. */
const fixes = (yaml: string): string[] => fixesOf(TIERS + yaml);

describe("config fixes come from the schemas", () => {
  it("lists every task kind the code knows, math-latex included, and the key forms", () => {
    const [fix] = fixes("task: poetry");
    for (const task of TASK_KINDS) expect(fix).toContain(`"${task}"`);
    expect(fix).toContain('"math-latex"');
    expect(fix).toContain("{ field:");
  });

  it("states whole numbers and both bounds from the schema", () => {
    expect(fixes("memberRetries: 11")).toEqual(["memberRetries | give a whole number between 0 and 10"]);
    expect(fixes("memberTimeoutMs: 0")).toEqual(["memberTimeoutMs | give a whole number of milliseconds > 0"]);
    expect(fixes("maxCostPerQuery: -1")).toEqual(["maxCostPerQuery | give a number of USD >= 0"]);
  });

  it("follows the member's own provider inside the tiers, with the field's hint", () => {
    const yaml = `tiers:
  - name: crowd
    members:
      - { provider: llamacpp, model: m, modelPath: m.gguf, threads: -1, temperature: 3 }
  - name: oracle
    members:
      - { provider: replay, model: Meta-Llama-3.1-70B-Instruct }
`;
    expect(fixesOf(yaml)).toEqual([
      "tiers[0].members[0].temperature | give a number between 0 and 2",
      "tiers[0].members[0].threads | give a whole number >= 0 (CPU threads; 0: automatic)",
    ]);
  });

  it("names the values of enums and booleans", () => {
    expect(fixes("mode: chatty")).toEqual(['mode | use "routing" or "generative"']);
    expect(fixes("askConfidence: maybe")).toEqual(["askConfidence | use true or false"]);
    expect(fixes("onApexError: retry")).toEqual([
      'onApexError | use "crowd" or "throw" ("crowd" returns the lower tier\'s answer)',
    ]);
  });
});
