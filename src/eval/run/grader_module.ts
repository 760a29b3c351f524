import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { parseOptions } from "../../errors/validate.js";
import { PyramidConfigError } from "../../errors/index.js";

/** What a grader module's `grade` gets: the recorded output, the item's gold, and the item and model. */
export interface GraderModuleInput {
  readonly output: string;
  readonly gold: unknown;
  readonly id: string;
  readonly model: string;
  readonly question: string;
}

/** A user's grade function: a verdict (or `{ correct }`), possibly asynchronous. */
export type GraderModuleGrade = (
  input: GraderModuleInput,
) => boolean | { correct: boolean } | Promise<boolean | { correct: boolean }>;

const moduleSchema = z.object({
  grade: z.custom<GraderModuleGrade>((value) => typeof value === "function", {
    message: "must be a function grade({ output, gold, id, model, question }) returning a boolean or { correct }",
  }),
});

const verdictSchema = z.union([z.boolean(), z.object({ correct: z.boolean() }).transform((v) => v.correct)]);

/**
 * Loads a grader module for `pyramid-moa eval --grader <path>`: an ES module (`.js`/`.mjs`, or `.ts` under tsx)
 * exporting `grade({ output, gold, id, model, question })` that returns `true`/`false` or `{ correct }` (or a
 * promise of one). The export and every verdict are validated; errors name `--grader` and the fix.
 */
export async function loadGraderModule(path: string): Promise<(input: GraderModuleInput) => Promise<boolean>> {
  const file = resolve(path);
  if (!existsSync(file)) {
    throw new PyramidConfigError(`grader module not found: ${path}`, {
      field: "--grader",
      fix: "give ours, reference, or the path of a module exporting grade({ output, gold, id, model, question })",
    });
  }
  let loaded: unknown;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (cause) {
    throw new PyramidConfigError(
      `cannot import the grader module ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        field: "--grader",
        fix: "give an ES module (.mjs or .js in a package of type module) that imports without error",
        cause,
      },
    );
  }
  const { grade } = parseOptions(moduleSchema, loaded, "--grader");
  return async (input) => {
    const verdict = verdictSchema.safeParse(await grade(input));
    if (!verdict.success) {
      throw new PyramidConfigError(
        `the grader module's grade() returned neither a boolean nor { correct: boolean } for ${input.id} (${input.model})`,
        {
          field: "--grader",
          fix: "make grade() return true/false or { correct: true/false }",
        },
      );
    }
    return verdict.data;
  };
}
