import { describe, expect, it } from "vitest";
import { type CliOptions, optionsHelp } from "../../src/cli/options.js";
import { COMMANDS, runCli } from "./capture.js";

// A command's flags are defined once (type, alias, placeholder, description): parseArgs reads the definition and
// `--help` is generated from it, so a flag cannot be accepted without being listed, or listed without being parsed.

describe("command-line flags defined once", () => {
  it("lists each flag with its placeholder and alias, aligned, long flags on their own line", () => {
    const options = {
      out: { type: "string", value: "<dir>", help: "output folder" },
      "allow-router-member-mismatch": { type: "boolean", help: "use the router anyway" },
      seed: { type: "string", value: "<n>", help: "seed of the split\nand of the random baseline" },
      help: { type: "boolean", short: "h", help: "show this help" },
    } as const satisfies CliOptions;
    expect(optionsHelp(options, 12).split("\n")).toEqual([
      "Options:",
      "  --out <dir>   output folder",
      "  --allow-router-member-mismatch",
      "                use the router anyway",
      "  --seed <n>    seed of the split",
      "                and of the random baseline",
      "  -h, --help    show this help",
    ]);
  });

  it("ask's --help lists exactly the flags its parser takes", async () => {
    const help = await runCli(["ask", "--help"]);
    expect(help.code).toBe(0);
    const listed = [...help.stdout.matchAll(/^ {2}(?:-\w, )?--([\w-]+)/gm)].map((match) => match[1]);
    expect(listed).toEqual(["config", "recorded", "json", "help"]);
    const refused = await runCli(["ask", "--jsn", "What is 2 + 2?"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--jsn[\s\S]*pyramid-moa ask --help/);
  });
});

/** The flags a help text lists (`  --name <value>` or `  -h, --help` at the start of a line), in order. */
function listedFlags(help: string): { name: string; takesValue: boolean; short?: string }[] {
  return [...help.matchAll(/^ {2}(?:-(\w), )?--([\w-]+)( <[^>]+>)?/gm)].map((match) => ({
    name: match[2],
    takesValue: match[3] !== undefined,
    ...(match[1] ? { short: match[1] } : {}),
  }));
}

describe("every command's --help lists exactly the flags its parser takes", () => {
  for (const [command, definition] of Object.entries(COMMANDS)) {
    it(`pyramid-moa ${command}`, async () => {
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      const flags = listedFlags(help.stdout);
      // Listed = defined: every definition is in the help, in order, with a placeholder exactly when it takes a value.
      expect(flags.map((flag) => flag.name)).toEqual(Object.keys(definition.options));
      for (const flag of flags) {
        const option = definition.options[flag.name];
        expect({ flag: flag.name, takesValue: flag.takesValue, short: flag.short }).toEqual({
          flag: flag.name,
          takesValue: option.type === "string",
          short: option.short,
        });
      }
      // Defined = parsed: each listed flag is accepted by the command's parser.
      const refused: string[] = [];
      for (const flag of flags) {
        // --help first: the command prints its help and returns 0 once parseArgs accepted every flag.
        const run = await runCli([command, "--help", `--${flag.name}`, ...(flag.takesValue ? ["1"] : [])]);
        if (run.code !== 0) refused.push(`--${flag.name}: ${run.stderr}`);
      }
      expect(refused).toEqual([]);
      const unknown = await runCli([command, "--help", "--no-such-flag"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain(`pyramid-moa ${command} --help`);
    });
  }
});
