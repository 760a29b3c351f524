import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { isAbsolute, resolve } from "node:path";
import type { MemberConfig } from "../schema.js";

type LlamaCppMember = Extract<MemberConfig, { provider: "llamacpp" }>;

let loaded: Promise<typeof import("../../engines/llamacpp/index.js")> | undefined;

/** Imports the llama.cpp engine lazily, so that node-llama-cpp is only needed by configs that use it. */
function llamaCppModule(): Promise<typeof import("../../engines/llamacpp/index.js")> {
  loaded ??= import("../../engines/llamacpp/index.js");
  return loaded;
}

/** Whether a `llamacpp` member was built in this process (so its engines may need disposing). */
export function llamaCppLoaded(): boolean {
  return loaded !== undefined;
}

/** Disposes every shared llama.cpp engine, if any was loaded; lets the process exit. */
export async function disposeLlamaCppEngines(): Promise<void> {
  if (!loaded) return;
  const mod = await loaded;
  await mod.LlamaCppEngine.disposeAll();
}

/**
 * A `LlamaCppChatModel` for a `llamacpp` member. `modelPath` is resolved against `baseDir` unless it is
 * absolute or a model URI; members on the same file share one loaded model (`LlamaCppEngine.shared`).
 */
export async function llamaCppModel(member: LlamaCppMember, baseDir: string): Promise<BaseChatModel> {
  const mod = await llamaCppModule();
  const modelPath =
    mod.isModelUri(member.modelPath) || isAbsolute(member.modelPath)
      ? member.modelPath
      : resolve(baseDir, member.modelPath);
  return new mod.LlamaCppChatModel({
    modelPath,
    modelName: member.model,
    ...(member.temperature !== undefined ? { temperature: member.temperature } : {}),
    ...(member.maxTokens !== undefined ? { maxTokens: member.maxTokens } : {}),
    ...(member.seed !== undefined ? { seed: member.seed } : {}),
    ...(member.contextSize !== undefined ? { contextSize: member.contextSize } : {}),
    ...(member.downloadTimeoutMs !== undefined ? { downloadTimeoutMs: member.downloadTimeoutMs } : {}),
    ...(member.threads !== undefined ? { threads: member.threads } : {}),
  });
}
