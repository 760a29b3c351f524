import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataDir, LlamaCppChatModel, LlamaCppEngine } from "../../src/index.js";
import { resolveModelSource } from "../../src/engines/llamacpp/model_source.js";

// The hub is out of reach here, so the real download path (node-llama-cpp's resolveModelFile) is exercised against
// a file server on 127.0.0.1 that serves the real test GGUF.
const gguf = readFileSync(join(dataDir(), "models", "stories260K.gguf"));
const cacheDir = mkdtempSync(join(tmpdir(), "pyramid-models-"));
let requests = 0;
const server = createServer((request, response) => {
  requests++;
  if (request.url !== "/stories260K.gguf") {
    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found");
    return;
  }
  response.writeHead(200, { "content-type": "application/octet-stream", "content-length": gguf.length });
  response.end(request.method === "HEAD" ? undefined : gguf);
});
let url = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stories260K.gguf`;
});
afterAll(async () => {
  await LlamaCppEngine.disposeAll();
  server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe("model URIs", () => {
  it("downloads a model URI into the cache folder once, then resolves it from there", async () => {
    const path = await resolveModelSource(url, { cacheDir });
    expect(path.startsWith(cacheDir)).toBe(true);
    expect(readFileSync(path).equals(gguf)).toBe(true);
    const afterFirst = requests;
    expect(await resolveModelSource(url, { cacheDir })).toBe(path);
    expect(requests - afterFirst).toBeLessThanOrEqual(1); // at most a HEAD check, never a second download
  });

  it("answers with a LlamaCppChatModel given the URI", async () => {
    const model = new LlamaCppChatModel({ modelPath: url, cacheDir, contextSize: 256, threads: 1, maxTokens: 12 });
    const answer = await model.invoke("Once upon a time");
    expect(typeof answer.content).toBe("string");
    expect(answer.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it("names the field when a URI cannot be resolved", async () => {
    await expect(resolveModelSource(url.replace("stories260K", "missing"), { cacheDir })).rejects.toThrow(
      /modelPath: could not resolve or download/,
    );
  });
});
