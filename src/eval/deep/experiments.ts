import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AnswerTask } from "../../answers/types.js";

/** A built-in deep pyramid over the recorded outputs. */
export interface DeepExperiment {
  /** Model names per tier, cheapest first. */
  readonly tiers: readonly (readonly string[])[];
  /** Tier names. */
  readonly tierNames: readonly string[];
  /** Recorded files under `<data>/recorded/` (a model's outputs may come from any of them). */
  readonly recorded: readonly string[];
  readonly task: AnswerTask;
}

const LLAMA_CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"] as const;
const GSM8K_DEEP_TIERS = [LLAMA_CROWD, ["Meta-Llama-3.1-70B-Instruct"], ["Meta-Llama-3.1-405B-Instruct"]] as const;

/**
 * The built-in deep pyramids (`pyramid-moa eval --tiers deep`): crowd Llama-3.1-8B, gemma-2-9b, Qwen2-7B; middle
 * Llama-3.1-70B; apex Llama-3.1-405B, on GSM8K and on MATH level 5 (priced by parameter count).
 */
export const DEEP_EXPERIMENTS: Readonly<Record<string, DeepExperiment>> = {
  gsm8k: {
    tiers: GSM8K_DEEP_TIERS,
    tierNames: ["crowd", "70B", "405B"],
    recorded: ["gsm8k.jsonl", "gsm8k-405b.jsonl"],
    task: "math",
  },
  math: {
    tiers: GSM8K_DEEP_TIERS,
    tierNames: ["crowd", "70B", "405B"],
    recorded: ["math-l5.jsonl", "math-l5-405b.jsonl"],
    task: "math-latex",
  },
};

/**
 * The shipped per-boundary routers (`routers/deep/<name>/boundary-<k>.json`), trained on every development item of
 * GSM8K, by the member names of their tiers.
 */
export const SHIPPED_DEEP_ROUTERS: readonly {
  readonly name: string;
  readonly tiers: readonly (readonly string[])[];
}[] = [{ name: "gsm8k-llama8b-gemma9b-qwen7b_llama70b_llama405b", tiers: GSM8K_DEEP_TIERS }];

/** The shipped routers' files for these tiers (one per boundary), when the members match and the files exist. */
export function shippedDeepRouters(
  routersDir: string,
  tiers: readonly (readonly string[])[],
): { name: string; files: string[] } | undefined {
  const key = JSON.stringify(tiers);
  const match = SHIPPED_DEEP_ROUTERS.find((shipped) => JSON.stringify(shipped.tiers) === key);
  if (!match) return undefined;
  const files = tiers.slice(0, -1).map((_, k) => join(routersDir, "deep", match.name, `boundary-${k}.json`));
  return files.every((file) => existsSync(file)) ? { name: match.name, files } : undefined;
}

/** The folder of the routers shipped with the package (`routers/` at the package root). */
export const PACKAGE_ROUTERS_DIR = fileURLToPath(new URL("../../../routers/", import.meta.url));
