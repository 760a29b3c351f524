import type { CallSyntax } from "./call_syntax.js";
import type { LlamaCppTool, ResolvedToolChoice } from "./definitions.js";
import {
  GrammarBuilder,
  literal,
  textNotStartingWith,
  type Grammar,
  type GrammarSequence,
  type RefElement,
} from "./grammar.js";
import { JsonSchemaGrammar } from "./json_schema_grammar.js";

/** Compiles the arguments schema of every tool (rules added to `builder`); throws `ToolDefinitionError` for an unusable schema. */
export function compileToolArguments(builder: GrammarBuilder, tools: readonly LlamaCppTool[]): Map<string, RefElement> {
  const rules = new Map<string, RefElement>();
  tools.forEach((tool, index) => {
    rules.set(
      tool.name,
      new JsonSchemaGrammar(builder, `tools[${index}].function.parameters`).compileRoot(tool.parameters),
    );
  });
  return rules;
}

/** Checks that every tool's schema can be turned into a grammar (throws `ToolDefinitionError` otherwise). */
export function validateToolSchemas(tools: readonly LlamaCppTool[]): void {
  compileToolArguments(new GrammarBuilder(), tools);
}

/** The part of a call's opening text before the tool name (`||call: `, `<tool_call>\n{"name": "`), or all of it when the name comes first. */
export function callOpening(syntax: CallSyntax): string {
  const at = syntax.before.indexOf(syntax.name);
  return at > 0 ? syntax.before.slice(0, at) : syntax.before;
}

/**
 * The grammar of an answer when tools are bound:
 * - a call: optionally one space, the template's opening text of an allowed tool (`syntax[i].before`, which names
 *   the tool), then the arguments as JSON matching that tool's schema; the output ends right after the arguments
 *   (the template's closing text is not generated);
 * - or, when `choice.mode` is `"auto"` or `"none"`, any text that does not start like a call (`callOpening`), so an
 *   answer that starts like a call is a complete, valid call.
 * With `"required"` only calls of `choice.allowed` are possible.
 */
export function buildToolGrammar(
  tools: readonly LlamaCppTool[],
  choice: ResolvedToolChoice,
  syntax: readonly CallSyntax[],
): Grammar {
  const builder = new GrammarBuilder();
  const alternatives: GrammarSequence[] = [];
  if (choice.mode !== "none") {
    const allowed = tools.filter((tool) => choice.allowed.includes(tool.name));
    const argumentRules = compileToolArguments(builder, allowed);
    const calls = allowed.map((tool) => {
      const before = syntax.find((s) => s.name === tool.name)?.before;
      if (before === undefined) throw new RangeError(`no call syntax for tool "${tool.name}"`);
      return [...literal(before), argumentRules.get(tool.name)!];
    });
    const call = builder.rule("call", calls);
    alternatives.push([builder.rule("spaced-call", [[call], [...literal(" "), call]])]);
  }
  if (choice.mode !== "required") {
    const excluded = syntax.flatMap((s) => [callOpening(s), ` ${callOpening(s)}`]);
    alternatives.push([textNotStartingWith(builder, "text", excluded)]);
  }
  return builder.build(builder.rule("root", alternatives));
}
