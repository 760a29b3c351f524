import { ToolDefinitionError } from "../../../errors/index.js";
import {
  charClass,
  charsOf,
  literal,
  type GrammarBuilder,
  type GrammarElement,
  type GrammarSequence,
  type RefElement,
} from "./grammar.js";

type JsonObject = Record<string, unknown>;

/** Keywords whose meaning a grammar cannot enforce; a schema using one is rejected rather than silently loosened. */
const UNSUPPORTED_KEYWORDS = [
  "not",
  "if",
  "then",
  "else",
  "patternProperties",
  "dependentSchemas",
  "dependencies",
  "propertyNames",
  "contains",
  "unevaluatedProperties",
  "unevaluatedItems",
  "$dynamicRef",
  "$recursiveRef",
] as const;

const JSON_TYPES = ["string", "number", "integer", "boolean", "null", "object", "array"] as const;

/**
 * Longest integer part and fraction the grammar lets a number have: room for any double JavaScript prints, while a
 * looping model cannot write digits forever.
 */
const MAX_DIGITS = 24;

/** Longest `integer`: 15 digits keep it a safe integer (below 2^53), which zod's `.int()` requires. */
const MAX_INTEGER_DIGITS = 15;

const SCHEMA_FIX =
  "Describe the arguments with type, properties, required, additionalProperties, items, prefixItems, enum, const, anyOf/oneOf and $ref to $defs (keywords such as pattern, format and minimum are accepted but not enforced).";

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Compact JSON of a constant (what the model must write for an `enum` or `const` value). */
function jsonLiteral(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/**
 * Compiles JSON schemas into grammar rules that accept exactly the compact JSON texts (one optional space after
 * `:` and `,`) of the values the schema describes, as far as structure goes: types, object properties in schema
 * order with the required ones mandatory, `additionalProperties`, arrays and tuples, `enum`, `const`,
 * `anyOf`/`oneOf`, nullable types and local `$ref`s (recursion included). Value constraints (`pattern`, `format`,
 * `minLength`, `minimum`, `minItems`, ...) are not enforced; numbers have at most 24 integer and 24 fraction digits
 * and 3 exponent digits, integers at most 15 digits (safe integers).
 */
export class JsonSchemaGrammar {
  private readonly defs = new Map<string, RefElement>();
  private rootRef?: RefElement;
  private rootSchema: unknown;

  /**
   * @param builder Grammar the rules are added to.
   * @param field Name of the schema in error messages (`tools[0].function.parameters`).
   */
  constructor(
    private readonly builder: GrammarBuilder,
    private readonly field: string,
  ) {}

  /** The rule of the whole `schema` (the document `#` refers to). */
  compileRoot(schema: unknown): RefElement {
    const ref = this.builder.reserve("args");
    this.rootRef = ref;
    this.rootSchema = schema;
    return this.builder.define(ref, [[this.compile(schema, "")]]);
  }

  private fail(path: string, message: string): never {
    throw new ToolDefinitionError(message, { field: `${this.field}${path}`, fix: SCHEMA_FIX });
  }

  private compile(schema: unknown, path: string): GrammarElement {
    if (schema === true || (isObject(schema) && Object.keys(schema).every((key) => !STRUCTURAL_KEYS.has(key))))
      return this.anyValue();
    if (schema === false) this.fail(path, "the schema `false` allows no value");
    if (!isObject(schema)) this.fail(path, `expected a JSON schema object, got ${jsonLiteral(schema)}`);
    for (const keyword of UNSUPPORTED_KEYWORDS) {
      if (schema[keyword] !== undefined)
        this.fail(`${path}.${keyword}`, `the JSON schema keyword "${keyword}" cannot be enforced by a grammar`);
    }
    if (typeof schema.$ref === "string") return this.reference(schema.$ref, `${path}.$ref`);
    if (schema.$ref !== undefined) this.fail(`${path}.$ref`, "expected a string");
    if (schema.const !== undefined) return this.literalRule(jsonLiteral(schema.const));
    if (schema.enum !== undefined) return this.enumRule(schema.enum, `${path}.enum`);
    for (const keyword of ["anyOf", "oneOf"] as const) {
      if (schema[keyword] !== undefined) return this.alternatives(schema[keyword], `${path}.${keyword}`);
    }
    if (schema.allOf !== undefined) {
      if (Array.isArray(schema.allOf) && schema.allOf.length === 1)
        return this.compile(schema.allOf[0], `${path}.allOf[0]`);
      this.fail(`${path}.allOf`, "allOf with more than one schema cannot be enforced by a grammar");
    }
    if (schema.nullable === true) {
      const { nullable: _nullable, ...rest } = schema;
      return this.builder.rule("nullable", [[this.compile(rest, path)], literal("null")]);
    }
    const type = schema.type;
    if (Array.isArray(type)) {
      const options = type.map((t, i) => this.compile({ ...schema, type: t }, `${path}.type[${i}]`));
      return this.builder.rule(
        "types",
        options.map((option) => [option]),
      );
    }
    if (type === undefined) {
      if (schema.properties !== undefined || schema.additionalProperties !== undefined || schema.required !== undefined)
        return this.object(schema, path);
      if (schema.items !== undefined || schema.prefixItems !== undefined) return this.array(schema, path);
      return this.anyValue();
    }
    switch (type) {
      case "string":
        return this.primitive("string");
      case "number":
        return this.primitive("number");
      case "integer":
        return this.primitive("integer");
      case "boolean":
        return this.primitive("boolean");
      case "null":
        return this.literalRule("null");
      case "object":
        return this.object(schema, path);
      case "array":
        return this.array(schema, path);
      default:
        return this.fail(
          `${path}.type`,
          `unknown type ${jsonLiteral(type)} (expected one of ${JSON_TYPES.join(", ")})`,
        );
    }
  }

  private reference(ref: string, path: string): GrammarElement {
    if (ref === "#") {
      if (this.rootRef === undefined) this.fail(path, "a $ref to # needs a root schema");
      return this.rootRef;
    }
    const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
    if (match === null)
      this.fail(path, `only local references (#, #/$defs/Name, #/definitions/Name) are supported, got "${ref}"`);
    const [, section, rawName] = match;
    const name = decodeURIComponent(rawName!).replace(/~1/g, "/").replace(/~0/g, "~");
    const key = `${section}/${name}`;
    let rule = this.defs.get(key);
    if (rule === undefined) {
      const definitions = isObject(this.rootSchema) ? this.rootSchema[section!] : undefined;
      const target = isObject(definitions) ? definitions[name] : undefined;
      if (target === undefined) this.fail(path, `"${ref}" does not name a schema of the root's ${section}`);
      rule = this.builder.reserve(`def-${name}`);
      this.defs.set(key, rule);
      this.builder.define(rule, [[this.compile(target, `.${section}.${name}`)]]);
    }
    return rule;
  }

  private enumRule(values: unknown, path: string): GrammarElement {
    if (!Array.isArray(values) || values.length === 0) this.fail(path, "expected a non-empty array of values");
    return this.builder.rule(
      "enum",
      values.map((value) => literal(jsonLiteral(value))),
    );
  }

  private alternatives(schemas: unknown, path: string): GrammarElement {
    if (!Array.isArray(schemas) || schemas.length === 0) this.fail(path, "expected a non-empty array of schemas");
    const options = schemas.map((option, i) => this.compile(option, `${path}[${i}]`));
    return this.builder.rule(
      "any-of",
      options.map((option) => [option]),
    );
  }

  private literalRule(text: string): GrammarElement {
    return this.builder.sharedRule(`literal ${text}`, () => [literal(text)]);
  }

  private object(schema: JsonObject, path: string): GrammarElement {
    const properties = schema.properties ?? {};
    if (!isObject(properties)) this.fail(`${path}.properties`, "expected an object of property schemas");
    const required = schema.required ?? [];
    if (!Array.isArray(required) || !required.every((key): key is string => typeof key === "string")) {
      this.fail(`${path}.required`, "expected an array of property names");
    }
    const keys = Object.keys(properties);
    for (const key of required) if (!keys.includes(key)) keys.push(key);
    const open = literal("{");
    const close = literal("}");
    if (keys.length === 0) {
      const additional = schema.additionalProperties;
      if (additional === false) return this.literalRule("{}");
      const value =
        additional === undefined || additional === true
          ? this.anyValue()
          : this.compile(additional, `${path}.additionalProperties`);
      return this.builder.rule("map", [
        [
          ...open,
          this.list(this.builder.rule("entry", [[this.primitive("string"), ...literal(":"), this.ws(), value]])),
          ...close,
        ],
      ]);
    }
    const members = keys.map((key) => {
      const value = this.compile(properties[key], `${path}.properties.${key}`);
      return { sequence: [...literal(`${JSON.stringify(key)}:`), this.ws(), value], optional: !required.includes(key) };
    });
    // head(i): members i.. when none was written yet; tail(i): members i.. after one was written (comma first).
    let head = this.builder.rule("members", [[]]);
    let tail = this.builder.rule("more-members", [[]]);
    for (let i = members.length - 1; i >= 0; i--) {
      const member = members[i]!;
      const nextHead = head;
      const nextTail = tail;
      tail = this.builder.rule("more-members", [
        [...literal(","), this.ws(), ...member.sequence, nextTail],
        ...(member.optional ? [[nextTail]] : []),
      ]);
      head = this.builder.rule("members", [[...member.sequence, nextTail], ...(member.optional ? [[nextHead]] : [])]);
    }
    return this.builder.rule("object", [[...open, head, ...close]]);
  }

  private array(schema: JsonObject, path: string): GrammarElement {
    const items = schema.items;
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : Array.isArray(items) ? items : undefined;
    if (prefix !== undefined) {
      const prefixPath = Array.isArray(schema.prefixItems) ? `${path}.prefixItems` : `${path}.items`;
      const extra = Array.isArray(schema.prefixItems) ? items : schema.additionalItems;
      const sequence: GrammarElement[] = [...literal("[")];
      prefix.forEach((item, i) => {
        if (i > 0) sequence.push(...literal(","), this.ws());
        sequence.push(this.compile(item, `${prefixPath}[${i}]`));
      });
      if (extra !== false) {
        const extraItem =
          extra === undefined || extra === true
            ? this.anyValue()
            : this.compile(extra, `${path}.${Array.isArray(schema.prefixItems) ? "items" : "additionalItems"}`);
        sequence.push(
          prefix.length > 0 ? this.builder.star("more-items", this.commaThen(extraItem)) : this.list(extraItem),
        );
      }
      sequence.push(...literal("]"));
      return this.builder.rule("tuple", [sequence]);
    }
    if (items === false) return this.literalRule("[]");
    const item = items === undefined || items === true ? this.anyValue() : this.compile(items, `${path}.items`);
    return this.builder.rule("array", [[...literal("["), this.list(item), ...literal("]")]]);
  }

  /** `item ("," " "? item)*` or nothing. */
  private list(item: GrammarElement): RefElement {
    const more = this.builder.star("more-items", this.commaThen(item));
    return this.builder.rule("items", [[item, more], []]);
  }

  private commaThen(item: GrammarElement): RefElement {
    return this.builder.rule("next-item", [[...literal(","), this.ws(), item]]);
  }

  private ws(): RefElement {
    return this.builder.sharedRule("json-space", () => [[charClass([0x20])], []]);
  }

  private primitive(kind: "string" | "number" | "integer" | "boolean"): RefElement {
    const b = this.builder;
    switch (kind) {
      case "string":
        return b.sharedRule("json-string", () => {
          const hex = charClass([
            [0x30, 0x39],
            [0x41, 0x46],
            [0x61, 0x66],
          ]);
          const escapeRule = b.rule("json-escape", [[charsOf('"\\/bfnrt')], [...literal("u"), hex, hex, hex, hex]]);
          const char = b.rule("json-char", [
            [charClass([0x22, 0x5c, [0x00, 0x1f]], true)],
            [...literal("\\"), escapeRule],
          ]);
          return [[...literal('"'), b.star("json-chars", char), ...literal('"')]];
        });
      case "integer":
        return b.sharedRule("json-integer", () => [
          [b.rule("json-sign", [literal("-"), []]), this.integerPart(MAX_INTEGER_DIGITS)],
        ]);
      case "number":
        return b.sharedRule("json-number", () => {
          const digit = charClass([[0x30, 0x39]]);
          const fraction = b.rule("json-fraction", [
            [...literal("."), digit, b.upTo("json-fraction-digits", digit, MAX_DIGITS - 1)],
            [],
          ]);
          const exponentSign = b.rule("json-exponent-sign", [[charsOf("+-")], []]);
          const exponent = b.rule("json-exponent", [
            [charsOf("eE"), exponentSign, digit, b.upTo("json-exponent-digits", digit, 2)],
            [],
          ]);
          return [[b.rule("json-sign", [literal("-"), []]), this.integerPart(MAX_DIGITS), fraction, exponent]];
        });
      case "boolean":
        return b.sharedRule("json-boolean", () => [literal("true"), literal("false")]);
    }
  }

  private integerPart(maxDigits: number): RefElement {
    const b = this.builder;
    return b.sharedRule(`json-integer-part-${maxDigits}`, () => {
      const digits = b.upTo(`json-digits-${maxDigits}`, charClass([[0x30, 0x39]]), maxDigits - 1);
      return [literal("0"), [charClass([[0x31, 0x39]]), digits]];
    });
  }

  /** Any JSON value. */
  private anyValue(): RefElement {
    const b = this.builder;
    return b.sharedRule("json-value", (value) => {
      const entry = b.rule("json-entry", [[this.primitive("string"), ...literal(":"), this.ws(), value]]);
      const object = b.rule("json-object", [[...literal("{"), this.list(entry), ...literal("}")]]);
      const array = b.rule("json-array", [[...literal("["), this.list(value), ...literal("]")]]);
      const alternatives: GrammarSequence[] = [
        [object],
        [array],
        [this.primitive("string")],
        [this.primitive("number")],
        [this.primitive("boolean")],
        literal("null"),
      ];
      return alternatives;
    });
  }
}

/** Keywords that shape a value; a schema without any of them (only annotations) accepts any JSON value. */
const STRUCTURAL_KEYS = new Set<string>([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "prefixItems",
  "additionalItems",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "allOf",
  "$ref",
  "nullable",
  ...UNSUPPORTED_KEYWORDS,
]);
