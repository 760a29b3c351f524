export { createOpenAICompatibleChatModel } from "./chat_openai.js";
export { openAICompatibleSchema, type OpenAICompatibleOptions } from "./options.js";
export {
  extractTokenLogprobs,
  extractTokenLogprobEntries,
  type ChatLogprobs,
  type TokenLogprob,
  type TopLogprob,
} from "../../core/logprobs.js";
