import { dirname, isAbsolute, resolve } from "node:path";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { defaultRecordedFile } from "../../config/providers/replay.js";
import type { PyramidConfig } from "../../config/schema.js";
import { PyramidConfigError } from "../../errors/index.js";
import { RecordedOutputs } from "../../replay/index.js";

/**
 * The messages of the recorded item `id` (e.g. `gsm8k/test/0`), from the recorded files of the config's `replay`
 * members (relative to the config file `path`; the default recorded file when a member gives none).
 *
 * @throws PyramidConfigError (field `--recorded`) when the config has no replay member or no file records `id`.
 */
export function recordedPrompt(config: PyramidConfig, path: string, id: string): BaseMessage[] {
  const files = new Set<string>();
  for (const tier of config.tiers) {
    for (const member of tier.members) {
      if (member.provider !== "replay") continue;
      const given = member.recordedFile;
      files.add(given ? (isAbsolute(given) ? given : resolve(dirname(path), given)) : defaultRecordedFile());
    }
  }
  if (files.size === 0) {
    throw new PyramidConfigError("the config has no replay member, so there is no recorded question to ask", {
      field: "--recorded",
      fix: 'ask a question of your own: pyramid-moa ask "What is 17 * 23?"',
    });
  }
  for (const file of files) {
    const line = RecordedOutputs.load(file).lines.find((candidate) => candidate.id === id);
    if (!line) continue;
    return line.messages.map((message) =>
      message.role === "system"
        ? new SystemMessage(message.content)
        : message.role === "assistant"
          ? new AIMessage(message.content)
          : new HumanMessage(message.content),
    );
  }
  throw new PyramidConfigError(`no recorded item has the id "${id}" in ${[...files].join(", ")}`, {
    field: "--recorded",
    fix: "give the id field of a line of that file, e.g. gsm8k/test/0",
  });
}
