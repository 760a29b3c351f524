export { createOpenAICompatibleChatModel } from "./chat_openai.js";
export { openAICompatibleSchema, type OpenAICompatibleOptions } from "./options.js";
