import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { PyramidConfigError } from "../errors/index.js";

/**
 * Parses a subcommand's arguments strictly (node's `util.parseArgs`); an unknown or malformed flag becomes a
 * {@link PyramidConfigError} that names the command and points at its `--help`.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new PyramidConfigError(error instanceof Error ? error.message : String(error), {
      field: `pyramid-moa ${command}`,
      fix: `see \`pyramid-moa ${command} --help\``,
      cause: error,
    });
  }
}
