/**
 * `pyramid-moa/llamacpp`: GGUF models run in-process by llama.cpp (the optional peer `node-llama-cpp` 3.x). A separate
 * entry so that the root entry, and its type declarations, work without node-llama-cpp installed.
 *
 * @example
 * ```ts
 * import { LlamaCppChatModel } from "pyramid-moa/llamacpp";
 * const member = new LlamaCppChatModel({ modelPath: "models/qwen2.5-1.5b-instruct-q4_k_m.gguf", threads: 1 });
 * ```
 */
export { LlamaCppChatModel, LlamaCppEngine } from "./engines/llamacpp/index.js";
export type { LlamaCppChatModelFields, LlamaCppChatModelCallOptions } from "./engines/llamacpp/index.js";
export { llamaCppChatModelSchema, isModelUri } from "./engines/llamacpp/index.js";
