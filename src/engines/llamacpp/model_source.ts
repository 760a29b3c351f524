import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { PyramidConfigError } from "../../errors/index.js";
import { loadNodeLlamaCpp } from "./runtime.js";

/** Whether `modelPath` is a remote model URI (`hf:...`, `huggingface:...`, `http(s)://...`) rather than a file path. */
export function isModelUri(modelPath: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(modelPath);
}

/** Options of `resolveModelSource`. */
export interface ResolveModelSourceOptions {
  /** Folder to download model URIs into and resolve them from (default: node-llama-cpp's models folder). */
  cacheDir?: string;
  /** Cancels a download. */
  signal?: AbortSignal;
  /** Download progress callback. */
  onProgress?: (status: { totalSize: number; downloadedSize: number }) => void;
}

/**
 * The local GGUF file for `modelPath`: a file path is checked and made absolute; a model URI is
 * resolved with node-llama-cpp's `resolveModelFile` (downloaded into `cacheDir` when not there yet).
 */
export async function resolveModelSource(modelPath: string, options: ResolveModelSourceOptions = {}): Promise<string> {
  if (!isModelUri(modelPath)) {
    const absolute = resolve(modelPath);
    if (!existsSync(absolute) || !statSync(absolute).isFile()) {
      throw new PyramidConfigError(`no GGUF file at "${absolute}"`, {
        field: "modelPath",
        fix: "Give the path of an existing .gguf file, or a model URI such as hf:<user>/<repo>:<quant>.",
      });
    }
    return absolute;
  }
  const { resolveModelFile } = await loadNodeLlamaCpp();
  try {
    return await resolveModelFile(modelPath, {
      directory: options.cacheDir,
      cli: false,
      download: "auto",
      signal: options.signal,
      onProgress: options.onProgress,
    });
  } catch (cause) {
    throw new PyramidConfigError(`could not resolve or download the model "${modelPath}"`, {
      field: "modelPath",
      fix: "Check the URI and your network access, or download the GGUF file yourself and give its path.",
      cause,
    });
  }
}
