import { isAbsolute, join, resolve } from "node:path";
import { existsSync } from "node:fs";
import { PyramidConfigError } from "../../errors/index.js";
import { dataDir } from "../../eval/data_dir.js";
import { RecordedOutputs, type ReplayChatModel } from "../../replay/index.js";
import type { MemberConfig } from "../schema.js";

type ReplayMember = Extract<MemberConfig, { provider: "replay" }>;

/** The recorded file used by `replay` members that give none: `<dataDir()>/recorded/gsm8k.jsonl`. */
export function defaultRecordedFile(): string {
  return join(dataDir(), "recorded", "gsm8k.jsonl");
}

/**
 * A `ReplayChatModel` for a `replay` member: answers with what `model` answered in the recorded file
 * (loaded once per process and shared by every member on it).
 */
export function replayModel(member: ReplayMember, field: string, baseDir: string): ReplayChatModel {
  const file = member.recordedFile
    ? isAbsolute(member.recordedFile)
      ? member.recordedFile
      : resolve(baseDir, member.recordedFile)
    : defaultRecordedFile();
  if (!existsSync(file)) {
    throw new PyramidConfigError(`the recorded file ${file} does not exist`, {
      field: `${field}.recordedFile`,
      fix: member.recordedFile
        ? "give the path of a recorded JSONL file, relative to the config file"
        : "set PYRAMID_DATA_DIR to the shared data folder, or give recordedFile",
    });
  }
  const store = RecordedOutputs.load(file);
  if (!store.models.includes(member.model)) {
    throw new PyramidConfigError(`the model "${member.model}" is not recorded in ${file}`, {
      field: `${field}.model`,
      fix: `use one of ${store.models.map((m) => `"${m}"`).join(", ")}`,
    });
  }
  return store.model(member.model);
}
