import type { BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { createContentParser, createFunctionCallingParser } from "@langchain/core/language_models/structured_output";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { getSchemaDescription, interopParse, isInteropZodSchema } from "@langchain/core/utils/types";
import { z } from "zod";
import { PyramidConfigError } from "../errors/index.js";
import { parseOptions } from "../errors/validate.js";
import type { StructuredAnswerSpec, StructuredMethod } from "../answers/structured.js";

/** Options of `PyramidChatModel.withStructuredOutput`, as `ChatOpenAI` takes them. */
export interface PyramidStructuredOutputConfig {
  /** `functionCalling` (default): members call the schema's tool; `jsonMode` / `jsonSchema`: members answer JSON text. */
  readonly method?: StructuredMethod | "function_calling" | "json_mode" | "json_schema";
  /** Also return the pyramid's raw message: `{ raw, parsed }` (`parsed` is null when parsing fails). */
  readonly includeRaw?: boolean;
  /** Name of the tool / schema (default: the JSON schema's `title`, else `extract`). */
  readonly name?: string;
  /** Passed to members as the tool's or the JSON schema's `strict` flag (not with `jsonMode`). */
  readonly strict?: boolean;
}

/** Everything the pyramid needs to answer with structured output. */
export interface StructuredOutputPlan {
  /** Normalized method. */
  readonly method: StructuredMethod;
  /** Tool / schema name. */
  readonly name: string;
  /** The schema as JSON schema. */
  readonly jsonSchema: Record<string, unknown>;
  /** `functionCalling`: the OpenAI-format tool bound to every member. */
  readonly tool?: {
    type: "function";
    function: { name: string; description: string; parameters: Record<string, unknown>; strict?: boolean };
  };
  /** JSON methods: the `response_format` given to members that take it. */
  readonly responseFormat?: Record<string, unknown>;
  /** `strict`, when given. */
  readonly strict?: boolean;
  /** What members' answers are extracted as (and voted on). */
  readonly answer: StructuredAnswerSpec;
  /** LangChain's parser of the pyramid's final message (the one `ChatOpenAI` uses for this method and schema). */
  readonly parser: Runnable<BaseMessage, Record<string, unknown>>;
  /** `ls_structured_output_format` call option (LangSmith). */
  readonly lsFormat: { kwargs: { method: string }; schema: Record<string, unknown> };
}

const configSchema = z.object({
  method: z
    .enum(["functionCalling", "function_calling", "jsonMode", "json_mode", "jsonSchema", "json_schema"])
    .optional(),
  includeRaw: z.boolean().optional(),
  name: z.string().min(1).optional(),
  strict: z.boolean().optional(),
});

const METHODS: Record<string, StructuredMethod> = {
  functionCalling: "functionCalling",
  function_calling: "functionCalling",
  jsonMode: "jsonMode",
  json_mode: "jsonMode",
  jsonSchema: "jsonSchema",
  json_schema: "jsonSchema",
};

const LS_METHOD: Record<StructuredMethod, string> = {
  functionCalling: "function_calling",
  jsonMode: "json_mode",
  jsonSchema: "json_schema",
};

function jsonInstruction(name: string, schema: Record<string, unknown>): string {
  return [
    `Answer with a single JSON object only (no prose, no code fence), an instance of the JSON schema "${name}":`,
    JSON.stringify(schema),
  ].join("\n");
}

/**
 * Plans `withStructuredOutput(schema, config)` the way `ChatOpenAI` does: the method, the tool or
 * `response_format`, LangChain's parser for the final message, the LangSmith descriptor, and the member-side
 * extraction that the crowd votes on (the validated object, canonicalized).
 *
 * @throws PyramidConfigError for an unknown method, or `strict` with `jsonMode`.
 */
export function planStructuredOutput(
  schema: unknown,
  options: PyramidStructuredOutputConfig = {},
): StructuredOutputPlan {
  const config = parseOptions(configSchema, options, "withStructuredOutput");
  const method = METHODS[config.method ?? "functionCalling"];
  if (config.strict !== undefined && method === "jsonMode") {
    throw new PyramidConfigError('"strict" is not supported with method "jsonMode"', {
      field: "withStructuredOutput.strict",
      fix: 'use method "functionCalling" or "jsonSchema", or drop strict',
    });
  }
  const isZod = isInteropZodSchema(schema);
  const record = (typeof schema === "object" && schema !== null ? schema : {}) as Record<string, unknown>;
  // An OpenAI function definition ({ name, parameters }) is taken as is, as ChatOpenAI does.
  const isFunctionDefinition = !isZod && typeof record.name === "string" && typeof record.parameters === "object";
  const jsonSchema = (isFunctionDefinition ? record.parameters : toJsonSchema(schema as never)) as Record<
    string,
    unknown
  >;
  const name =
    config.name ??
    (isFunctionDefinition
      ? (record.name as string)
      : typeof jsonSchema.title === "string"
        ? jsonSchema.title
        : "extract");
  const description =
    (isFunctionDefinition ? (record.description as string | undefined) : undefined) ??
    getSchemaDescription(schema as never) ??
    (typeof jsonSchema.description === "string" ? jsonSchema.description : "A function available to call.");
  const validate = (value: unknown): unknown => (isZod ? interopParse(schema as never, value) : value);
  const lsFormat = { kwargs: { method: LS_METHOD[method] }, schema: { title: name, ...jsonSchema } };
  if (method === "functionCalling") {
    return {
      method,
      name,
      jsonSchema,
      strict: config.strict,
      tool: {
        type: "function",
        function: {
          name,
          description,
          parameters: jsonSchema,
          ...(config.strict !== undefined ? { strict: config.strict } : {}),
        },
      },
      answer: { method, name, validate },
      parser: createFunctionCallingParser(
        (isFunctionDefinition ? jsonSchema : schema) as never,
        name,
      ) as unknown as Runnable<BaseMessage, Record<string, unknown>>,
      lsFormat,
    };
  }
  const responseFormat =
    method === "jsonMode"
      ? { type: "json_object" }
      : {
          type: "json_schema",
          json_schema: {
            name,
            description,
            schema: jsonSchema,
            ...(config.strict !== undefined ? { strict: config.strict } : {}),
          },
        };
  const contentParser = createContentParser((isFunctionDefinition ? jsonSchema : schema) as never);
  return {
    method,
    name,
    jsonSchema,
    strict: config.strict,
    responseFormat,
    answer: { method, name, validate, instruction: jsonInstruction(name, jsonSchema) },
    parser: contentParser as unknown as Runnable<BaseMessage, Record<string, unknown>>,
    lsFormat,
  };
}
