import { z } from "zod";
import { MEMBER_SETTING_KEYS } from "../members/member.js";
import { memberConfigSchema, PROVIDER_DESCRIPTIONS } from "./schema.js";

/** A field's JSON schema, as much of it as the table reads. */
interface FieldSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly description?: string;
  readonly properties?: Readonly<Record<string, FieldSchema>>;
}

/** A member variant's JSON schema: its fields and which are required. */
interface MemberSchema {
  readonly properties: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
}

const UNBOUNDED = Number.MAX_SAFE_INTEGER;

/** The range of a number field: `0-10`, `>= 0`, `> 0`, or nothing. */
function range(field: FieldSchema): string {
  const max = field.maximum !== undefined && field.maximum < UNBOUNDED ? field.maximum : undefined;
  if (field.minimum !== undefined && max !== undefined) return ` ${field.minimum}-${max}`;
  if (field.minimum !== undefined) return ` >= ${field.minimum}`;
  if (field.exclusiveMinimum !== undefined) return ` > ${field.exclusiveMinimum}`;
  return max !== undefined ? ` <= ${max}` : "";
}

/** The type column of a field, from its JSON schema (limits included). */
function typeText(field: FieldSchema): string {
  if (field.type === "integer") return `whole number${range(field)}`;
  if (field.type === "number") return `number${range(field)}`;
  if (field.type === "boolean") return "boolean";
  if (field.type === "object" && field.properties) {
    const parts = Object.entries(field.properties).map(([name, inner]) => `${name}: ${typeText(inner)}`);
    return `{ ${parts.join(", ")} }`;
  }
  if (field.format === "uri") return "http(s) URL";
  if (field.pattern !== undefined) return `string matching \`${field.pattern}\``;
  return field.minLength !== undefined && field.minLength > 0 ? "non-empty string" : "string";
}

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
    const json = z.toJSONSchema(option, { io: "input" }) as unknown as MemberSchema;
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
    rows.push(
      `| \`${name}\` | ${who}${required} | ${typeText(schema).replaceAll("|", "\\|")} | ${schema.description} |`,
    );
  }
  return rows.join("\n");
}
