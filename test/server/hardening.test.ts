import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer, PyramidServerOptions } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const running: PyramidServer[] = [];

function pyramid(): { model: PyramidChatModel; crowd: ScriptedChatModel[] } {
  const crowd = [0, 1, 2].map((i) => new ScriptedChatModel({ name: `small-${i}`, reply: "1" }));
  return {
    model: new PyramidChatModel({ crowd, oracle: new ScriptedChatModel({ name: "big", reply: "2" }), task: "math" }),
    crowd,
  };
}

async function start(options: Omit<PyramidServerOptions, "model"> = {}) {
  const { model, crowd } = pyramid();
  const server = createPyramidServer({ model, ...options });
  running.push(server);
  const { url, port } = await server.listen(0, "127.0.0.1");
  return { server, url, port, crowd, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 }) };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

/** Sends `head` (and then nothing) on a raw socket; resolves with everything the server wrote until it closed. */
function rawExchange(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let received = "";
    socket.on("connect", () => socket.write(head));
    socket.on("data", (data) => (received += data.toString()));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("pyramid server hardening", () => {
  it("answers a body of 20 MB over the 1 MiB limit with a 413 the openai client reads, and keeps serving", async () => {
    const { client, crowd } = await start();
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x".repeat(20 * 1024 * 1024) }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("request_too_large");
    expect(crowd[0].calls).toHaveLength(0);
    const ok = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "small" }] });
    expect(ok.choices[0].message.content).toBe("1");
  });

  it("does not send 100 Continue to a client whose Content-Length is already over the limit", async () => {
    const { port } = await start({ maxBodyBytes: 1000 });
    const reply = await rawExchange(
      port,
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\nExpect: 100-continue\r\n\r\n",
    );
    expect(reply).not.toContain("100 Continue");
    expect(reply.startsWith("HTTP/1.1 413 ")).toBe(true);
    expect(reply).toContain('"code":"request_too_large"');
  });

  it("sends 100 Continue and answers when the declared body fits", async () => {
    const { port } = await start();
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1" });
      let received = "";
      socket.on("connect", () =>
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
        ),
      );
      socket.on("data", (data) => {
        received += data.toString();
        if (received.includes("100 Continue\r\n\r\n") && !received.includes("sent")) {
          received += "sent";
          socket.write(body);
        }
      });
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    expect(reply.startsWith("HTTP/1.1 100 Continue")).toBe(true);
    expect(reply).toContain("HTTP/1.1 200 OK");
  });

  it("closes a client that does not finish its request within requestTimeoutMs (408)", async () => {
    const { port } = await start({ requestTimeoutMs: 300 });
    // Headers never finished: a slowloris client.
    const slowHeaders = await rawExchange(port, "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n");
    expect(slowHeaders.startsWith("HTTP/1.1 408")).toBe(true);
    // A body that never comes.
    const slowBody = await rawExchange(
      port,
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
    );
    expect(slowBody.startsWith("HTTP/1.1 408")).toBe(true);
  });

  it("defaults to a 30 s request timeout", async () => {
    const { server } = await start();
    expect(server.server.requestTimeout).toBe(30_000);
    expect(server.server.headersTimeout).toBe(30_000);
  });

  it("fails to listen with one line naming --port or --host and the fix", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const server = createPyramidServer({ model: pyramid().model });
      const inUse = await server.listen(port, "127.0.0.1").catch((e: unknown) => e);
      expect(inUse).toBeInstanceOf(PyramidConfigError);
      expect((inUse as Error).message).toMatch(
        new RegExp(`^--port: port ${port} on 127\\.0\\.0\\.1 is already in use Fix: `),
      );
      expect((inUse as Error).message).not.toContain("\n");
      const badHost = await createPyramidServer({ model: pyramid().model })
        .listen(0, "no-such-host.invalid")
        .catch((e: unknown) => e);
      expect(badHost).toBeInstanceOf(PyramidConfigError);
      expect((badHost as Error).message).toMatch(
        /^--host: the host name "no-such-host\.invalid" could not be resolved Fix: /,
      );
      const notMine = await createPyramidServer({ model: pyramid().model })
        .listen(0, "192.0.2.1")
        .catch((e: unknown) => e);
      expect((notMine as Error).message).toMatch(/^--host: 192\.0\.2\.1 is not an address of this machine Fix: /);
    } finally {
      busy.close();
    }
  });
});
