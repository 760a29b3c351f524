import { BASE_FEATURES } from "./definitions.js";

/**
 * The base features as a Markdown table (name, signal, meaning), generated from their declarations: the body of
 * docs/features.md (`npx tsx scripts/feature_table.ts`), checked against the committed page by a test.
 */
export function featureDocumentation(): string {
  const rows = BASE_FEATURES.map((definition) => {
    const name = definition.perMember ? `\`${definition.name}_<i>\`` : `\`${definition.name}\``;
    return `| ${name} | ${definition.signal} | ${definition.description} |`;
  });
  return ["| feature | signal | meaning |", "|---|---|---|", ...rows].join("\n");
}
