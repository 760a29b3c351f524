import { afterAll, beforeAll } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidOptions } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { openAIMember } from "../helpers/openai_members.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer, ReplyScript } from "../helpers/openai_server.js";

// Shared by the server tests that run a real pyramid server on loopback in front of a real OpenAI-compatible server.

/** The bearer token of {@link pyramidOverUpstream}'s server. */
export const TOKEN = "t0ken";

/** What {@link pyramidOverUpstream} runs: the upstream's scripted models, the crowd and Oracle among them, options. */
export interface UpstreamPyramid {
  /** Scripts per model name of the OpenAI-compatible upstream server. */
  readonly models: Record<string, ReplyScript>;
  /** The crowd's model names, in member order. */
  readonly crowd: readonly string[];
  /** The Oracle's model name. */
  readonly oracle: string;
  /** The pyramid's other options (prices, task, policy, ...). */
  readonly options?: Omit<PyramidOptions, "crowd" | "oracle" | "tiers">;
}

/** The running servers of {@link pyramidOverUpstream} (read them inside tests: they start before the file's tests). */
export interface RunningUpstreamPyramid {
  /** The pyramid server's base URL. */
  readonly url: string;
  /** The upstream server (its recorded requests). */
  readonly upstream: OpenAITestServer;
}

/**
 * Starts (before the calling file's tests) the upstream server answering `spec.models`, and a pyramid server with
 * token {@link TOKEN} whose members are real `ChatOpenAI` clients of it; closes both after the file's tests.
 */
export function pyramidOverUpstream(spec: UpstreamPyramid): RunningUpstreamPyramid {
  let upstream: OpenAITestServer | undefined;
  let server: PyramidServer | undefined;
  let url: string | undefined;
  beforeAll(async () => {
    upstream = await startOpenAITestServer({ models: spec.models });
    const running = upstream;
    const model = new PyramidChatModel({
      ...spec.options,
      crowd: spec.crowd.map((name) => openAIMember(running, name)),
      oracle: openAIMember(running, spec.oracle),
    });
    server = createPyramidServer({ model, token: TOKEN });
    ({ url } = await server.listen(0, "127.0.0.1"));
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("the servers start in beforeAll: read them inside a test");
    return value;
  };
  return {
    get url() {
      return started(url);
    },
    get upstream() {
      return started(upstream);
    },
  };
}

/** Posts a chat completion of one user message `content` (model `pyramid-moa`, token {@link TOKEN}) with `body`. */
export function postChat(
  url: string,
  content: string,
  body: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content }], ...body }),
  });
}
