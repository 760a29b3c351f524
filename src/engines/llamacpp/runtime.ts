import type { Llama } from "node-llama-cpp";
import { MissingDependencyError } from "../../errors/index.js";

/** The `node-llama-cpp` module, loaded on first use (it is an optional dependency). */
export type NodeLlamaCppModule = typeof import("node-llama-cpp");

let modulePromise: Promise<NodeLlamaCppModule> | undefined;
let llamaPromise: Promise<Llama> | undefined;

/**
 * Imports `node-llama-cpp`, or throws `MissingDependencyError` saying how to install it.
 */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCppModule> {
  modulePromise ??= import("node-llama-cpp").catch((cause: unknown) => {
    modulePromise = undefined;
    throw new MissingDependencyError("the llamacpp engine needs the node-llama-cpp package (3.x)", {
      fix: "Install it next to pyramid-moa: npm install node-llama-cpp",
      cause,
    });
  });
  return modulePromise;
}

/**
 * The process-wide llama.cpp runtime (one per process, shared by every engine). Uses a prebuilt
 * binary and never compiles llama.cpp from source.
 */
export function getLlamaRuntime(): Promise<Llama> {
  llamaPromise ??= loadNodeLlamaCpp()
    .then((mod) => mod.getLlama({ build: "never", logLevel: mod.LlamaLogLevel.error }))
    .catch((cause: unknown) => {
      llamaPromise = undefined;
      if (cause instanceof MissingDependencyError) throw cause;
      throw new MissingDependencyError("no usable llama.cpp binary was found for this machine", {
        fix: "Reinstall node-llama-cpp so its prebuilt binary for your platform is downloaded, or build one with `npx --no node-llama-cpp source download`.",
        cause,
      });
    });
  return llamaPromise;
}

/** Disposes the shared llama.cpp runtime (after every engine is disposed); a later call reloads it. */
export async function disposeLlamaRuntime(): Promise<void> {
  const pending = llamaPromise;
  llamaPromise = undefined;
  if (pending === undefined) return;
  const llama = await pending.catch(() => undefined);
  if (llama !== undefined && !llama.disposed) await llama.dispose();
}
