import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { dataDir } from "../../src/eval/data_dir.js";
import { missing } from "../helpers/requires.js";

const exec = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const version = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { version: string }).version;

/** Whether the npm registry answers (a real `npm install` needs it; CI's `npm ci` does too). */
async function registryReachable(): Promise<boolean> {
  try {
    await exec("npm", ["ping"], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

const online = await registryReachable();

/**
 * The README's first-run commands in an app that installed the packed tarball with `npm install`, as a user does
 * (the optional peers koffi, @resvg/resvg-js and node-llama-cpp are not installed): `npx pyramid-moa --version`,
 * the demo (`eval --train`), `train` on the holdout traces, type declarations without node-llama-cpp, then, with
 * node-llama-cpp added, `init --template llamacpp` and `ask` on the tiny GGUF.
 */
export function describeInstalledWithNpm(packed: () => { tarball: string; work: string }): void {
  describe.skipIf(missing(online, "the npm registry (network)"))(
    "installed with npm install <tarball>, as a user does (needs the npm registry)",
    () => {
      let app = "";
      const npx = (args: string[], options: { env?: Record<string, string> } = {}) =>
        exec("npx", ["--no-install", "pyramid-moa", ...args], {
          cwd: app,
          env: { ...process.env, PYRAMID_DATA_DIR: dataDir(), CI: "true", ...options.env },
          maxBuffer: 16 * 1024 * 1024,
        });

      beforeAll(async () => {
        const { tarball, work } = packed();
        app = join(work, "npm-app");
        mkdirSync(app, { recursive: true });
        writeFileSync(join(app, "package.json"), JSON.stringify({ name: "npm-app", private: true, type: "module" }));
        await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], {
          cwd: app,
          maxBuffer: 16 * 1024 * 1024,
        });
      }, 300_000);

      it("npx pyramid-moa --version", async () => {
        const { stdout } = await npx(["--version"]);
        expect(stdout.trim()).toBe(version);
        for (const peer of ["koffi", "@resvg/resvg-js", "node-llama-cpp"])
          expect(existsSync(join(app, "node_modules", peer))).toBe(false);
      });

      it("the demo without the optional peers: the shipped router, the summary, SVG plots and a one-line PNG notice", async () => {
        const { stdout, stderr } = await npx(["eval", "--benchmark", "gsm8k", "--train", "--out", "results/gsm8k"]);
        expect(stdout).toMatch(
          /^Router: the koffi package is not installed, so the router is not retrained; the shipped router/m,
        );
        expect(stdout).toContain(
          'gsm8k holdout part: 284 queries; the "pyramid" row uses the router\'s "baseline-match" preset',
        );
        expect(stdout).toMatch(/^Oracle alone +96\.1%/m);
        expect(stdout).toContain("PNG plots skipped: @resvg/resvg-js is not installed");
        expect(stdout).toContain("Plots: results/gsm8k/profile.svg");
        expect(existsSync(join(app, "results/gsm8k/profile.svg"))).toBe(true);
        expect(existsSync(join(app, "results/gsm8k/profile.png"))).toBe(false);
        expect(stderr.split("\n").filter((line) => / part: /.test(line))).toHaveLength(2);
      }, 300_000);

      it("train on the holdout traces is refused, pointing at train_traces.jsonl", async () => {
        const run = npx(["train", "--traces", "results/gsm8k/traces.jsonl", "--out", "router.json"]);
        await expect(run).rejects.toMatchObject({
          code: 1,
          stderr: expect.stringContaining("--traces results/gsm8k/train_traces.jsonl"),
        });
        expect(existsSync(join(app, "router.json"))).toBe(false);
      });

      it("type-checks against the root entry with skipLibCheck false and no node-llama-cpp installed", async () => {
        writeFileSync(
          join(app, "use.ts"),
          'import { PyramidChatModel, loadRouter } from "pyramid-moa";\nexport const make = (r: string) => [PyramidChatModel, loadRouter(r)] as const;\n',
        );
        const tsc = join(repo, "node_modules", "typescript", "bin", "tsc");
        const args = [
          "--noEmit",
          "--strict",
          "--skipLibCheck",
          "false",
          "--module",
          "nodenext",
          "--moduleResolution",
          "nodenext",
          "--target",
          "es2022",
        ];
        const typeRoots = ["--types", "node", "--typeRoots", join(repo, "node_modules", "@types")];
        await expect(
          exec(process.execPath, [tsc, ...args, ...typeRoots, "use.ts"], { cwd: app }),
        ).resolves.toBeDefined();
      }, 120_000);

      it("with node-llama-cpp added: init --template llamacpp, then ask on the tiny GGUF answers", async () => {
        symlinkSync(join(repo, "node_modules", "node-llama-cpp"), join(app, "node_modules", "node-llama-cpp"), "dir");
        const gguf = join(dataDir(), "models", "stories260K.gguf");
        mkdirSync(join(app, "configs"), { recursive: true });
        // A path relative to the current folder, rewritten relative to the config file's folder.
        await npx([
          "init",
          "--template",
          "llamacpp",
          "--model-path",
          relative(app, gguf),
          "--out",
          "configs/local.yaml",
        ]);
        const { stdout } = await npx(["ask", "What is 17 * 23?", "--config", "configs/local.yaml", "--json"]);
        const result = JSON.parse(stdout) as {
          answer: string;
          pyramid: { candidates: { model: string; error?: string }[] };
        };
        expect(result.answer.length).toBeGreaterThan(0);
        expect(result.pyramid.candidates.map((c) => c.model).slice(0, 3)).toEqual(["crowd-a", "crowd-b", "crowd-c"]);
        expect(result.pyramid.candidates.every((c) => c.error === undefined)).toBe(true);
      }, 300_000);
    },
  );
}
