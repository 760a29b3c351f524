import { HttpError } from "./errors.js";

/** Default deepest nesting of a tool's `parameters` schema (objects and arrays): 32. */
export const DEFAULT_MAX_TOOL_SCHEMA_DEPTH = 32;

/** Default largest size of all the request's tool definitions together, as JSON: 256 KiB. */
export const DEFAULT_MAX_TOOL_SCHEMA_BYTES = 256 * 1024;

/** Limits on the tools of a chat completion request. */
export interface ToolSchemaLimits {
  /** Deepest nesting of objects and arrays in one tool's `parameters`. */
  readonly maxDepth: number;
  /** Largest size of every tool definition of the request together, in bytes of JSON. */
  readonly maxBytes: number;
}

/** The nesting depth of `value` (a scalar is 0), computed without recursion; stops counting past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, level]);
  }
  return deepest;
}

/**
 * Refuses tools whose `parameters` nest deeper than `maxDepth` or whose definitions together are larger than
 * `maxBytes` with a 400 naming the limit and the field, before any member is called (a schema nested thousands
 * deep would overflow every member's stack; a huge one would be sent to every member and bill every prompt).
 */
export function checkToolSchemas(
  tools: ReadonlyArray<{ function: { parameters?: Record<string, unknown> } }> | undefined,
  limits: ToolSchemaLimits,
): void {
  if (!tools || tools.length === 0) return;
  for (const [i, tool] of tools.entries()) {
    const depth = depthOf(tool.function.parameters, limits.maxDepth);
    if (depth > limits.maxDepth) {
      throw new HttpError(
        400,
        `tools[${i}].function.parameters: nests deeper than the limit of ${limits.maxDepth} levels (maxToolSchemaDepth)`,
        { param: `tools[${i}].function.parameters`, code: "tool_schema_too_deep" },
      );
    }
  }
  // Every schema is shallow now, so serializing it is safe.
  const bytes = Buffer.byteLength(JSON.stringify(tools));
  if (bytes > limits.maxBytes) {
    throw new HttpError(
      400,
      `tools: ${bytes} bytes of tool definitions, over the limit of ${limits.maxBytes} bytes (maxToolSchemaBytes)`,
      { param: "tools", code: "tool_schema_too_large" },
    );
  }
}
