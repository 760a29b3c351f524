export {
  extractTokenLogprobs,
  extractTokenLogprobEntries,
  type ChatLogprobs,
  type TokenLogprob,
  type TopLogprob,
} from "../core/logprobs.js";
export * from "./llamacpp/index.js";
export * from "./openai/index.js";
