import { statSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { PyramidError } from "../errors/index.js";
import { loadRouter } from "../router/bundle.js";
import { formatPath } from "./issues.js";
import type { ConfigIssue } from "./issues.js";
import { defaultRecordedFile } from "./providers/replay.js";
import type { PyramidConfig } from "./schema.js";

/** A model URI such as `hf:user/repo/file.gguf` (downloaded when first used, so not checked here). */
const MODEL_URI = /^[a-z][a-z0-9+.-]+:(?![\\/])/i;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function issue(segments: readonly (string | number)[], message: string, fix: string): ConfigIssue {
  return { path: formatPath(segments), segments, message, fix };
}

/**
 * The files a config names, checked where they are used: every `llamacpp` member's `modelPath` (unless a model URI),
 * every `replay` member's recorded file, and every router file (read and parsed). Relative paths are resolved
 * against `baseDir` (the config file's folder; `folderName` says which folder it is in messages), as when the pyramid is built. Returns one issue per problem, naming
 * the field, the resolved path and the fix, so that a bad path fails when the config is loaded, not at the first
 * request.
 */
export function configFileIssues(
  config: PyramidConfig,
  baseDir: string,
  folderName = "the config file's folder",
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const full = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const relativeNote = `relative paths are resolved against ${folderName}, ${baseDir}`;
  const routers = new Map<string, string | undefined>();
  const checkRouter = (path: string, segments: readonly (string | number)[]) => {
    const file = full(path);
    if (!routers.has(file)) {
      let problem: string | undefined;
      if (!isFile(file)) problem = `the router file ${file} does not exist`;
      else {
        try {
          loadRouter(file);
        } catch (error) {
          problem = `the router file ${file} cannot be used: ${error instanceof PyramidError || error instanceof Error ? error.message : String(error)}`;
        }
      }
      routers.set(file, problem);
    }
    const problem = routers.get(file);
    if (problem) {
      issues.push(
        issue(
          segments,
          problem,
          `give a router file written by \`pyramid-moa train\` (${relativeNote}), or remove the field to route by vote agreement`,
        ),
      );
    }
  };
  config.tiers.forEach((tier, t) => {
    tier.members.forEach((member, m) => {
      if (member.provider === "llamacpp" && !MODEL_URI.test(member.modelPath)) {
        const file = full(member.modelPath);
        if (!isFile(file)) {
          issues.push(
            issue(
              ["tiers", t, "members", m, "modelPath"],
              `the model file ${file} does not exist`,
              `give the path of a GGUF file (${relativeNote}), or an hf: model URI`,
            ),
          );
        }
      }
      if (member.provider === "replay") {
        const file = member.recordedFile ? full(member.recordedFile) : defaultRecordedFile();
        if (!isFile(file)) {
          issues.push(
            issue(
              ["tiers", t, "members", m, member.recordedFile ? "recordedFile" : "provider"],
              `the recorded file ${file} does not exist`,
              member.recordedFile
                ? `give the path of a recorded JSONL file (${relativeNote})`
                : "set PYRAMID_DATA_DIR to the shared data folder, or give recordedFile",
            ),
          );
        }
      }
    });
    if (tier.router) checkRouter(tier.router, ["tiers", t, "router"]);
  });
  if (config.router) checkRouter(config.router, ["router"]);
  return issues;
}
