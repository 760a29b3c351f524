import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeInstalledWithNpm } from "./installed_with_npm.js";
import { dataDir } from "../../src/eval/data_dir.js";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "pyramid-pack-"));
const app = join(work, "app");
const installed = join(app, "node_modules", "pyramid-moa");
let files: string[] = [];
let tarball = "";

afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * Installs the package the way a user gets it: `npm pack` (which builds it), the tarball unpacked into an app's
 * node_modules, and the package's runtime dependencies linked from this repository's node_modules (no network).
 */
beforeAll(async () => {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: repo,
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  files = report[0].files.map((f) => f.path);
  tarball = join(work, report[0].filename);
  mkdirSync(installed, { recursive: true });
  await run("tar", ["-xzf", join(work, report[0].filename), "-C", installed, "--strip-components=1"]);
  const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  for (const name of Object.keys(pkg.dependencies)) {
    const target = join(app, "node_modules", name);
    mkdirSync(resolve(target, ".."), { recursive: true });
    symlinkSync(join(repo, "node_modules", name), target, "dir");
  }
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
}, 180_000);

describe("the published package", () => {
  it("holds the built library, its CLI and the shipped routers, and nothing else of the repository", () => {
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("dist/cli/bin.js");
    expect(files).toContain("bin/pyramid-moa.js");
    for (const entry of Object.values(exportsMap())) {
      expect(files).toContain(entry.types.slice(2));
      expect(files).toContain(entry.import.slice(2));
    }
    expect(files).toContain("routers/gsm8k-llama8b-gemma9b-qwen7b.json");
    expect(files.filter((f) => /^(src|test|bench|scripts|results|examples)\//.test(f))).toEqual([]);
    expect(readdirSync(join(installed, "routers")).sort()).toEqual(readdirSync(join(repo, "routers")).sort());
  });

  it("imports as ESM and answers through a pyramid of LangChain chat models", async () => {
    const script = `
      import { FakeListChatModel } from "@langchain/core/utils/testing";
      import { PyramidChatModel, loadRouter } from "pyramid-moa";
      const crowd = ["42", "42", "41"].map((answer) => new FakeListChatModel({ responses: ["The answer is " + answer] }));
      const model = new PyramidChatModel({ crowd, oracle: new FakeListChatModel({ responses: ["43"] }), task: "math", policy: { threshold: 0.9 } });
      const message = await model.invoke("What is 6 x 7?");
      const router = loadRouter(new URL("./node_modules/pyramid-moa/routers/gsm8k-llama8b-gemma9b-qwen7b.json", import.meta.url).pathname);
      console.log(JSON.stringify({ content: message.content, tier: message.response_metadata.pyramid.tier, presets: Object.keys(router.presets ?? {}) }));
    `;
    const file = join(app, "use.mjs");
    writeFileSync(file, script);
    const { stdout } = await run(process.execPath, [file], { cwd: app });
    const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      content: string;
      tier: number;
      presets: string[];
    };
    expect(result.content).toContain("42");
    expect(result.tier).toBe(0);
    expect(result.presets).toEqual([
      "economy",
      "balanced",
      "baseline-match",
      "economy-guaranteed",
      "balanced-guaranteed",
      "baseline-match-guaranteed",
    ]);
  });

  it("runs its CLI from dist: the GSM8K replay evaluation with the shipped router", async () => {
    const out = join(work, "eval");
    const router = join(installed, "routers", "gsm8k-llama8b-gemma9b-qwen7b.json");
    const { stdout } = await run(
      process.execPath,
      [
        join(installed, "dist", "cli", "bin.js"),
        "eval",
        "--benchmark",
        "gsm8k",
        "--router",
        router,
        "--limit",
        "20",
        "--no-png",
        "--out",
        out,
      ],
      { cwd: app, env: { ...process.env, PYRAMID_DATA_DIR: dataDir() }, maxBuffer: 16 * 1024 * 1024 },
    );
    const preset = (JSON.parse(readFileSync(router, "utf8")) as { presets: Record<string, number> }).presets[
      "baseline-match"
    ];
    expect(stdout).toContain(
      `gsm8k all items: 20 queries; the "pyramid" row uses the router's "baseline-match" preset (t=${preset.toFixed(2)}).`,
    );
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| Oracle alone |");
  });

  it("imports every subpath entry point from the installed tarball", async () => {
    const subpaths = Object.keys(exportsMap()).map((key) => `pyramid-moa${key.slice(1)}`);
    expect(subpaths).toEqual(expect.arrayContaining(SUBPATHS.map((name) => `pyramid-moa/${name}`)));
    const script = `
      const names = {};
      for (const specifier of ${JSON.stringify(subpaths)}) names[specifier] = Object.keys(await import(specifier));
      console.log(JSON.stringify(names));
    `;
    const names = JSON.parse(await runScript("subpaths.mjs", script)) as Record<string, string[]>;
    expect(names["pyramid-moa"]).toContain("PyramidChatModel");
    expect(names["pyramid-moa/eval"]).toContain("runEvaluation");
    expect(names["pyramid-moa/server"]).toContain("createPyramidServer");
    expect(names["pyramid-moa/config"]).toContain("pyramidFromConfig");
    expect(names["pyramid-moa/llamacpp"]).toContain("LlamaCppChatModel");
    expect(names["pyramid-moa/openai"]).toContain("createOpenAICompatibleChatModel");
    expect(names["pyramid-moa/train"]).toContain("trainRouter");
    expect(names["pyramid-moa/replay"]).toContain("RecordedOutputs");
    expect(names["pyramid-moa/plots"]).toContain("performanceProfileSvg");
  });

  it("keeps its root entry light: no server, cluster, sandbox or llama.cpp module is loaded by importing it", async () => {
    // A resolve hook records every module the import pulls in; process.moduleLoadList names the built-ins (the hook
    // itself runs on a worker thread, so worker_threads is not checked).
    const log = join(work, "resolved.log");
    writeFileSync(
      join(app, "hooks.mjs"),
      `import { appendFileSync } from "node:fs";
       export async function resolve(specifier, context, next) {
         const result = await next(specifier, context);
         appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
         return result;
       }`,
    );
    writeFileSync(
      join(app, "register.mjs"),
      `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);`,
    );
    const script = `
      const root = await import("pyramid-moa");
      const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13));
      console.log(JSON.stringify({ names: Object.keys(root).length, builtins }));
    `;
    const file = join(app, "root.mjs");
    writeFileSync(file, script);
    const { stdout } = await run(process.execPath, ["--import", "./register.mjs", file], { cwd: app });
    const loaded = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { names: number; builtins: string[] };
    const urls = readFileSync(log, "utf8")
      .split("\n")
      .filter((u) => u.length > 0);
    const own = urls.filter((u) => u.includes("/node_modules/pyramid-moa/dist/"));
    expect(own.some((u) => u.endsWith("/dist/chat_models/pyramid.js"))).toBe(true);
    expect(own.filter((u) => /\/dist\/(server|eval|config|cli|plots|replay|engines)\//.test(u))).toEqual([]);
    expect(urls.filter((u) => /node-llama-cpp|koffi|ioredis|@resvg/.test(u))).toEqual([]);
    for (const builtin of ["http", "https", "cluster", "child_process"]) {
      expect(loaded.builtins).not.toContain(builtin);
    }
    expect(loaded.names).toBeGreaterThan(40);
  });

  it("exports at most 150 names from its root, whose declarations do not reference node-llama-cpp", () => {
    const entry = join(installed, "dist", "index.d.ts");
    const program = ts.createProgram([entry], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(entry);
    const symbol = source && checker.getSymbolAtLocation(source);
    const names = symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()) : [];
    expect(names).toContain("PyramidChatModel");
    expect(names).toContain("PyramidMetadata");
    expect(names.length).toBeLessThanOrEqual(150);
    for (const internal of ["mulberry32", "limiterFor", "backoffDelayMs", "format", "callMember", "liveMemberCalls"]) {
      expect(names).not.toContain(internal);
    }
    const reached = program.getSourceFiles().map((f) => f.fileName);
    expect(reached.filter((f) => f.includes("node-llama-cpp") || f.includes("/dist/engines/llamacpp/"))).toEqual([]);
  });
});

describeInstalledWithNpm(() => ({ tarball, work }));

/** The subpath entry points the package promises (package.json "exports"). */
const SUBPATHS = ["eval", "server", "config", "llamacpp", "openai", "train", "traces", "redis", "replay", "plots"];

/** package.json's "exports", without its "./package.json" entry. */
function exportsMap(): Record<string, { types: string; import: string }> {
  const pkg = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { exports: Record<string, unknown> };
  const entries = Object.entries(pkg.exports).filter(([key]) => key !== "./package.json");
  return Object.fromEntries(entries) as Record<string, { types: string; import: string }>;
}

/** Writes `script` into the app and runs it with node, returning its last line of output. */
async function runScript(name: string, script: string): Promise<string> {
  const file = join(app, name);
  writeFileSync(file, script);
  const { stdout } = await run(process.execPath, [file], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim().split("\n").pop() ?? "{}";
}
