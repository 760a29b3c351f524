import { AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { RunnableLambda } from "@langchain/core/runnables";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { PyramidChatModel } from "../chat_models/index.js";
import { ModelCallError } from "../errors/index.js";
import { HttpError } from "./errors.js";
import type { ChatCompletionRequest } from "./schema.js";

/** The runnable type the routes answer with (the pyramid, or a copy of it). */
type Answering = RunnableLambda<BaseMessage[], AIMessageChunk>;

/** What withStructuredOutput(..., { includeRaw: true }) returns. */
interface RawAndParsed {
  raw: BaseMessage;
  parsed: unknown;
}

/** `json_object` asks for any JSON object: the schema the members are told and the crowd votes on. */
const ANY_OBJECT = { type: "object", title: "json_object", additionalProperties: true };

/**
 * The request's `response_format` as the pyramid's structured output: `json_object` is `withStructuredOutput` with
 * method `jsonMode`, `json_schema` with method `jsonSchema` and the request's schema, name and `strict`; the crowd
 * votes on the members' objects and the answer's content is the chosen object as JSON text. Undefined for no
 * `response_format` or `{ type: "text" }`.
 *
 * @throws HttpError 400 (param `response_format`) with `tools`: a tool call and a JSON answer cannot both be forced.
 */
export function structuredRunnableFor(model: PyramidChatModel, request: ChatCompletionRequest): Answering | undefined {
  const format = request.response_format;
  if (!format || format.type === "text") return undefined;
  if ((request.tools ?? []).length > 0 && request.tool_choice !== "none") {
    throw new HttpError(400, "response_format json_object/json_schema cannot be combined with tools", {
      param: "response_format",
      code: "invalid_value",
    });
  }
  const structured =
    format.type === "json_object"
      ? model.withStructuredOutput(ANY_OBJECT, { method: "jsonMode", name: "json_object", includeRaw: true })
      : model.withStructuredOutput(format.json_schema.schema ?? { type: "object" }, {
          method: "jsonSchema",
          name: format.json_schema.name,
          includeRaw: true,
          ...(typeof format.json_schema.strict === "boolean" ? { strict: format.json_schema.strict } : {}),
        });
  const stop = request.stop && request.stop.length > 0 ? request.stop : undefined;
  return RunnableLambda.from(async (messages: BaseMessage[], config?: RunnableConfig) => {
    const { raw, parsed } = (await structured.invoke(messages, {
      ...config,
      ...(stop ? { stop } : {}),
    } as RunnableConfig)) as unknown as RawAndParsed;
    if (parsed === null || parsed === undefined || typeof parsed !== "object") {
      throw new ModelCallError("pyramid", `no answer was a JSON object matching response_format ${format.type}`, {
        fix: "retry the request, or relax the schema",
      });
    }
    const source = raw as AIMessageChunk;
    return new AIMessageChunk({
      content: JSON.stringify(parsed),
      usage_metadata: source.usage_metadata,
      response_metadata: source.response_metadata,
    });
  });
}
