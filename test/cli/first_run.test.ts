import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigFileError, loadPyramidConfig, pyramidFromConfig } from "../../src/config/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { runCli } from "./capture.js";

const dir = mkdtempSync(join(tmpdir(), "pyramid-firstrun-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const gguf = join(dataDir(), "models", "stories260K.gguf");
const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")) as { version: string };

describe("pyramid-moa as a newcomer meets it", () => {
  it("prints its version", async () => {
    for (const flag of ["--version", "-v"]) {
      const { code, stdout } = await runCli([flag]);
      expect(code).toBe(0);
      expect(stdout.trim()).toBe(pkg.version);
    }
  });

  it("checks a negative number given to a flag with the flag's own message, prefixed once", async () => {
    const { code, stderr } = await runCli(["serve", "--max-body-bytes", "-5"]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'pyramid-moa serve: --max-body-bytes: expected a whole number >= 1, got "-5" Fix: see `pyramid-moa serve --help`',
    );
    const unknown = await runCli(["serve", "--nope"]);
    expect(unknown.stderr.match(/pyramid-moa serve/g)).toHaveLength(2); // the prefix, and the --help pointer
  });

  it("init --out elsewhere --model-path <relative to here> writes a path relative to the config file that loads", async () => {
    const out = join(dir, "nested", "deeper", "local.yaml");
    const fromCwd = relative(process.cwd(), gguf);
    expect((await runCli(["init", "--template", "llamacpp", "--model-path", fromCwd, "--out", out])).code).toBe(0);
    const config = loadPyramidConfig(out);
    const member = config.tiers[0].members[0] as { modelPath: string };
    expect(member.modelPath).toBe(relative(join(dir, "nested", "deeper"), gguf));
    expect(() => loadPyramidConfig(out)).not.toThrow();
  });

  it("init refuses a --model-path that does not exist, naming the flag", async () => {
    const { code, stderr } = await runCli([
      "init",
      "--template",
      "llamacpp",
      "--model-path",
      "no/such.gguf",
      "--out",
      join(dir, "x.yaml"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--model-path: .*no\/such\.gguf does not exist/);
  });
});

describe("config mistakes fail when the config is loaded, naming the field and the fix", () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const llamacpp = (modelPath: string) =>
    `tiers:\n  - name: crowd\n    members:\n      - { provider: llamacpp, model: a, modelPath: ${JSON.stringify(modelPath)} }\n  - name: oracle\n    members:\n      - { provider: llamacpp, model: b, modelPath: ${JSON.stringify(gguf)} }\n`;

  it("a missing model file: at load, with the line, the resolved path and the rule for relative paths", () => {
    const path = write("missing-model.yaml", llamacpp("models/absent.gguf"));
    const error = (() => {
      try {
        loadPyramidConfig(path);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).field).toBe("tiers[0].members[0].modelPath");
    expect((error as Error).message).toContain(`${join(dir, "models/absent.gguf")} does not exist (${path}:4:`);
    expect((error as ConfigFileError).fix).toContain("relative paths are resolved against the config file's folder");
  });

  it("the same through pyramidFromConfig (an object config) and through ask and serve, before any request", async () => {
    const error = await pyramidFromConfig(
      loadPyramidConfig(write("m.yaml", llamacpp("absent.gguf")), { checkFiles: false }),
      { baseDir: dir },
    ).catch((e: unknown) => e);
    expect((error as ConfigFileError).field).toBe("tiers[0].members[0].modelPath");
    const path = join(dir, "m.yaml");
    for (const command of ["ask", "serve"]) {
      const args = command === "ask" ? ["ask", "--config", path, "hi"] : ["serve", "--config", path, "--port", "0"];
      const { code, stderr } = await runCli(args);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `pyramid-moa ${command}: tiers[0].members[0].modelPath: the model file ${join(dir, "absent.gguf")} does not exist`,
      );
    }
  });

  it("an unknown provider and an unreadable router are refused at load", () => {
    const provider = write(
      "provider.yaml",
      llamacpp(gguf).replace("provider: llamacpp, model: a", "provider: llamacp, model: a"),
    );
    expect(() => loadPyramidConfig(provider)).toThrow(/tiers\[0\]\.members\[0\]\.provider: unknown provider "llamacp"/);
    mkdirSync(join(dir, "routers"), { recursive: true });
    writeFileSync(join(dir, "routers", "r.json"), "{ not json");
    const router = write("router.yaml", `${llamacpp(gguf)}router: routers/r.json\n`);
    expect(() => loadPyramidConfig(router)).toThrow(
      /^router: the router file .*routers\/r\.json cannot be used: .*not valid JSON/,
    );
  });
});
