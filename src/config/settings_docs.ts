import { cell, objectJsonSchema, typeText } from "./field_docs.js";
import type { ObjectSchema } from "./field_docs.js";
import { pyramidConfigSchema, tierConfigSchema } from "./schema.js";

/** Fields of the config file the tables leave out (a JSON-schema pointer, ignored). */
const UNDOCUMENTED = new Set(["$schema"]);

/** The rows of an object schema's fields, `first` ones first, then in the order the schema declares them. */
function fieldTable(json: ObjectSchema, what: string, first: readonly string[] = []): string {
  const names = Object.keys(json.properties).filter((name) => !UNDOCUMENTED.has(name));
  const ordered = [...first, ...names.filter((name) => !first.includes(name))];
  const rows = ["| field | type | meaning |", "|---|---|---|"];
  for (const name of ordered) {
    const field = json.properties[name];
    if (!field.description) throw new Error(`${what} field ${name} has no describe() text for docs/config.md`);
    const required = json.required?.includes(name) ? " (required)" : "";
    rows.push(`| \`${name}\` | ${cell(typeText(field))}${required} | ${field.description} |`);
  }
  return rows.join("\n");
}

/**
 * The top-level table of docs/config.md, generated from the config's zod schema (`pyramidConfigSchema`: the
 * settings shared with `PyramidOptions` plus `tiers`, `router`, `budget` and `tenants`): `tiers` and `router` first,
 * each field's type and limits from the schema, its meaning from its `describe` text. `scripts/config_table.ts`
 * writes it into the page; test/config/documentation.test.ts fails when the page differs.
 */
export function topLevelFieldsDocumentation(): string {
  return fieldTable(objectJsonSchema(pyramidConfigSchema), "top-level", ["tiers", "router"]);
}

/** The tier table of docs/config.md, generated from `tierConfigSchema` as {@link topLevelFieldsDocumentation} is. */
export function tierFieldsDocumentation(): string {
  return fieldTable(objectJsonSchema(tierConfigSchema), "tier");
}
