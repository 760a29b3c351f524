export { LlamaCppChatModel, type LlamaCppChatModelFields, type LlamaCppChatModelCallOptions } from "./chat_model.js";
export { LlamaCppEngine, type LlamaCppEngineOptions, type SequenceLease, type SequenceRequest } from "./engine.js";
export {
  defaultLlamaCppContextThreads,
  LLAMACPP_DEFAULTS,
  llamaCppChatModelSchema,
  llamaCppSamplingSchema,
  type LlamaCppSamplingOptions,
} from "./options.js";
export { isModelUri, resolveModelSource, type ResolveModelSourceOptions } from "./model_source.js";
export { disposeLlamaRuntime, loadNodeLlamaCpp } from "./runtime.js";
