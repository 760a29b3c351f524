import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXAMPLE_CONFIG_JSON, EXAMPLE_CONFIG_YAML } from "../../config/example.js";
import { PyramidConfigError } from "../../errors/index.js";
import type { CliCommand } from "../main.js";

const USAGE = `Usage: pyramid-moa init [--out pyramid.config.yaml] [--force]

Writes an example pyramid config: a crowd of three Ollama models and an OpenAI Oracle, with every
field explained in comments (YAML). A --out ending in .json writes the same config as JSON (no comments).

Options:
  --out <file>   file to write (default pyramid.config.yaml)
  --force        overwrite an existing file
  -h, --help     show this help`;

/** `pyramid-moa init`: writes a commented example config file. */
export const initCommand: CliCommand = {
  summary: "write a commented example pyramid.config.yaml",
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: [...argv],
        options: { out: { type: "string" }, force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
        strict: true,
      }));
    } catch (error) {
      throw new PyramidConfigError((error as Error).message, { field: "pyramid-moa init", fix: "see `pyramid-moa init --help`", cause: error });
    }
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const out = resolve(values.out ?? "pyramid.config.yaml");
    if (existsSync(out) && !values.force) {
      throw new PyramidConfigError(`${out} already exists`, {
        field: "--out",
        fix: "pass --force to overwrite it, or --out <another file>",
      });
    }
    const json = extname(out).toLowerCase() === ".json";
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, json ? EXAMPLE_CONFIG_JSON : EXAMPLE_CONFIG_YAML);
    console.log(`Wrote ${out}. Edit it, then run: pyramid-moa ask "What is 17 * 23?"${values.out ? ` --config ${values.out}` : ""}`);
    return 0;
  },
};
