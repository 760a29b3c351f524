import { z } from "zod";

/** A field's JSON schema (`z.toJSONSchema`, input side), as much of it as the documentation tables read. */
export interface FieldSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly description?: string;
  /** A named shape documented in a table of its own (`tier`, `member`): written by that name. */
  readonly title?: string;
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  readonly items?: FieldSchema;
  readonly anyOf?: readonly FieldSchema[];
  readonly oneOf?: readonly FieldSchema[];
}

/** An object schema's JSON schema: its fields and which are required. */
export interface ObjectSchema {
  readonly properties: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
}

/** The JSON schema of an object schema, input side (what a config file may write). */
export function objectJsonSchema(schema: z.ZodType): ObjectSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as unknown as ObjectSchema;
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

/** Whether a field is one value (not an object, array or choice of shapes). */
function scalar(field: FieldSchema): boolean {
  return field.properties === undefined && field.items === undefined && !field.anyOf && !field.oneOf;
}

/**
 * An object's fields: `name: type` each when there are at most 3 and every one is a single value; else the names
 * (`name?` when optional), an array of objects as `name: [{ ... }]`.
 */
function objectText(field: FieldSchema): string {
  const entries = Object.entries(field.properties ?? {});
  const optional = (name: string) => (field.required?.includes(name) ? "" : "?");
  if (entries.length <= 3 && entries.every(([, inner]) => scalar(inner))) {
    return `{ ${entries.map(([name, inner]) => `${name}${optional(name)}: ${typeText(inner)}`).join(", ")} }`;
  }
  const parts = entries.map(([name, inner]) => {
    if (inner.items?.properties) return `${name}${optional(name)}: [${objectText(inner.items)}]`;
    return `${name}${optional(name)}`;
  });
  return `{ ${parts.join(", ")} }`;
}

/**
 * The type column of a field, from its JSON schema (limits included): a shape with a title by its name (an array of
 * them: `array of tiers`), alternatives joined by `|`, the values of an enum, objects by their fields, arrays by their
 * items and least length.
 */
export function typeText(field: FieldSchema): string {
  if (field.title !== undefined) return field.title;
  const choices = field.anyOf ?? field.oneOf;
  if (choices) return choices.map(typeText).join(" | ");
  if (field.enum) return field.enum.map((value) => `\`${String(value)}\``).join(" | ");
  if (field.const !== undefined) return `\`${String(field.const)}\``;
  if (field.type === "integer") return `whole number${range(field)}`;
  if (field.type === "number") return `number${range(field)}`;
  if (field.type === "boolean") return "boolean";
  if (field.type === "object" && field.properties) return objectText(field);
  if (field.type === "array" && field.items) {
    const least = field.minItems !== undefined && field.minItems > 0 ? ` (>= ${field.minItems})` : "";
    const items = typeText(field.items);
    return `array${least} of ${field.items.title !== undefined ? `${items}s` : items}`;
  }
  if (field.format === "uri") return "http(s) URL";
  if (field.format === "includes" && field.pattern !== undefined) {
    return `string containing \`${field.pattern.replaceAll("\\", "")}\``;
  }
  if (field.pattern !== undefined) return `string matching \`${field.pattern}\``;
  return field.minLength !== undefined && field.minLength > 0 ? "non-empty string" : "string";
}

/** A markdown table cell: `|` escaped. */
export function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}
