import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyramidConfigError, TimeoutError } from "../../src/index.js";
import { dataDir } from "../../src/eval/index.js";
import { LlamaCppChatModel, LlamaCppEngine } from "../../src/engines/llamacpp/index.js";
import { resolveModelSource } from "../../src/engines/llamacpp/model_source.js";

// The hub is out of reach here, so the real download path (node-llama-cpp's resolveModelFile) is exercised against
// a file server on 127.0.0.1 that serves the real test GGUF.
const gguf = readFileSync(join(dataDir(), "models", "stories260K.gguf"));
const cacheDir = mkdtempSync(join(tmpdir(), "pyramid-models-"));
let gets = 0;
const server = createServer((request, response) => {
  if (request.method === "GET") gets++;
  if (!new URL(request.url ?? "/", "http://localhost").pathname.endsWith("/stories260K.gguf")) {
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
    const afterFirst = gets;
    expect(await resolveModelSource(url, { cacheDir })).toBe(path);
    // A HEAD (our probe) and node-llama-cpp's metadata GET at most, never a second download (metadata GET + transfer GET).
    expect(gets - afterFirst).toBeLessThanOrEqual(1);
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

/** A TCP server that accepts connections and never answers; resolves with its port and a way to close it. */
async function silentServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const tcp = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  return {
    port: (tcp.address() as AddressInfo).port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}

describe("hf: model URIs (the hub endpoint played by the file server, via MODEL_ENDPOINT)", () => {
  it("downloads once, then resolves from the cache without the hub; a dead hub fails fast, naming the endpoint", async () => {
    const saved = process.env.MODEL_ENDPOINT;
    const hubCache = mkdtempSync(join(tmpdir(), "pyramid-hf-models-"));
    const uri = "hf:pyramid/tiny/stories260K.gguf";
    try {
      process.env.MODEL_ENDPOINT = url.replace("stories260K.gguf", "");
      const path = await resolveModelSource(uri, { cacheDir: hubCache });
      expect(path.startsWith(hubCache)).toBe(true);
      expect(readFileSync(path).equals(gguf)).toBe(true);

      const closed = createTcpServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const deadHub = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      process.env.MODEL_ENDPOINT = deadHub;
      expect(await resolveModelSource(uri, { cacheDir: hubCache })).toBe(path);
      await expect(resolveModelSource("hf:pyramid/tiny/other.gguf", { cacheDir: hubCache })).rejects.toThrow(
        `modelPath: could not connect to ${deadHub} to download the model "hf:pyramid/tiny/other.gguf" (ECONNREFUSED)`,
      );
    } finally {
      if (saved === undefined) delete process.env.MODEL_ENDPOINT;
      else process.env.MODEL_ENDPOINT = saved;
      rmSync(hubCache, { recursive: true, force: true });
    }
  });
});

describe("model URIs whose server is dead", () => {
  it("fails at once, naming the URI and the fix, when nothing listens on the port", async () => {
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = `http://127.0.0.1:${port}/model.gguf`;
    const error = await resolveModelSource(dead, { cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as Error).message).toBe(
      `modelPath: could not connect to ${dead} to download the model "${dead}" (ECONNREFUSED) ` +
        "Fix: Check the URI and that its host is reachable from here (or raise timeoutMs), or download the GGUF file yourself and give its path.",
    );
  });

  it("times out after timeoutMs when the server accepts the connection but never answers", async () => {
    const silent = await silentServer();
    try {
      const uri = `http://127.0.0.1:${silent.port}/model.gguf`;
      const error = await resolveModelSource(uri, { cacheDir, timeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toContain(
        `modelPath: ${uri} did not answer within 300 ms, so the model "${uri}" cannot be downloaded`,
      );
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("gives LlamaCppChatModel's downloadTimeoutMs to the download, so a silent server fails the call", async () => {
    const silent = await silentServer();
    try {
      const uri = `http://127.0.0.1:${silent.port}/chat-model.gguf`;
      const model = new LlamaCppChatModel({ modelPath: uri, cacheDir, downloadTimeoutMs: 200, maxTokens: 4 });
      const error = await model.invoke("Once upon a time").catch((e: unknown) => e);
      expect(String((error as Error).message)).toContain(`${uri} did not answer within 200 ms`);
    } finally {
      await silent.close();
      await LlamaCppEngine.disposeAll();
    }
  });

  it("stops when the signal aborts, with the signal's reason", async () => {
    const silent = await silentServer();
    try {
      const controller = new AbortController();
      const reason = new Error("user cancelled");
      const pending = resolveModelSource(`http://127.0.0.1:${silent.port}/model.gguf`, {
        cacheDir,
        signal: controller.signal,
      });
      while (silent.connections() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await expect(resolveModelSource(url, { cacheDir, signal: controller.signal })).rejects.toBe(reason);
    } finally {
      await silent.close();
    }
  });

  it("stops when the signal aborts after the server answered, while node-llama-cpp waits for the file", async () => {
    let gets = 0;
    // Answers the HEAD probe, never a GET.
    const stalling = createServer((request, response) => {
      if (request.method === "HEAD") response.writeHead(200, { "content-length": gguf.length }).end();
      else gets++;
    });
    await new Promise<void>((resolve) => stalling.listen(0, "127.0.0.1", resolve));
    try {
      const controller = new AbortController();
      const reason = new Error("user cancelled the download");
      const pending = resolveModelSource(`http://127.0.0.1:${(stalling.address() as AddressInfo).port}/stall.gguf`, {
        cacheDir,
        signal: controller.signal,
      });
      while (gets === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
    } finally {
      stalling.closeAllConnections();
      stalling.close();
    }
  });

  it("rejects bad options naming the option", async () => {
    await expect(resolveModelSource(url, { cacheDir, timeoutMs: 0 })).rejects.toThrow(
      /resolveModelSource\.timeoutMs: .*Fix: /,
    );
  });
});
