import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { memberFieldsDocumentation } from "../../src/config/member_docs.js";
import { memberConfigSchema, PROVIDERS } from "../../src/config/schema.js";
import { MEMBER_SETTING_KEYS } from "../../src/members/member.js";

// docs/config.md's member table is generated from the config's zod schema (scripts/config_table.ts): a field added
// to, dropped from or re-limited in the schema changes the table, and these tests fail until the page is regenerated.

const page = readFileSync(resolve(import.meta.dirname, "../../docs/config.md"), "utf8");

/** The field names of a markdown table's rows (`| \`name\` | ...`). */
function rowNames(table: string): string[] {
  return [...table.matchAll(/^\| `([\w$]+)` \|/gm)].map((match) => match[1]);
}

describe("docs/config.md member fields", () => {
  it("holds the table generated from the schema (npx tsx scripts/config_table.ts)", () => {
    const begin = page.indexOf("-->", page.indexOf("<!-- members:begin")) + 3;
    const end = page.indexOf("<!-- members:end -->");
    expect(end).toBeGreaterThan(begin);
    expect(page.slice(begin, end).trim()).toBe(memberFieldsDocumentation());
  });

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
