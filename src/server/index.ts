export { createPyramidServer, DEFAULT_MAX_BODY_BYTES, type PyramidServerOptions } from "./server.js";
export type { PyramidServer } from "./lifecycle.js";
export { chatCompletionRequestSchema, type ChatCompletionRequest, type ChatCompletionRequestMessage } from "./schema.js";
export { toChatCompletion, type ChatCompletion, type CompletionUsage, type CompletionToolCall } from "./format.js";
export { toLangChainMessages } from "./messages.js";
export { HttpError, toHttpError } from "./errors.js";
