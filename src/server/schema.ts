import { z } from "zod";

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const contentPart = z.union([
  textPart,
  z.looseObject({ type: z.string() }).refine(() => false, { message: "only text content parts are supported" }),
]);
const content = z.union([z.string(), z.array(contentPart)]);

const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion("role", [
  z.looseObject({ role: z.literal("system"), content, name: z.string().optional() }),
  z.looseObject({ role: z.literal("developer"), content, name: z.string().optional() }),
  z.looseObject({ role: z.literal("user"), content, name: z.string().optional() }),
  z.looseObject({
    role: z.literal("assistant"),
    content: content.nullable().optional(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
  }),
  z.looseObject({ role: z.literal("tool"), content, tool_call_id: z.string().min(1) }),
]);

const functionTool = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, underscores or dashes"),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

/**
 * zod schema of a `POST /v1/chat/completions` body. `response_format` (`text`, `json_object`, `json_schema`) is
 * answered through the pyramid's structured output. `stop` is passed to every member call (as LangChain's `stop`
 * call option); other sampling fields (`temperature`, `max_tokens`, ...) are accepted and ignored: each member's
 * sampling is set in the pyramid's config. `deadline_ms` (or the `x-pyramid-deadline-ms` header) bounds the request's time.
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, "is required"),
  messages: z.array(message).min(1, "needs at least one message"),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  tools: z.array(functionTool).optional(),
  tool_choice: toolChoice.optional(),
  response_format: responseFormat.nullable().optional(),
  n: z.number().int().min(1).max(1, "only n = 1 is supported").nullable().optional(),
  stop: z
    .preprocess(
      (value) => (typeof value === "string" ? [value] : value),
      z.array(z.string().min(1, "must be a non-empty stop sequence")).max(4, "at most 4 stop sequences"),
    )
    .nullable()
    .optional(),
  /**
   * pyramid-moa extension: answer within this many milliseconds (the chat model's `deadlineMs`): the best answer held
   * then is returned with `deadline: true` in the trace.
   */
  deadline_ms: z.number().positive("must be a positive number of milliseconds").nullable().optional(),
});

/** A validated chat completions request. */
export type ChatCompletionRequest = z.output<typeof chatCompletionRequestSchema>;
/** One message of a chat completions request. */
export type ChatCompletionRequestMessage = ChatCompletionRequest["messages"][number];
