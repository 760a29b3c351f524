import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { PyramidConfigError } from "../../errors/index.js";
import { abortReason, withDeadline } from "../../members/abort.js";
import { probeModelServer } from "./model_server_probe.js";
import { loadNodeLlamaCpp } from "./runtime.js";
import { validate } from "../../errors/validate.js";

/** Default {@link ResolveModelSourceOptions.timeoutMs}: 30 s for a model URI's server to answer. */
export const DEFAULT_MODEL_SOURCE_TIMEOUT_MS = 30_000;

/** Whether `modelPath` is a remote model URI (`hf:...`, `huggingface:...`, `http(s)://...`) rather than a file path. */
export function isModelUri(modelPath: string): boolean {
  return /^(hf:|huggingface:|https?:\/\/)/i.test(modelPath);
}

/** Options of `resolveModelSource`. */
export interface ResolveModelSourceOptions {
  /** Folder to download model URIs into and resolve them from (default: node-llama-cpp's models folder). */
  cacheDir?: string;
  /** Cancels the resolution and the download: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * How long a model URI's server may take to accept the connection and answer a first request (a HEAD) before
   * the download starts; a dead or silent server then fails with a `PyramidError` instead of node-llama-cpp
   * retrying it for minutes. The download itself is not limited: cancel it with `signal`. Default 30 s.
   */
  timeoutMs?: number;
  /** Download progress callback. */
  onProgress?: (status: { totalSize: number; downloadedSize: number }) => void;
}

const optionsSchema = z.object({
  cacheDir: z.string().min(1).optional(),
  signal: z.instanceof(AbortSignal).optional(),
  timeoutMs: z.number().int().positive().optional(),
  onProgress: z.function().optional(),
});

function checkOptions(options: ResolveModelSourceOptions): void {
  validate(optionsSchema, options, {
    field: "resolveModelSource",
    fix: "cacheDir is a folder path, timeoutMs a whole number of milliseconds > 0, signal an AbortSignal.",
  });
}

/**
 * The local GGUF file for `modelPath`: a file path is checked and made absolute; a model URI is
 * resolved with node-llama-cpp's `resolveModelFile`: from `cacheDir` when an `hf:` model is already there
 * (no network), else downloaded there once its server has answered within `timeoutMs`.
 */
export async function resolveModelSource(modelPath: string, options: ResolveModelSourceOptions = {}): Promise<string> {
  checkOptions(options);
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
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal);
  const { resolveModelFile } = await loadNodeLlamaCpp();
  try {
    return await resolveModelFile(modelPath, { directory: options.cacheDir, cli: false, download: false });
  } catch {
    // Not in the cache yet (or a plain URL, which node-llama-cpp always checks against its server).
  }
  await probeModelServer(modelPath, "modelPath", options.timeoutMs ?? DEFAULT_MODEL_SOURCE_TIMEOUT_MS, signal);
  try {
    // node-llama-cpp only listens to the signal once the transfer starts: the race ends the wait before that too.
    return await withDeadline(
      (cancel) =>
        resolveModelFile(modelPath, {
          directory: options.cacheDir,
          cli: false,
          download: "auto",
          signal: cancel,
          onProgress: options.onProgress,
        }),
      undefined,
      signal,
      `downloading ${modelPath}`,
    );
  } catch (cause) {
    if (signal?.aborted) throw abortReason(signal);
    throw new PyramidConfigError(`could not resolve or download the model "${modelPath}"`, {
      field: "modelPath",
      fix: "Check the URI and your network access, or download the GGUF file yourself and give its path.",
      cause,
    });
  }
}
