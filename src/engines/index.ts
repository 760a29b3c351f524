export {
  extractTokenLogprobs,
  extractTokenLogprobEntries,
  type ChatLogprobs,
  type TokenLogprob,
  type TopLogprob,
} from "./logprobs.js";
export * from "./llamacpp/index.js";
export * from "./openai/index.js";
