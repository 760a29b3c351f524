import { MEMBER_SETTING_KEYS } from "../members/member.js";
import { cell, objectJsonSchema, typeText } from "./field_docs.js";
import type { FieldSchema } from "./field_docs.js";
import { memberConfigSchema, PROVIDER_DESCRIPTIONS } from "./schema.js";

/**
 * The member table of docs/config.md, generated from the config's zod schema (`memberConfigSchema`): every field of
 * every provider's member, the providers that accept it (and where it is required; "and in code": a member setting
 * a member given in code as `{ model, ...settings }` takes too), its type and limits from the
 * schema, and its meaning from the field's `describe` text. `scripts/config_table.ts` writes it into the page;
 * test/config/documentation.test.ts fails when the page differs.
 */
export function memberFieldsDocumentation(): string {
  const fields = new Map<string, { schema: FieldSchema; providers: string[]; requiredBy: string[] }>();
  for (const option of memberConfigSchema.options) {
    const provider = option.shape.provider.value;
    const json = objectJsonSchema(option);
    for (const [name, schema] of Object.entries(json.properties)) {
      if (name === "provider") continue;
      const entry = fields.get(name) ?? { schema, providers: [], requiredBy: [] };
      entry.providers.push(provider);
      if (json.required?.includes(name)) entry.requiredBy.push(provider);
      fields.set(name, entry);
    }
  }
  const all = memberConfigSchema.options.length;
  const providers = Object.entries(PROVIDER_DESCRIPTIONS).map(([name, text]) => `\`${name}\`: ${text}`);
  const rows = [
    "| field | providers | type | meaning |",
    "|---|---|---|---|",
    `| \`provider\` | all (required) | ${Object.keys(PROVIDER_DESCRIPTIONS)
      .map((name) => `\`${name}\``)
      .join(" \\| ")} | ${providers.join("; ")} |`,
  ];
  // The model first (every member names one), then the fields in the order the schema declares them.
  const ordered = [...fields].sort(([a], [b]) => Number(b === "model") - Number(a === "model"));
  for (const [name, { schema, providers: accepted, requiredBy }] of ordered) {
    if (!schema.description) throw new Error(`member field ${name} has no describe() text for docs/config.md`);
    const inCode = (MEMBER_SETTING_KEYS as readonly string[]).includes(name) ? ", and in code" : "";
    const who = `${accepted.length === all ? "all" : accepted.join(", ")}${inCode}`;
    const required = requiredBy.length === 0 ? "" : requiredBy.length === accepted.length ? " (required)" : "";
    rows.push(`| \`${name}\` | ${who}${required} | ${cell(typeText(schema))} | ${schema.description} |`);
  }
  return rows.join("\n");
}
