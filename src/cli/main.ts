import { PyramidError } from "../errors/index.js";
import type { CliOptions } from "./options.js";
import { packageVersion } from "./version.js";

/** A CLI subcommand: parses its own arguments and returns the process exit code. */
export interface CliCommand {
  /** One line shown by `pyramid-moa --help`. */
  readonly summary: string;
  /** Its flags: what it parses and what its `--help` lists, from this one definition. */
  readonly options: CliOptions;
  /** Runs the command with the arguments that follow its name. */
  run(argv: readonly string[]): Promise<number>;
}

/** Subcommand names; each lives in `./commands/<name>.ts` and exports `<name>Command: CliCommand`. */
const COMMAND_NAMES = ["ask", "eval", "init", "report", "serve", "train"] as const;

async function loadCommand(name: string): Promise<CliCommand> {
  const module = (await import(`./commands/${name}.js`)) as Record<string, CliCommand>;
  return module[`${name}Command`];
}

async function usage(): Promise<string> {
  const lines = [`pyramid-moa ${packageVersion()}`, "", "Usage: pyramid-moa <command> [options]", "", "Commands:"];
  for (const name of COMMAND_NAMES) {
    try {
      lines.push(`  ${name.padEnd(7)} ${(await loadCommand(name)).summary}`);
    } catch {
      // A command whose module is not built yet is left out of the listing.
    }
  }
  lines.push(
    "",
    "Run `pyramid-moa <command> --help` for a command's options; `pyramid-moa --version` prints the version.",
  );
  return lines.join("\n");
}

/**
 * The line printed for a {@link PyramidError} of command `name`: `pyramid-moa <name>: <message>`, without a second
 * prefix when the message already starts with it (a flag error's field is `pyramid-moa <name>`).
 */
export function cliErrorLine(name: string, error: PyramidError): string {
  const prefix = `pyramid-moa ${name}`;
  return error.message.startsWith(prefix) ? error.message : `${prefix}: ${error.message}`;
}

/** Entry point of the `pyramid-moa` binary; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h") {
    console.log(await usage());
    return name ? 0 : 1;
  }
  if (name === "--version" || name === "-v") {
    console.log(packageVersion());
    return 0;
  }
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
    console.error(`Unknown command "${name}".\n\n${await usage()}`);
    return 2;
  }
  try {
    return await (await loadCommand(name)).run(rest);
  } catch (error) {
    if (error instanceof PyramidError) {
      console.error(cliErrorLine(name, error));
      return 1;
    }
    throw error;
  }
}
