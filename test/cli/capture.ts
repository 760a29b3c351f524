import { vi } from "vitest";
import { askCommand } from "../../src/cli/commands/ask.js";
import { evalCommand } from "../../src/cli/commands/eval.js";
import { initCommand } from "../../src/cli/commands/init.js";
import { reportCommand } from "../../src/cli/commands/report.js";
import { serveCommand } from "../../src/cli/commands/serve.js";
import { trainCommand } from "../../src/cli/commands/train.js";
import { cliErrorLine, main } from "../../src/cli/main.js";
import type { CliCommand } from "../../src/cli/main.js";
import { PyramidError } from "../../src/errors/index.js";

/** The CLI's commands by name, imported statically (see {@link runCli}). */
export const COMMANDS: Readonly<Record<string, CliCommand>> = {
  ask: askCommand,
  eval: evalCommand,
  init: initCommand,
  report: reportCommand,
  serve: serveCommand,
  train: trainCommand,
};

/**
 * Runs a CLI command in-process the way `src/cli/main.ts` does (a PyramidError prints
 * `pyramid-moa <cmd>: <message>` and exits 1) and returns its exit code and what it printed. The commands are
 * imported statically here (vitest cannot follow main.ts's dynamic `./commands/<name>.js` import); flags such as
 * `--version` that no command handles go through `main` itself.
 */
export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name, ...rest] = argv;
  const out: string[] = [];
  const err: string[] = [];
  const log = vi
    .spyOn(console, "log")
    .mockImplementation((...args: unknown[]) => void out.push(args.map(String).join(" ")));
  const error = vi
    .spyOn(console, "error")
    .mockImplementation((...args: unknown[]) => void err.push(args.map(String).join(" ")));
  try {
    let code: number;
    try {
      const command = COMMANDS[name];
      code = command ? await command.run(rest) : await main(argv);
    } catch (thrown) {
      if (!(thrown instanceof PyramidError)) throw thrown;
      console.error(cliErrorLine(name, thrown));
      code = 1;
    }
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
