import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import {
  EXAMPLE_CONFIG_JSON,
  EXAMPLE_CONFIG_YAML,
  INIT_TEMPLATES,
  llamaCppExampleYaml,
  replayExampleYaml,
} from "../../config/example.js";
import type { InitTemplate } from "../../config/example.js";
import { PyramidConfigError } from "../../errors/index.js";
import { parseCommandArgs } from "../args.js";
import { pathForConfig } from "../config_paths.js";
import { type CliOptions, optionsHelp } from "../options.js";
import type { CliCommand } from "../main.js";

/** The flags of `init`: parsed by `parseArgs` and listed by `--help` from this one definition. */
const OPTIONS = {
  out: { type: "string", value: "<file>", help: "file to write (default pyramid.config.yaml)" },
  force: { type: "boolean", help: "overwrite an existing file" },
  template: { type: "string", value: "<name>", help: `${INIT_TEMPLATES.join(", ")} (default ollama)` },
  "model-path": {
    type: "string",
    value: "<gguf>",
    help: "llamacpp: the crowd's GGUF file (default models/crowd.gguf)",
  },
  "oracle-path": { type: "string", value: "<gguf>", help: "llamacpp: the Oracle's GGUF file (default: the crowd's)" },
  router: { type: "string", value: "<file>", help: "replay: a router file to route with at its balanced preset" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies CliOptions;

const USAGE = `Usage: pyramid-moa init [--out pyramid.config.yaml] [--force] [--template ${INIT_TEMPLATES.join("|")}]

Writes an example pyramid config with every field explained in comments (YAML). A --out ending in
.json writes the ollama template as JSON (JSON cannot hold comments).

Templates:
  ollama     a crowd of three Ollama models and an OpenAI Oracle (default)
  llamacpp   fully local: three samplings of one GGUF model (--model-path) and a GGUF Oracle (--oracle-path)
  replay     offline: the paper's crowd and Oracle replayed from the recorded GSM8K outputs (--router optional)

Paths given here are relative to the current folder; they are written relative to the config file's
folder (which is what relative paths in a config file are resolved against), so --out may be anywhere.

${optionsHelp(OPTIONS, 20)}`;

function templateText(
  template: InitTemplate,
  values: { "model-path"?: string; "oracle-path"?: string; router?: string },
  out: string,
): string {
  // Paths typed on the command line are relative to the current folder; the config's are relative to its own folder.
  const given = (flag: "model-path" | "oracle-path" | "router") => {
    const value = values[flag];
    return value === undefined ? undefined : pathForConfig(value, out, `--${flag}`);
  };
  if (template === "llamacpp") {
    const modelPath = given("model-path") ?? "models/crowd.gguf";
    return llamaCppExampleYaml(modelPath, given("oracle-path") ?? modelPath);
  }
  if (template === "replay") return replayExampleYaml(given("router"));
  return EXAMPLE_CONFIG_YAML;
}

/** `pyramid-moa init`: writes a commented example config file. */
export const initCommand: CliCommand = {
  summary: "write a commented example pyramid.config.yaml",
  options: OPTIONS,
  async run(argv) {
    const { values } = parseCommandArgs("init", {
      args: [...argv],
      options: OPTIONS,
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const template = (values.template ?? "ollama") as InitTemplate;
    if (!INIT_TEMPLATES.includes(template)) {
      throw new PyramidConfigError(`unknown template "${values.template}"`, {
        field: "--template",
        fix: `use one of ${INIT_TEMPLATES.join(", ")}`,
      });
    }
    const out = resolve(values.out ?? "pyramid.config.yaml");
    const json = extname(out).toLowerCase() === ".json";
    if (json && template !== "ollama") {
      throw new PyramidConfigError(`the ${template} template is written as YAML only`, {
        field: "--out",
        fix: "use a .yaml --out",
      });
    }
    if (existsSync(out) && !values.force) {
      throw new PyramidConfigError(`${out} already exists`, {
        field: "--out",
        fix: "pass --force to overwrite it, or --out <another file>",
      });
    }
    const text = json ? EXAMPLE_CONFIG_JSON : templateText(template, values, out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    const config = values.out ? ` --config ${values.out}` : "";
    // Replayed models answer only the prompts they were recorded on: suggest one by its id.
    const ask =
      template === "replay"
        ? `pyramid-moa ask --recorded gsm8k/test/0${config}`
        : `pyramid-moa ask "What is 17 * 23?"${config}`;
    console.log(`Wrote ${out}. Edit it, then run: ${ask}`);
    return 0;
  },
};
