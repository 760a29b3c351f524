import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolDefinitionError } from "../../src/errors/index.js";
import { normalizeTools, resolveToolChoice } from "../../src/engines/llamacpp/tools/definitions.js";
import {
  GrammarBuilder,
  literal,
  charClass,
  textNotStartingWith,
  type Grammar,
} from "../../src/engines/llamacpp/tools/grammar.js";
import { GrammarState } from "../../src/engines/llamacpp/tools/grammar_state.js";
import { JsonSchemaGrammar } from "../../src/engines/llamacpp/tools/json_schema_grammar.js";
import { buildToolGrammar, callOpening } from "../../src/engines/llamacpp/tools/tool_grammar.js";
import { GrammarVocabulary } from "../../src/engines/llamacpp/tools/vocabulary.js";
import type { Token } from "node-llama-cpp";

function schemaGrammar(schema: unknown): Grammar {
  const builder = new GrammarBuilder();
  return builder.build(new JsonSchemaGrammar(builder, "schema").compileRoot(schema));
}

/** "complete" when `text` is a whole match, "prefix" when it can still become one, "rejected" otherwise. */
function verdict(grammar: Grammar, text: string): "complete" | "prefix" | "rejected" {
  const state = GrammarState.initial(grammar).advance(text);
  if (state === null) return "rejected";
  return state.accepting ? "complete" : "prefix";
}

describe("GrammarState", () => {
  it("follows literals, alternatives and right recursion", () => {
    const b = new GrammarBuilder();
    const digits = b.star("digits", charClass([[0x30, 0x39]]));
    const g = b.build(b.rule("root", [[...literal("n="), digits, ...literal(";")], literal("none")]));
    expect(verdict(g, "n=123;")).toBe("complete");
    expect(verdict(g, "n=;")).toBe("complete");
    expect(verdict(g, "n=12")).toBe("prefix");
    expect(verdict(g, "no")).toBe("prefix");
    expect(verdict(g, "none")).toBe("complete");
    expect(verdict(g, "n=1a")).toBe("rejected");
    expect(GrammarState.initial(g).advance("n=1;")!.done).toBe(true);
    // A long repetition does not grow the parse stacks without bound (tail frames are dropped).
    expect(verdict(g, `n=${"7".repeat(20_000)};`)).toBe("complete");
  });

  it("rejects left-recursive grammars instead of looping", () => {
    const b = new GrammarBuilder();
    const loop = b.reserve("loop");
    b.define(loop, [[loop, ...literal("x")], literal("x")]);
    expect(() => GrammarState.initial(b.build(loop))).toThrow(/left-recursive/);
  });

  it("builds free text that never starts with an excluded opening", () => {
    const b = new GrammarBuilder();
    const g = b.build(textNotStartingWith(b, "text", ["||call: ", "<tool_call>"]));
    for (const text of ["", "|", "||call:", "Hello", "<tool", "| call", "<tool_cal>"])
      expect(verdict(g, text)).toBe("complete");
    expect(verdict(g, "||call: x")).toBe("rejected");
    expect(verdict(g, "<tool_call> x")).toBe("rejected");
    const free = GrammarState.initial(g).advance("Hi")!;
    expect(free.free).toBe(true);
    expect(free.done).toBe(false);
    expect(GrammarState.initial(g).advance("||")!.free).toBe(false);
  });
});

describe("JsonSchemaGrammar", () => {
  const weather = z.object({
    city: z.enum(["Paris", "Rome"]),
    days: z.number().int().optional(),
    hourly: z.boolean().nullable(),
    tags: z.array(z.string()),
    where: z.object({ lat: z.number(), lon: z.number() }).optional(),
  });
  const [tool] = normalizeTools([{ name: "weather", schema: weather }]);
  const g = schemaGrammar(tool!.parameters);

  it("accepts the compact JSON of every value the schema allows, with optional properties left out or not", () => {
    const values = [
      { city: "Paris", hourly: null, tags: [] },
      { city: "Rome", days: 3, hourly: true, tags: ["a", 'quote " and \\ backslash', "é ☃ \n"] },
      { city: "Paris", days: -12, hourly: false, tags: ["x"], where: { lat: 48.85, lon: -2.35 } },
      { city: "Rome", hourly: null, tags: [], where: { lat: 0, lon: 1e-7 } },
      {
        city: "Paris",
        days: 999_999_999_999_999,
        hourly: true,
        tags: [],
        where: { lat: Number("1.2345678901234567e21"), lon: 0.1 + 0.2 },
      },
    ];
    for (const value of values) {
      expect(weather.safeParse(value).success).toBe(true);
      const text = JSON.stringify(value);
      expect(verdict(g, text), text).toBe("complete");
      expect(GrammarState.initial(g).advance(text)!.done).toBe(true);
    }
    // One space after ":" and "," is allowed.
    expect(verdict(g, '{"city": "Paris", "hourly": null, "tags": ["a", "b"]}')).toBe("complete");
  });

  it("rejects what the schema does not allow", () => {
    const rejected = [
      '{"city":"Lyon"', // not in the enum
      '{"hourly":null', // required property skipped (properties come in schema order)
      '{"city":"Paris","hourly":null}', // required tags missing
      '{"city":"Paris","days":1.5', // integer
      '{"city":"Paris","hourly":"yes"', // boolean or null
      '{"city":"Paris","hourly":null,"tags":[],"extra":1', // additionalProperties: false
      '{"city":"Paris","hourly":null,"tags":[1', // string items
      '{"city":"Paris","hourly":null,"tags":["\u0001', // raw control character
      '{ "city"', // no space after "{"
      '{"city":  "Paris"', // at most one space
      `{"city":"Paris","days":${"9".repeat(16)}`, // integers have at most 15 digits (safe integers)
    ];
    for (const text of rejected) expect(verdict(g, text), text).toBe("rejected");
  });

  it("accepts JSON.stringify of any JSON value where the schema allows any value", () => {
    const any = schemaGrammar({});
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        return verdict(any, text) === "complete";
      }),
      { numRuns: 300 },
    );
  });

  it("supports local $refs (recursion included), anyOf, type lists, const, tuples and open objects", () => {
    const tree = schemaGrammar({
      $defs: {
        node: {
          type: "object",
          properties: { v: { type: "integer" }, kids: { type: "array", items: { $ref: "#/$defs/node" } } },
          required: ["v", "kids"],
        },
      },
      $ref: "#/$defs/node",
    });
    expect(verdict(tree, '{"v":1,"kids":[{"v":2,"kids":[]},{"v":3,"kids":[{"v":4,"kids":[]}]}]}')).toBe("complete");
    expect(verdict(tree, '{"v":1,"kids":[{"v":"x"')).toBe("rejected");

    const mixed = schemaGrammar({
      type: "object",
      properties: {
        id: { anyOf: [{ type: "string" }, { type: "integer" }] },
        kind: { const: "point" },
        pair: { type: "array", prefixItems: [{ type: "number" }, { type: "boolean" }], items: false },
        meta: { type: "object", additionalProperties: { type: "number" } },
        any: {},
        maybe: { type: ["string", "null"] },
      },
      required: ["id", "kind", "pair", "meta", "any", "maybe"],
    });
    expect(
      verdict(
        mixed,
        '{"id":7,"kind":"point","pair":[1.5,true],"meta":{"a":1,"b":2},"any":{"x":[null,"y"]},"maybe":null}',
      ),
    ).toBe("complete");
    expect(verdict(mixed, '{"id":"7","kind":"point","pair":[1,false],"meta":{},"any":3,"maybe":"m"}')).toBe("complete");
    expect(verdict(mixed, '{"id":7,"kind":"line"')).toBe("rejected");
    expect(verdict(mixed, '{"id":7,"kind":"point","pair":[1,true,2')).toBe("rejected");
  });

  it("names the schema path and the fix when a keyword cannot be enforced", () => {
    const fails = (schema: unknown, field: string, message: RegExp): void => {
      let caught: unknown;
      try {
        schemaGrammar(schema);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ToolDefinitionError);
      expect((caught as ToolDefinitionError).field).toBe(field);
      expect((caught as Error).message).toMatch(message);
      expect((caught as ToolDefinitionError).fix).toBeDefined();
    };
    fails(
      { type: "object", properties: { x: { not: { type: "string" } } } },
      "schema.properties.x.not",
      /"not" cannot be enforced/,
    );
    fails(
      { type: "object", properties: { x: { $ref: "https://example.com/s.json" } } },
      "schema.properties.x.$ref",
      /only local references/,
    );
    fails(
      { type: "object", properties: { x: { $ref: "#/$defs/missing" } } },
      "schema.properties.x.$ref",
      /does not name a schema/,
    );
    fails(
      { type: "object", properties: { x: { allOf: [{ type: "string" }, { minLength: 2 }] } } },
      "schema.properties.x.allOf",
      /allOf/,
    );
    fails({ type: "object", properties: { x: false } }, "schema.properties.x", /allows no value/);
    fails({ type: "object", properties: { x: { type: "date" } } }, "schema.properties.x.type", /unknown type "date"/);
  });
});

describe("buildToolGrammar", () => {
  const tools = normalizeTools([
    { name: "get_weather", schema: z.object({ city: z.string() }) },
    { name: "get_time", schema: z.object({}) },
  ]);
  const syntax = tools.map((tool) => ({ name: tool.name, before: `||call: ${tool.name}(` }));
  const call = '||call: get_weather({"city":"Paris"}';

  it("allows a call or text with auto, only a call with any or a named tool, only text with none", () => {
    const names = tools.map((t) => t.name);
    const auto = buildToolGrammar(tools, resolveToolChoice("auto", names), syntax);
    expect(verdict(auto, call)).toBe("complete");
    expect(verdict(auto, ` ${call}`)).toBe("complete");
    expect(verdict(auto, "It is sunny.")).toBe("complete");
    expect(verdict(auto, "")).toBe("complete");
    // Text cannot start like a call, so an answer that starts like one is a whole, valid call.
    expect(verdict(auto, "||call: nothing(")).toBe("rejected");
    expect(verdict(auto, '||call: get_time({"x":1}')).toBe("rejected");

    const any = buildToolGrammar(tools, resolveToolChoice("any", names), syntax);
    expect(verdict(any, call)).toBe("complete");
    expect(verdict(any, "||call: get_time({}")).toBe("complete");
    expect(verdict(any, "It")).toBe("rejected");
    expect(verdict(any, "")).toBe("prefix");

    const named = buildToolGrammar(tools, resolveToolChoice("get_time", names), syntax);
    expect(verdict(named, "||call: get_time({}")).toBe("complete");
    expect(verdict(named, call)).toBe("rejected");

    const none = buildToolGrammar(tools, resolveToolChoice("none", names), syntax);
    expect(verdict(none, call)).toBe("rejected");
    expect(verdict(none, "It is sunny.")).toBe("complete");
  });

  it("excludes the template's call opening before the tool name from text", () => {
    expect(callOpening({ name: "get_weather", before: "||call: get_weather(" })).toBe("||call: ");
    expect(callOpening({ name: "f", before: '<tool_call>\n{"name": "f", "arguments": ' })).toBe(
      '<tool_call>\n{"name": "',
    );
    expect(callOpening({ name: "f", before: "f(" })).toBe("f(");
  });
});

describe("GrammarVocabulary", () => {
  const entries = [
    ["{", "text"],
    ['{"', "text"],
    ['{"c', "text"],
    ['{"x', "text"],
    ["c", "text"],
    ["city", "text"],
    ["cat", "text"],
    ['"', "text"],
    ['":', "text"],
    [" ", "text"],
    ["", "eog"],
    ["\uFFFD", "byte"],
    ["<ctl>", "never"],
  ] as const;
  const vocabulary = new GrammarVocabulary(entries.map(([text, kind], i) => ({ token: i as Token, text, kind })));
  const b = new GrammarBuilder();
  const g = b.build(b.rule("root", [literal('{"city":')]));

  it("lists exactly the tokens whose whole text the grammar allows next", () => {
    const names = (tokens: Token[] | null): string[] | null =>
      tokens ? tokens.map((t) => entries[t]![0]).sort() : null;
    const state = GrammarState.initial(g);
    expect(names(vocabulary.allowedTextTokens(state, 10))).toEqual(["{", '{"', '{"c']);
    expect(names(vocabulary.allowedTextTokens(state.advance('{"')!, 10))).toEqual(["c", "city"]);
    expect(names(vocabulary.allowedTextTokens(state.advance('{"city')!, 10))).toEqual(['"', '":']);
    expect(vocabulary.allowedTextTokens(state, 2)).toBeNull();
    expect(vocabulary.kind(10 as Token)).toBe("eog");
    expect(vocabulary.kind(12 as Token)).toBe("never");
    expect(vocabulary.eog).toEqual([10]);
    expect(vocabulary.bytes).toEqual([11]);
  });
});
