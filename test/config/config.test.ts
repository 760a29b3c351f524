import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigFileError,
  EXAMPLE_CONFIG_JSON,
  EXAMPLE_CONFIG_YAML,
  findPyramidConfig,
  loadPyramidConfig,
  parsePyramidConfig,
  pyramidFromConfig,
  disposeLlamaCppEngines,
} from "../../src/config/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { PyramidConfigError, PyramidChatModel } from "../../src/index.js";
import { thrownBy } from "../helpers/thrown.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-config-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const GOOD_YAML = `
tiers:
  - name: crowd
    members:
      - provider: openai
        model: small-a
        baseURL: http://127.0.0.1:9/v1
      - { provider: ollama, model: "llama3.1:8b", timeoutMs: 5000, retries: 2, maxConcurrency: 1 }
      - { provider: openai, model: small-a, name: small-a-hot, baseURL: "http://127.0.0.1:9/v1", temperature: 1 }
  - name: oracle
    members:
      - { provider: openai, model: big-70b, baseURL: "http://127.0.0.1:9/v1", price: { input: 1, output: 2 } }
policy: { costBarrier: 0.1, oracleAccuracy: 0.9 }
task: math
mode: generative
askConfidence: true
onApexError: throw
maxCostPerQuery: 0.5
onBudgetExceeded: throw
`;

/** A valid config object whose first crowd member is replaced by `member`. */
function withMember(member: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    tiers: [
      { name: "crowd", members: [{ provider: "openai", model: "a", baseURL: "http://127.0.0.1:9/v1" }, member] },
      { name: "oracle", members: [{ provider: "openai", model: "b", baseURL: "http://127.0.0.1:9/v1" }] },
    ],
    ...extra,
  });
}

function errorOf(fn: () => unknown): PyramidConfigError {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(PyramidConfigError);
  return error as PyramidConfigError;
}

describe("config file: loading", () => {
  it("loads YAML and JSON into the same pyramid", async () => {
    const yaml = loadPyramidConfig(write("pyramid.config.yaml", GOOD_YAML));
    const json = loadPyramidConfig(write("pyramid.config.json", JSON.stringify(yaml)));
    expect(json).toEqual(yaml);
    const model = await pyramidFromConfig(yaml);
    expect(model).toBeInstanceOf(PyramidChatModel);
    expect(model.spec.tiers.map((t) => t.name)).toEqual(["crowd", "oracle"]);
    expect(model.spec.tiers[0].members.map((m) => m.name)).toEqual(["small-a", "llama3.1:8b", "small-a-hot"]);
    expect(model.spec.tiers[0].members[1].timeoutMs).toBe(5000);
    expect(model.spec.tiers[0].members[1].retries).toBe(2);
    expect(model.spec.tiers[0].members[1].limiter).toBeDefined();
    expect(model.spec.tiers[1].members[0].price).toEqual({ input: 1, output: 2 });
    expect(model.spec.tiers[0].threshold).toBeCloseTo(0.1 + (1 - 0.9), 12);
    expect(model.spec.task).toBe("math");
    expect(model.spec.mode).toBe("generative");
    expect(model.spec.askConfidence).toBe(true);
    expect(model.spec.onApexError).toBe("throw");
    expect(model.spec.maxCostPerQuery).toBe(0.5);
    expect(model.spec.onBudgetExceeded).toBe("throw");
    const ollama = model.spec.tiers[0].members[1].runnable as unknown as {
      clientConfig?: { baseURL?: string };
      logprobs?: boolean;
    };
    expect(ollama.logprobs).toBe(true);
  });

  it("accepts the example configs that `pyramid-moa init` writes", () => {
    const yaml = parsePyramidConfig(EXAMPLE_CONFIG_YAML, "example.yaml");
    const json = parsePyramidConfig(EXAMPLE_CONFIG_JSON, "example.json", "json");
    expect(json).toEqual(yaml);
    expect(yaml.tiers.map((t) => t.members.length)).toEqual([3, 1]);
  });

  it("finds ./pyramid.config.yaml or .json, and says to run init when there is none", () => {
    const error = errorOf(() => findPyramidConfig(undefined, dir));
    expect(error.message).toContain("pyramid-moa init");
    write("pyramid.config.json", "{}");
    expect(findPyramidConfig(undefined, dir)).toBe(join(dir, "pyramid.config.json"));
    write("pyramid.config.yaml", "");
    expect(findPyramidConfig(undefined, dir)).toBe(join(dir, "pyramid.config.yaml"));
    expect(findPyramidConfig("other.yaml", dir)).toBe(join(dir, "other.yaml"));
    expect(errorOf(() => loadPyramidConfig(join(dir, "missing.yaml"))).message).toContain(
      "cannot read the config file",
    );
  });
});

describe("config file: errors name the field, its line and the fix", () => {
  const cases: Array<[string, unknown, Record<string, unknown>, string, string]> = [
    [
      "unknown provider",
      { provider: "olama", model: "x" },
      {},
      "tiers[0].members[1].provider",
      'unknown provider "olama"',
    ],
    ["missing provider", { model: "x" }, {}, "tiers[0].members[1].provider", "provider is missing"],
    [
      "API key in the file",
      { provider: "openai", model: "x", apiKey: "sk-123" },
      {},
      "tiers[0].members[1].apiKey",
      "API keys never go in the config file",
    ],
    [
      "a key in apiKeyEnv",
      { provider: "openai", model: "x", apiKeyEnv: "sk-abc-123" },
      {},
      "tiers[0].members[1].apiKeyEnv",
      "NAME of an environment variable",
    ],
    [
      "llamacpp without modelPath",
      { provider: "llamacpp", model: "x" },
      {},
      "tiers[0].members[1].modelPath",
      "expected string",
    ],
    [
      "modelPath on an openai member",
      { provider: "openai", model: "x", modelPath: "m.gguf" },
      {},
      "tiers[0].members[1].modelPath",
      'unknown field "modelPath"',
    ],
    [
      "a baseURL without scheme",
      { provider: "openai", model: "x", baseURL: "localhost:8000" },
      {},
      "tiers[0].members[1].baseURL",
      "http(s) URL",
    ],
    [
      "a negative price",
      { provider: "ollama", model: "x", price: { input: -1, output: 1 } },
      {},
      "tiers[0].members[1].price.input",
      "USD per 1M input tokens",
    ],
    [
      "a fractional timeout",
      { provider: "ollama", model: "x", timeoutMs: 1.5 },
      {},
      "tiers[0].members[1].timeoutMs",
      "must be a whole number of milliseconds",
    ],
    [
      "a zero download timeout",
      { provider: "llamacpp", model: "x", modelPath: "m.gguf", downloadTimeoutMs: 0 },
      {},
      "tiers[0].members[1].downloadTimeoutMs",
      "milliseconds > 0",
    ],
    [
      "a threshold above 1",
      { provider: "ollama", model: "x" },
      { policy: { threshold: 2 } },
      "policy.threshold",
      "<=1",
    ],
    [
      "a policy of unknown shape",
      { provider: "ollama", model: "x" },
      { policy: { limit: 1 } },
      "policy",
      "is not a valid value",
    ],
    ["an unknown mode", { provider: "ollama", model: "x" }, { mode: "fast" }, "mode", '"routing"|"generative"'],
    ["an unknown task", { provider: "ollama", model: "x" }, { task: "poetry" }, "task", '"math"'],
    ["an unknown top-level field", { provider: "ollama", model: "x" }, { crowd: [] }, "crowd", 'unknown field "crowd"'],
    [
      "a duplicate member name",
      { provider: "openai", model: "a", baseURL: "http://127.0.0.1:9/v1" },
      {},
      "tiers[0].members[1].model",
      'member name "a" is already used by tiers[0].members[0]',
    ],
  ];
  for (const [what, member, extra, path, message] of cases) {
    it(`rejects ${what}`, () => {
      const error = errorOf(() => parsePyramidConfig(withMember(member, extra), "cfg.json", "json"));
      expect(error).toBeInstanceOf(ConfigFileError);
      expect(error.field).toBe(path);
      expect(error.message).toContain(`${path}: `);
      expect(error.message).toContain(message);
      expect(error.fix?.length).toBeGreaterThan(10);
      expect(error.message).toContain("Fix: ");
    });
  }

  it("rejects fewer than two tiers and a tier without members", () => {
    const one = errorOf(() =>
      parsePyramidConfig("tiers:\n  - name: only\n    members: [{ provider: ollama, model: x }]\n"),
    );
    expect(one.field).toBe("tiers");
    expect(one.message).toContain("at least two tiers");
    const empty = errorOf(() =>
      parsePyramidConfig(
        "tiers:\n  - { name: a, members: [] }\n  - { name: b, members: [{ provider: ollama, model: x }] }\n",
      ),
    );
    expect(empty.field).toBe("tiers[0].members");
    expect(empty.fix).toContain("at least one member");
  });

  it("points at the line and column in YAML, and lists every problem", () => {
    const text = `tiers:
  - name: crowd
    members:
      - provider: ollama
        model: a
      - provider: olama
        model: b
  - name: oracle
    members:
      - { provider: openai, model: c, apiKey: sk-live-123 }
mode: fast
`;
    const error = errorOf(() => parsePyramidConfig(text, "pyramid.config.yaml")) as ConfigFileError;
    expect(error.message).toContain(
      'tiers[0].members[1].provider: unknown provider "olama" (pyramid.config.yaml:6:19)',
    );
    expect(error.issues.map((i) => [i.path, i.line])).toEqual([
      ["tiers[0].members[1].provider", 6],
      ["tiers[1].members[0].apiKey", 10],
      ["mode", 11],
    ]);
    expect(error.message).toContain("2 more problem(s)");
    expect(error.message).not.toContain("sk-live-123");
  });

  it("reports YAML and JSON syntax errors with their place", () => {
    const yaml = errorOf(() => parsePyramidConfig("tiers:\n  - name: a\n   members: []\n", "bad.yaml"));
    expect(yaml.field).toBe("bad.yaml:3:1");
    expect(yaml.message).toContain("not valid YAML");
    const json = errorOf(() => loadPyramidConfig(write("bad.json", '{"tiers": [,]}')));
    expect(json.message).toContain("is not valid JSON");
    expect(json.fix).toContain("use a .yaml file for comments");
  });
});

describe("config file: building the pyramid", () => {
  it("names a missing API-key environment variable and the member", async () => {
    delete process.env.PYRAMID_TEST_UNSET_KEY;
    const config = parsePyramidConfig(
      withMember({ provider: "openai", model: "gpt-x", apiKeyEnv: "PYRAMID_TEST_UNSET_KEY" }),
      "c.json",
      "json",
    );
    const error = await pyramidFromConfig(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).field).toBe("tiers[0].members[1].apiKeyEnv");
    expect((error as Error).message).toContain("PYRAMID_TEST_UNSET_KEY");
    expect((error as Error).message).toContain("export PYRAMID_TEST_UNSET_KEY=");
  });

  it("requires OPENAI_API_KEY for the OpenAI API itself (no baseURL)", async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const error = await pyramidFromConfig(JSON.parse(withMember({ provider: "openai", model: "gpt-4o" }))).catch(
        (e: unknown) => e,
      );
      expect((error as Error).message).toContain("OPENAI_API_KEY");
      process.env.OPENAI_API_KEY = "sk-test";
      const model = await pyramidFromConfig(JSON.parse(withMember({ provider: "openai", model: "gpt-4o" })));
      expect(model.spec.tiers[0].members[1].name).toBe("gpt-4o");
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it("validates object literals too", async () => {
    const error = await pyramidFromConfig({ tiers: [] } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigFileError);
  });

  it("resolves a router file against baseDir and fails clearly on a missing or bad one", async () => {
    const missing = await pyramidFromConfig(
      JSON.parse(withMember({ provider: "ollama", model: "x" }, { router: "routers/none.json" })),
      { baseDir: dir },
    ).catch((e: unknown) => e);
    expect((missing as PyramidConfigError).field).toBe("router");
    expect((missing as Error).message).toContain(join(dir, "routers/none.json"));
    write("notarouter.json", JSON.stringify({ hello: 1 }));
    const bad = await pyramidFromConfig(
      JSON.parse(withMember({ provider: "ollama", model: "x" }, { router: "notarouter.json" })),
      { baseDir: dir },
    ).catch((e: unknown) => e);
    // Refused when the config is loaded, naming the field (not at the first request).
    expect(bad).toBeInstanceOf(PyramidConfigError);
    expect((bad as PyramidConfigError).field).toBe("router");
    expect((bad as Error).message).toMatch(
      /notarouter\.json cannot be used: .*neither a router bundle nor an XGBoost JSON model/,
    );
  });

  it("says a preset needs a router file that stores it", async () => {
    const error = await pyramidFromConfig(
      JSON.parse(withMember({ provider: "ollama", model: "x" }, { policy: "balanced" })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as Error).message).toContain('unknown preset "balanced"');
  });

  it("builds llamacpp members that share one engine per GGUF file (resolved against baseDir)", async () => {
    const modelDir = join(dataDir(), "models");
    const member = (model: string, seed: number) => ({
      provider: "llamacpp",
      model,
      modelPath: "stories260K.gguf",
      seed,
      maxTokens: 4,
    });
    const model = await pyramidFromConfig(
      {
        tiers: [
          { name: "crowd", members: [member("s-a", 1), member("s-b", 2)] },
          { name: "oracle", members: [member("s-c", 3)] },
        ],
      } as never,
      { baseDir: modelDir },
    );
    try {
      const engines = model.spec.tiers.flatMap((tier) =>
        tier.members.map((m) => m.runnable as unknown as { engine: unknown; modelPath: string }),
      );
      expect(engines.map((e) => e.modelPath)).toEqual(Array(3).fill(join(modelDir, "stories260K.gguf")));
      expect(new Set(engines.map((e) => e.engine)).size).toBe(1);
    } finally {
      await disposeLlamaCppEngines();
    }
  });

  it("names a missing recorded file of a replay member", async () => {
    const error = await pyramidFromConfig(
      JSON.parse(withMember({ provider: "replay", model: "m", recordedFile: "nope.jsonl" })),
      { baseDir: dir },
    ).catch((e: unknown) => e);
    expect((error as PyramidConfigError).field).toBe("tiers[0].members[1].recordedFile");
    expect((error as Error).message).toContain(join(dir, "nope.jsonl"));
  });
});

describe("relative paths of a loaded config file", () => {
  const firstLine = () => readFileSync(join(dataDir(), "recorded", "gsm8k.jsonl"), "utf8").split("\n")[0];

  it("pyramidFromConfig(loadPyramidConfig(file)) resolves them against the file's folder, not the current one", async () => {
    mkdirSync(join(dir, "conf"));
    writeFileSync(join(dir, "conf", "recorded.jsonl"), `${firstLine()}\n`);
    const replayed = { provider: "replay", model: "Meta-Llama-3-70B-Instruct", recordedFile: "recorded.jsonl" };
    const path = join(dir, "conf", "pyramid.config.json");
    writeFileSync(
      path,
      JSON.stringify({
        tiers: [
          { name: "crowd", members: [replayed] },
          { name: "oracle", members: [{ ...replayed, name: "apex" }] },
        ],
      }),
    );
    expect(process.cwd()).not.toBe(join(dir, "conf"));
    const model = await pyramidFromConfig(loadPyramidConfig(path));
    expect(model).toBeInstanceOf(PyramidChatModel);
    expect(model.spec.tiers).toHaveLength(2);
  });

  it("its errors name the config file's folder; an object literal's name the current folder", async () => {
    mkdirSync(join(dir, "conf"));
    const path = join(dir, "conf", "pyramid.config.json");
    writeFileSync(path, withMember({ provider: "ollama", model: "x" }, { router: "routers/none.json" }));
    const loaded = loadPyramidConfig(path, { checkFiles: false });
    const error = (await pyramidFromConfig(loaded).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain(join(dir, "conf", "routers", "none.json"));
    expect(error.message).toContain(`the config file's folder, ${join(dir, "conf")}`);
    const literal = (await pyramidFromConfig(JSON.parse(readFileSync(path, "utf8"))).catch((e: unknown) => e)) as Error;
    expect(literal.message).toContain(`the current folder, ${process.cwd()}`);
  });
});
