import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_TABLES, generatedPart } from "../../src/config/config_tables.js";
import { memberFieldsDocumentation } from "../../src/config/member_docs.js";
import { memberConfigSchema, PROVIDERS, pyramidConfigSchema, tierConfigSchema } from "../../src/config/schema.js";
import { tierFieldsDocumentation, topLevelFieldsDocumentation } from "../../src/config/settings_docs.js";
import { PYRAMID_SETTING_KEYS } from "../../src/graph/settings.js";
import { MEMBER_SETTING_KEYS } from "../../src/members/member.js";

// docs/config.md's top-level, tier and member tables are generated from the config's zod schema (scripts/config_table.ts): a field added
// to, dropped from or re-limited in the schema changes the table, and these tests fail until the page is regenerated.

const page = readFileSync(resolve(import.meta.dirname, "../../docs/config.md"), "utf8");

/** The field names of a markdown table's rows (`| \`name\` | ...`). */
function rowNames(table: string): string[] {
  return [...table.matchAll(/^\| `([\w$]+)` \|/gm)].map((match) => match[1]);
}

describe("docs/config.md tables", () => {
  it("holds the tables generated from the schema (npx tsx scripts/config_table.ts)", () => {
    expect(CONFIG_TABLES.map((table) => table.name)).toEqual(["settings", "tiers", "members"]);
    for (const table of CONFIG_TABLES) expect(generatedPart(page, table.name), table.name).toBe(table.generate());
    expect(() => generatedPart("no markers", "settings")).toThrow(/settings table are missing/);
  });
});

describe("docs/config.md top-level and tier fields", () => {
  it("lists every field of the config file and of a tier once, tiers and router first, and nothing else", () => {
    const topLevel = rowNames(topLevelFieldsDocumentation());
    expect(new Set(topLevel).size).toBe(topLevel.length);
    expect(new Set(topLevel)).toEqual(new Set(Object.keys(pyramidConfigSchema.shape).filter((k) => k !== "$schema")));
    expect(topLevel.slice(0, 2)).toEqual(["tiers", "router"]);
    expect(rowNames(tierFieldsDocumentation())).toEqual(Object.keys(tierConfigSchema.shape));
  });

  it("names the fields that are not shared with code as the page says", () => {
    const fileOnly = rowNames(topLevelFieldsDocumentation()).filter(
      (name) => !(PYRAMID_SETTING_KEYS as readonly string[]).includes(name),
    );
    expect(fileOnly).toEqual(["tiers", "router", "budget", "tenants"]);
    expect(page.replace(/\s+/g, " ")).toContain(
      "Every row below except `tiers`, `router`, `budget` and `tenants` is a plain-data setting",
    );
  });

  it("takes types, limits and required fields from the schema and meanings from the describe texts", () => {
    const rows = topLevelFieldsDocumentation().split("\n");
    const row = (name: string) => rows.find((r) => r.startsWith(`| \`${name}\` |`));
    expect(row("tiers")).toContain("| array (>= 2) of tiers (required) |");
    expect(row("memberRetries")).toContain("| whole number 0-10 |");
    expect(row("similarityThreshold")).toContain("| number 0-1 |");
    expect(row("mode")).toContain("| `routing` \\| `generative` |");
    expect(row("generativePrompt")).toContain("| string containing `{candidates}` |");
    expect(row("lookahead")).toContain("tiers: [{ cost, accuracy?, pFailDistribution?: [{ pFail: number 0-1,");
    expect(row("policy")).toContain(`| ${pyramidConfigSchema.shape.policy.description} |`);
    const tierRows = tierFieldsDocumentation().split("\n");
    expect(tierRows.find((r) => r.startsWith("| `members` |"))).toContain("| array (>= 1) of members (required) |");
    // A tier's schedule is the top-level setting's schema with its own meaning.
    expect(tierRows.find((r) => r.startsWith("| `schedule` |"))).toContain("(default: the top-level `schedule`)");
  });
});

describe("docs/config.md member fields", () => {
  it("lists every field of every provider's member once, and nothing else", () => {
    const schemaFields = new Set(memberConfigSchema.options.flatMap((option) => Object.keys(option.shape)));
    const listed = rowNames(memberFieldsDocumentation());
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(listed)).toEqual(schemaFields);
    expect(listed.slice(0, 2)).toEqual(["provider", "model"]);
  });

  it("takes its limits from the schema: a changed limit changes the row", () => {
    const rows = memberFieldsDocumentation().split("\n");
    expect(rows.find((row) => row.startsWith("| `retries` |"))).toContain("| whole number 0-10 |");
    expect(rows.find((row) => row.startsWith("| `contextSize` |"))).toContain("| llamacpp | whole number >= 32 |");
    expect(rows.find((row) => row.startsWith("| `modelPath` |"))).toContain("| llamacpp (required) |");
    for (const key of MEMBER_SETTING_KEYS)
      expect(rows.find((row) => row.startsWith(`| \`${key}\` |`))).toContain("| all, and in code |");
    for (const provider of PROVIDERS) expect(rows[2]).toContain(`\`${provider}\`: `);
  });
});
