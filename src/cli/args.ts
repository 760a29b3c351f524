import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { PyramidConfigError } from "../errors/index.js";

const NEGATIVE_NUMBER = /^-\d/;

/**
 * `--flag -5` as `--flag=-5` for string options, so that a negative number reaches the option's own check
 * ("expected a whole number >= 1, got -5") instead of node's "argument is ambiguous".
 */
function joinNegativeValues(args: readonly string[], options: ParseArgsConfig["options"]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const next = args[i + 1];
    const name = arg.startsWith("--") && !arg.includes("=") ? arg.slice(2) : undefined;
    if (name !== undefined && options?.[name]?.type === "string" && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/**
 * Parses a subcommand's arguments strictly (node's `util.parseArgs`); an unknown or malformed flag becomes a
 * {@link PyramidConfigError} that names the command and points at its `--help`.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    const args = config.args ? joinNegativeValues(config.args, config.options) : undefined;
    return parseArgs<T>(args ? { ...config, args } : config);
  } catch (error) {
    throw new PyramidConfigError(error instanceof Error ? error.message : String(error), {
      field: `pyramid-moa ${command}`,
      fix: `see \`pyramid-moa ${command} --help\``,
      cause: error,
    });
  }
}
