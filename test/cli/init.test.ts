import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { disposeLlamaCppEngines, loadPyramidConfig, pyramidFromConfig } from "../../src/config/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { createPyramidServer } from "../../src/server/index.js";
import { runCli } from "./capture.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-init-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("pyramid-moa init", () => {
  it("writes a commented YAML config that loadPyramidConfig accepts, and refuses to overwrite without --force", async () => {
    const out = join(dir, "pyramid.config.yaml");
    const first = await runCli(["init", "--out", out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Wrote ${out}`);
    const text = readFileSync(out, "utf8");
    expect(text.split("\n").filter((line) => line.trimStart().startsWith("#")).length).toBeGreaterThan(20);
    for (const field of [
      "provider",
      "apiKeyEnv",
      "baseURL",
      "modelPath",
      "recordedFile",
      "price",
      "timeoutMs",
      "retries",
      "maxConcurrency",
      "router",
      "policy",
      "mode",
      "task",
      "askConfidence",
      "onApexError",
      "maxCostPerQuery",
    ]) {
      expect(text).toContain(field);
    }
    const config = loadPyramidConfig(out);
    expect(config.tiers.map((t) => t.name)).toEqual(["crowd", "oracle"]);

    writeFileSync(out, "# my edits\n");
    const again = await runCli(["init", "--out", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already exists");
    expect(again.stderr).toContain("--force");
    expect(readFileSync(out, "utf8")).toBe("# my edits\n");

    const forced = await runCli(["init", "--out", out, "--force"]);
    expect(forced.code).toBe(0);
    expect(loadPyramidConfig(out).tiers).toHaveLength(2);
  });

  it("writes JSON for a .json --out", async () => {
    const out = join(dir, "sub", "pyramid.config.json");
    expect((await runCli(["init", "--out", out])).code).toBe(0);
    expect(() => JSON.parse(readFileSync(out, "utf8"))).not.toThrow();
    expect(loadPyramidConfig(out).task).toBe("math");
  });

  it("writes the llamacpp and replay templates, which load and build", async () => {
    const gguf = join(dataDir(), "models", "stories260K.gguf");
    const local = join(dir, "local.yaml");
    expect((await runCli(["init", "--template", "llamacpp", "--model-path", gguf, "--out", local])).code).toBe(0);
    const config = loadPyramidConfig(local);
    expect(config.tiers.flatMap((t) => t.members.map((m) => m.provider))).toEqual([
      "llamacpp",
      "llamacpp",
      "llamacpp",
      "llamacpp",
    ]);
    const model = await pyramidFromConfig(config, { baseDir: dir });
    expect(model.spec.tiers[0].members.map((m) => m.name)).toEqual(["crowd-a", "crowd-b", "crowd-c"]);
    await disposeLlamaCppEngines();

    const offline = join(dir, "offline.yaml");
    const router = join(import.meta.dirname, "../../routers/gsm8k-llama8b-gemma9b-qwen7b.json");
    expect((await runCli(["init", "--template", "replay", "--router", router, "--out", offline])).code).toBe(0);
    expect(loadPyramidConfig(offline)).toMatchObject({ router, policy: "balanced", task: "math" });
    expect(loadPyramidConfig(offline).tiers[1].members[0].model).toBe("Meta-Llama-3.1-70B-Instruct");

    const bad = await runCli(["init", "--template", "vllm", "--out", join(dir, "x.yaml")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--template: unknown template "vllm"');
  });

  it("rejects unknown flags", async () => {
    const result = await runCli(["init", "--outt", "x"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--outt");
  });

  it("writes math-latex in the YAML task lists", async () => {
    for (const template of ["ollama", "llamacpp"]) {
      const out = join(dir, `${template}.yaml`);
      expect((await runCli(["init", "--template", template, "--out", out])).code).toBe(0);
      expect(readFileSync(out, "utf8")).toContain("math | math-latex | choice | code | text");
    }
  });

  it("the replay template suggests an ask command that works; free text gets one Fix naming --recorded, 400 over HTTP", async () => {
    const out = join(dir, "offline.yaml");
    const init = await runCli(["init", "--template", "replay", "--out", out]);
    const suggested = `pyramid-moa ask --recorded gsm8k/test/0 --config ${out}`;
    expect(init.stdout).toContain(`then run: ${suggested}`);
    const asked = await runCli(suggested.split(" ").slice(1));
    expect(asked.stderr).toBe("");
    expect(asked.code).toBe(0);
    expect(asked.stdout).toMatch(/Answered by tier 0 "crowd"/);
    expect(asked.stdout).toMatch(/Meta-Llama-3\.1-8B-Instruct\s+18\s/);

    const free = await runCli(["ask", "What is 17 * 23?", "--config", out]);
    expect(free.code).toBe(1);
    expect(free.stderr.match(/Fix:/g)).toHaveLength(1);
    expect(free.stderr).toContain("no replayed model has a recorded answer to this prompt");
    expect(free.stderr).toContain(`Fix: ask a recorded question by its id: ${suggested}`);
    const unknown = await runCli(["ask", "--recorded", "gsm8k/test/nope", "--config", out]);
    expect(unknown.stderr).toContain('--recorded: no recorded item has the id "gsm8k/test/nope"');

    const server = createPyramidServer({ model: await pyramidFromConfig(loadPyramidConfig(out)) });
    const { url } = await server.listen(0, "127.0.0.1");
    try {
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content: "What is 17 * 23?" }] }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("not_recorded");
      expect(body.error.message).toContain("have no recorded answer to this prompt");
      expect(body.error.message).not.toContain("gsm8k.jsonl");
    } finally {
      await server.close();
    }
  });
});
