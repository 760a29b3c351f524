import type { z } from "zod";

/** Any zod schema, as its internals describe it. */
type Schema = z.core.$ZodType;

/** The wrappers that do not change what a value must be. */
const WRAPPERS = new Set(["optional", "default", "nullable", "readonly", "prefault", "nonoptional", "catch"]);

/** The schema inside optional/default/nullable/... wrappers. */
function unwrap(schema: Schema): Schema {
  let current = schema;
  for (let guard = 0; guard < 16; guard++) {
    const def = current._zod.def as { type: string; innerType?: Schema; in?: Schema };
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else break;
  }
  return current;
}

function valueAt(input: unknown, segments: readonly (string | number)[]): unknown {
  let value = input;
  for (const segment of segments) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** The option of a union that holds `key` (a discriminated union: the option matching the input's discriminator). */
function unionOption(
  options: readonly Schema[],
  key: string | number,
  input: unknown,
  seen: readonly (string | number)[],
): Schema | undefined {
  const objects = options.map(unwrap).filter((option) => option._zod.def.type === "object");
  const discriminator = (input === undefined ? undefined : valueAt(input, seen)) as Record<string, unknown> | undefined;
  const withKey = objects.filter((option) => key in (option._zod.def as unknown as { shape: object }).shape);
  if (discriminator && typeof discriminator === "object") {
    const matching = withKey.find((option) => {
      const shape = (option._zod.def as unknown as { shape: Record<string, Schema> }).shape;
      return Object.entries(shape).some(([name, field]) => {
        const def = unwrap(field)._zod.def as { type: string; values?: readonly unknown[] };
        return def.type === "literal" && def.values?.includes(discriminator[name]);
      });
    });
    if (matching) return matching;
  }
  return withKey[0];
}

/**
 * The schema of the field at `segments` under `root` (objects, arrays, records and unions are followed; a union
 * takes the option that has the field, the input's own option for a discriminated union), or `undefined`.
 */
export function schemaAt(root: Schema, segments: readonly (string | number)[], input?: unknown): Schema | undefined {
  let current: Schema | undefined = root;
  for (let i = 0; i < segments.length && current; i++) {
    const segment = segments[i];
    let node = unwrap(current);
    let def = node._zod.def as { type: string; options?: readonly Schema[] };
    if (def.type === "union") {
      const option = unionOption(def.options ?? [], segment, input, segments.slice(0, i));
      if (!option) return undefined;
      node = option;
      def = node._zod.def as { type: string };
    }
    if (def.type === "object") {
      current = (node._zod.def as unknown as { shape: Record<string, Schema> }).shape[String(segment)];
    } else if (def.type === "array") {
      current = (node._zod.def as unknown as { element: Schema }).element;
    } else if (def.type === "record") {
      current = (node._zod.def as unknown as { valueType: Schema }).valueType;
    } else {
      return undefined;
    }
  }
  return current;
}

interface Bound {
  value: number;
  inclusive: boolean;
}

/** What a field's name says about its unit, for the fix text. */
function unit(key: string | undefined): string {
  if (!key) return "";
  if (/Ms$/.test(key)) return " of milliseconds";
  if (/(Usd|USD)$/.test(key) || key === "maxCostPerQuery") return " of USD";
  return "";
}

function numberFix(schema: Schema, key: string | undefined): string {
  const checks = ((schema._zod.def as { checks?: readonly Schema[] }).checks ?? []).map(
    (check) => check._zod.def as unknown as { check: string; value?: number; inclusive?: boolean; format?: string },
  );
  const whole = checks.some((check) => check.check === "number_format" && /int/.test(check.format ?? ""));
  let low: Bound | undefined;
  let high: Bound | undefined;
  for (const check of checks) {
    if (check.check === "greater_than" && check.value !== undefined)
      low = { value: check.value, inclusive: check.inclusive ?? false };
    if (check.check === "less_than" && check.value !== undefined)
      high = { value: check.value, inclusive: check.inclusive ?? false };
  }
  const what = `${whole ? "a whole number" : "a number"}${unit(key)}`;
  if (low && high && low.inclusive && high.inclusive) return `give ${what} between ${low.value} and ${high.value}`;
  const parts = [
    low ? `${low.inclusive ? ">=" : ">"} ${low.value}` : undefined,
    high ? `${high.inclusive ? "<=" : "<"} ${high.value}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? `give ${what}` : `give ${what} ${parts.join(" and ")}`;
}

function quoteList(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  if (quoted.length <= 2) return quoted.join(" or ");
  return `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/**
 * The fix a field's own schema states: its kind and limits for numbers (whole or not, bounds), its values for
 * enums and literals, true/false for booleans; `undefined` for other schemas (their fix is written by hand). So a
 * limit is written once, in the schema, and the config file's messages follow it.
 */
export function schemaFix(schema: Schema, key?: string): string | undefined {
  const node = unwrap(schema);
  const def = node._zod.def as { type: string; entries?: Record<string, unknown>; values?: readonly unknown[] };
  switch (def.type) {
    case "number":
      return numberFix(node, key);
    case "enum":
      return `use ${quoteList(Object.values(def.entries ?? {}))}`;
    case "literal":
      return `use ${quoteList(def.values ?? [])}`;
    case "boolean":
      return "use true or false";
    default:
      return undefined;
  }
}
