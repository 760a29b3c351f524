import type { BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { registerConfigSecrets } from "./secrets.js";
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { PyramidConfigError } from "../errors/index.js";
import { PyramidChatModel } from "../chat_models/index.js";
import type { TierInput } from "../graph/options.js";
import { PYRAMID_SETTING_KEYS } from "../graph/settings.js";
import { MEMBER_SETTING_KEYS } from "../members/member.js";
import type { ChatRunnable, MemberInput } from "../members/member.js";
import { loadRouter } from "../router/bundle.js";
import { PACKAGE_ROUTERS_DIR, shippedDeepRouters } from "../eval/deep/experiments.js";
import type { Router } from "../router/types.js";
import { configFileIssues } from "./files.js";
import { ConfigFileError, configFolder, validatePyramidConfig } from "./load.js";
import { budgetFromConfig } from "./budget.js";
import { formatPath } from "./issues.js";
import { llamaCppModel } from "./providers/llamacpp.js";
import { openAICompatibleModel } from "./providers/openai.js";
import { replayModel } from "./providers/replay.js";
import type { MemberConfig, PyramidConfig, PyramidConfigInput } from "./schema.js";

/** Options of {@link pyramidFromConfig}. */
export interface PyramidFromConfigOptions extends BaseChatModelParams {
  /**
   * Folder that relative paths in the config (modelPath, recordedFile, router) are resolved against; default: the
   * folder of the file the config was loaded from by `loadPyramidConfig`, else the current folder.
   */
  readonly baseDir?: string;
}

/** Builds the chat model of one config member. */
export async function chatModelFromMember(member: MemberConfig, field: string, baseDir: string): Promise<ChatRunnable> {
  switch (member.provider) {
    case "openai":
    case "ollama":
      return openAICompatibleModel(member, field);
    case "llamacpp":
      return llamaCppModel(member, baseDir);
    case "replay":
      return replayModel(member, field, baseDir);
  }
}

function routerAt(path: string, field: string, baseDir: string, cache: Map<string, Router>): Router {
  const full = isAbsolute(path) ? path : resolve(baseDir, path);
  if (!existsSync(full)) {
    throw new PyramidConfigError(`the router file ${full} does not exist`, {
      field,
      fix: "give the path of a router file written by `pyramid-moa train` (relative to the config file), or remove router to use vote agreement",
    });
  }
  let router = cache.get(full);
  if (!router) {
    router = loadRouter(full);
    cache.set(full, router);
  }
  return router;
}

/** The fields of `value` among `keys` that are set, so that unset ones keep the pyramid's defaults. */
function definedFields<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) picked[key] = value[key];
  return picked;
}

/**
 * Builds a {@link PyramidChatModel} from a config (as read by `loadPyramidConfig`, or an object literal,
 * which is validated here): one chat model per member (`openai`/`ollama` through ChatOpenAI with
 * log-probabilities, `llamacpp` through LlamaCppChatModel loaded lazily and shared per GGUF file,
 * `replay` through ReplayChatModel), the router files loaded, relative paths resolved against `baseDir` (default:
 * the folder of the config file `loadPyramidConfig` read, else the current folder).
 *
 * @throws PyramidConfigError naming the field, e.g. a missing API-key environment variable, a model, recorded or
 *   router file that does not exist or cannot be read.
 */
export async function pyramidFromConfig(
  config: PyramidConfig | PyramidConfigInput,
  options: PyramidFromConfigOptions = {},
): Promise<PyramidChatModel> {
  const { baseDir: givenBaseDir, ...chatParams } = options;
  const valid = validatePyramidConfig(config, "config");
  registerConfigSecrets(valid);
  const fileFolder = configFolder(config);
  const baseDir = resolve(givenBaseDir ?? fileFolder ?? process.cwd());
  const folderName =
    givenBaseDir !== undefined
      ? "baseDir"
      : fileFolder !== undefined
        ? "the config file's folder"
        : "the current folder";
  const fileIssues = configFileIssues(valid, baseDir, folderName);
  if (fileIssues.length > 0) throw new ConfigFileError("config", fileIssues);
  const routers = new Map<string, Router>();
  const tiers: TierInput[] = [];
  for (const [t, tier] of valid.tiers.entries()) {
    const models: MemberInput[] = [];
    for (const [m, member] of tier.members.entries()) {
      const field = formatPath(["tiers", t, "members", m]);
      models.push({
        ...definedFields(member, MEMBER_SETTING_KEYS),
        name: member.name ?? member.model,
        model: await chatModelFromMember(member, field, baseDir),
      });
    }
    tiers.push({
      name: tier.name,
      models,
      ...(tier.router ? { router: routerAt(tier.router, `tiers[${t}].router`, baseDir, routers) } : {}),
      ...(tier.policy !== undefined ? { policy: tier.policy } : {}),
      ...(tier.schedule !== undefined ? { schedule: tier.schedule } : {}),
      ...(tier.speculative !== undefined ? { speculative: tier.speculative } : {}),
    });
  }
  // No router anywhere, and the members are those of a shipped deep pyramid: its per-boundary routers.
  const shipped =
    valid.router || valid.tiers.some((tier) => tier.router)
      ? undefined
      : shippedDeepRouters(
          PACKAGE_ROUTERS_DIR,
          tiers.map((tier) => tier.models.map((m) => String(m.name))),
        );
  if (shipped) {
    shipped.files.forEach((file, k) => {
      tiers[k] = { ...tiers[k], router: routerAt(file, `tiers[${k}].router`, baseDir, routers) };
    });
  }
  return new PyramidChatModel({
    ...chatParams,
    ...definedFields(valid, PYRAMID_SETTING_KEYS),
    tiers,
    ...(valid.router ? { router: routerAt(valid.router, "router", baseDir, routers) } : {}),
    ...(valid.budget ? { budget: await budgetFromConfig(valid.budget) } : {}),
  });
}
