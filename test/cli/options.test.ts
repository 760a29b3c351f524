import { describe, expect, it } from "vitest";
import { type CliOptions, optionsHelp } from "../../src/cli/options.js";
import { runCli } from "./capture.js";

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

describe("every command's --help lists only flags its parser takes", () => {
  for (const command of ["ask", "eval", "init", "report", "serve", "train"]) {
    it(`pyramid-moa ${command}`, async () => {
      const help = await runCli([command, "--help"]);
      expect(help.code).toBe(0);
      const flags = [...help.stdout.matchAll(/^ {2}(?:-\w, )?--([\w-]+)( <[^>]+>)?/gm)].map((match) => ({
        name: match[1],
        takesValue: match[2] !== undefined,
      }));
      expect(flags.length).toBeGreaterThan(1);
      const refused: string[] = [];
      for (const flag of flags) {
        // --help first: the command prints its help and returns 0 once parseArgs accepted every flag.
        const run = await runCli([command, "--help", `--${flag.name}`, ...(flag.takesValue ? ["1"] : [])]);
        if (run.code !== 0) refused.push(`--${flag.name}: ${run.stderr}`);
      }
      expect(refused).toEqual([]);
      expect((await runCli([command, "--help", "--no-such-flag"])).code).toBe(1);
    });
  }
});
