import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
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
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], { cwd: repo, maxBuffer: 64 * 1024 * 1024 });
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
    expect(files).toContain("dist/llamacpp.d.ts");
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
    const result = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { content: string; tier: number; presets: string[] };
    expect(result.content).toContain("42");
    expect(result.tier).toBe(0);
    expect(result.presets).toEqual(["economy", "balanced", "baseline-match"]);
  });

  it("runs its CLI from dist: the GSM8K replay evaluation with the shipped router", async () => {
    const out = join(work, "eval");
    const router = join(installed, "routers", "gsm8k-llama8b-gemma9b-qwen7b.json");
    const { stdout } = await run(
      process.execPath,
      [join(installed, "dist", "cli", "bin.js"), "eval", "--benchmark", "gsm8k", "--router", router, "--limit", "20", "--no-png", "--out", out],
      { cwd: app, env: { ...process.env, PYRAMID_DATA_DIR: dataDir() }, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stdout).toContain('gsm8k all items: 20 queries; the "pyramid" row uses the router\'s "baseline-match" preset (t=0.55).');
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("| Oracle alone |");
  });
});

describeInstalledWithNpm(() => ({ tarball, work }));
