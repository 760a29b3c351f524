import type { AIMessage } from "@langchain/core/messages";
import { parseJsonMarkdown } from "@langchain/core/output_parsers";
import { messageText } from "../cost/usage.js";
import { canonicalJson } from "./tool_calls.js";
import type { ExtractedAnswer } from "./types.js";

/** How `withStructuredOutput` asks for an object: a forced tool call, or JSON text. */
export type StructuredMethod = "functionCalling" | "jsonMode" | "jsonSchema";

/** What a structured-output pyramid extracts from each member's message. */
export interface StructuredAnswerSpec {
  /** How the object is asked for. */
  readonly method: StructuredMethod;
  /** The tool's name (`functionCalling`) or the schema's name (JSON methods). */
  readonly name: string;
  /** Validates a parsed object: returns the validated (possibly transformed) object, or throws. */
  readonly validate: (value: unknown) => unknown;
  /** JSON methods: the instruction given to members that take no `response_format`. */
  readonly instruction?: string;
}

/** The voting key of a structured answer, or why the member gave no usable object. */
export type StructuredExtraction = { readonly answer: ExtractedAnswer } | { readonly invalid: string };

function validated(value: unknown, spec: StructuredAnswerSpec): StructuredExtraction {
  try {
    const object = spec.validate(value);
    const key = canonicalJson(object);
    return { answer: { key: `object:${key}`, display: key } };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { invalid: `the object does not match the schema "${spec.name}": ${reason}` };
  }
}

/**
 * The structured answer of a member's message: the arguments of its call of the schema's tool (`functionCalling`)
 * or the JSON object of its text (JSON methods, fenced or bare), validated against the schema and canonicalized
 * (keys sorted), so that equal objects vote together however the members wrote them.
 */
export function extractStructuredAnswer(message: AIMessage, spec: StructuredAnswerSpec): StructuredExtraction {
  if (spec.method === "functionCalling") {
    const call = (message.tool_calls ?? []).find((toolCall) => toolCall.name === spec.name);
    if (!call) return { invalid: `no call of the tool "${spec.name}"` };
    return validated(call.args, spec);
  }
  const text = messageText(message);
  let parsed: unknown;
  try {
    parsed = parseJsonMarkdown(text, JSON.parse);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object") return { invalid: "the text is not a JSON object" };
  return validated(parsed, spec);
}
