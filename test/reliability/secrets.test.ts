import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { PyramidChatModel, ModelCallError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { createOpenAICompatibleChatModel } from "../../src/engines/openai/chat_openai.js";
import { REDACTED, isSecretEnvName, redactSecrets } from "../../src/security/redact.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { FaultyChatModel, httpError } from "./fault_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

/** A key-shaped value that exists only in this test's environment. */
const KEY = "sk-test-reliability-0123456789abcdefXYZ";
const ENV_NAME = "PYRAMID_RELIABILITY_TEST_API_KEY";
const PLAIN_TOKEN = "tok_9f8e7d6c5b4a3210";
const TOKEN_ENV = "PYRAMID_RELIABILITY_TEST_TOKEN";

const answer = (text: string) =>
  new FaultyChatModel({ name: `ok-${text}`, plan: () => ({ kind: "answer", text, delayMs: 0 }) });

describe("redactSecrets", () => {
  beforeAll(() => {
    process.env[ENV_NAME] = KEY;
    process.env[TOKEN_ENV] = PLAIN_TOKEN;
  });
  afterAll(() => {
    delete process.env[ENV_NAME];
    delete process.env[TOKEN_ENV];
  });

  it("masks values of secret-looking environment variables, also URL-encoded", () => {
    expect(redactSecrets(`auth failed for ${PLAIN_TOKEN}!`)).toBe(`auth failed for ${REDACTED}!`);
    const odd = "p@ss/w0rd+with spaces";
    expect(redactSecrets(`GET /x?key=${encodeURIComponent(odd)}`, { env: { DB_PASSWORD: odd } })).toBe(
      `GET /x?key=${REDACTED}`,
    );
    expect(redactSecrets(`value ${KEY} again ${KEY}`)).toBe(`value ${REDACTED} again ${REDACTED}`);
  });

  it("recognizes key-like variable names only", () => {
    for (const name of [
      "OPENAI_API_KEY",
      "ANTHROPIC_APIKEY",
      "HF_TOKEN",
      "AWS_SECRET",
      "GITHUB_TOKEN",
      "DB_PASSWORD",
      "MY_KEY",
    ]) {
      expect(isSecretEnvName(name), name).toBe(true);
    }
    for (const name of ["PATH", "HOME", "KEYBOARD", "TOKENIZERS_PARALLELISM", "NODE_ENV", "PYRAMID_DATA_DIR"]) {
      expect(isSecretEnvName(name), name).toBe(false);
    }
    // Short values (e.g. `1`, `true`) are left alone: masking them would garble every message.
    expect(redactSecrets("retry 1 of 3: true", { env: { FEATURE_TOKEN: "true", X_KEY: "1" } })).toBe(
      "retry 1 of 3: true",
    );
  });

  it("masks bearer tokens, well-known key shapes, named assignments and extra secrets", () => {
    const none = { env: {} };
    expect(redactSecrets("Authorization: Bearer abc.def-ghi_jkl012", none)).not.toContain("abc.def-ghi_jkl012");
    expect(redactSecrets("Incorrect API key provided: sk-proj-AbCdEf0123456789xyzXYZ.", none)).toBe(
      `Incorrect API key provided: ${REDACTED}.`,
    );
    expect(
      redactSecrets("hf_abcdefghijklmnopqrstu ghp_0123456789abcdefghijABCDEFGHIJ AKIAABCDEFGHIJKLMNOP", none),
    ).toBe(`${REDACTED} ${REDACTED} ${REDACTED}`);
    expect(redactSecrets("https://api.example.com/v1?api_key=abc123def456ghi&x=1", none)).toBe(
      `https://api.example.com/v1?api_key=${REDACTED}&x=1`,
    );
    expect(redactSecrets('{"apiKey": "zz99yy88xx77ww66"}', none)).toBe(`{"apiKey": "${REDACTED}"}`);
    expect(redactSecrets("my pass is hunter2hunter2", { ...none, extraSecrets: ["hunter2hunter2"] })).toBe(
      `my pass is ${REDACTED}`,
    );
  });

  it("leaves ordinary messages alone", () => {
    const none = { env: {} };
    for (const text of [
      "429 Rate limit reached for requests",
      "max_tokens: 4096 is too large; maximum context length is 128000 tokens",
      "The answer is 42. \\boxed{42}",
      'model "small-a" timed out after 30 ms',
      "task-specific skills matter",
    ]) {
      expect(redactSecrets(text, none)).toBe(text);
    }
  });

  it("stays linear on huge inputs", { timeout: 30_000 }, () => {
    const huge = `${"a".repeat(1_000_000)} Bearer ${"b".repeat(1_000_000)} sk-${"c".repeat(1_000_000)} token=${"d1".repeat(500_000)}`;
    const result = redactSecrets(huge, { env: {} });
    expect(result).not.toContain("bbbbbbbbbb");
    expect(result).not.toContain("cccccccccc");
    expect(result).not.toContain("d1d1d1d1d1");
  });
});

describe("keys never reach traces or errors", () => {
  let server: OpenAITestServer;
  let limitedCalls = 0;
  beforeAll(async () => {
    process.env[ENV_NAME] = KEY;
    server = await startOpenAITestServer({
      models: {
        // A worst-case provider: its error body echoes the key it received.
        echo: () => ({
          error: { status: 401, message: `Incorrect API key provided: ${KEY}. Bearer ${KEY}`, code: "invalid_api_key" },
        }),
        limited: () =>
          limitedCalls++ === 0
            ? { error: { status: 429, message: `Rate limit for key ${KEY}` } }
            : { content: "The answer is 7." },
        fine: () => ({ content: "The answer is 7." }),
      },
    });
  });
  afterAll(async () => {
    delete process.env[ENV_NAME];
    await server.close();
  });
  afterEach(() => {
    server.requests.length = 0;
  });

  const openai = (model: string) =>
    createOpenAICompatibleChatModel({
      model,
      baseURL: server.baseURL,
      apiKeyEnv: ENV_NAME,
      maxRetries: 0,
      logprobs: false,
    });

  it("a member whose error echoes its key: the key is sent to the server but absent from the trace", async () => {
    const model = new PyramidChatModel({
      crowd: [openai("echo"), openai("fine"), openai("fine")],
      oracle: openai("fine"),
      task: "math",
    });
    const result = await model.invoke("What is 3 + 4?");
    const pyramid = meta(result);
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(pyramid.candidates[0].error).toMatch(/401/);
    expect(pyramid.candidates[0].error).toContain(REDACTED);
    expect(JSON.stringify(pyramid)).not.toContain(KEY);
    expect(JSON.stringify(result)).not.toContain(KEY);
    expect(pyramid.features.members_answered).toBe(2);
  });

  it("a real 429 is retried through the OpenAI client's error (status), and its key-bearing message is never kept", async () => {
    const limited = openai("limited");
    const model = new PyramidChatModel({
      crowd: [{ model: limited, retries: 1, backoffMs: 5 }, openai("fine")],
      oracle: openai("fine"),
      task: "math",
    });
    const pyramid = meta(await model.invoke("What is 3 + 4?"));
    expect(pyramid.candidates[0]).toMatchObject({ answer: "7" });
    expect(server.chatRequests().filter((r) => r.body?.model === "limited")).toHaveLength(2);
    expect(JSON.stringify(pyramid)).not.toContain(KEY);
  });

  it("a connection refused is a transient network error, retried, then recorded without the key", async () => {
    const closed = await startOpenAITestServer({});
    const baseURL = closed.baseURL;
    await closed.close();
    const unreachable = createOpenAICompatibleChatModel({
      model: "gone",
      baseURL,
      apiKeyEnv: ENV_NAME,
      maxRetries: 0,
      logprobs: false,
    });
    const model = new PyramidChatModel({
      crowd: [{ model: unreachable, retries: 2, backoffMs: 1 }, openai("fine")],
      oracle: openai("fine"),
      task: "math",
    });
    const pyramid = meta(await model.invoke("What is 3 + 4?"));
    expect(pyramid.candidates[0].error).toMatch(/Connection error|ECONNREFUSED|fetch failed/i);
    expect(JSON.stringify(pyramid)).not.toContain(KEY);
  });

  it("when every model fails, the thrown error names the failures without the key", async () => {
    const model = new PyramidChatModel({
      crowd: [openai("echo"), openai("echo")],
      oracle: openai("echo"),
      task: "math",
    });
    const error = await model.invoke("q").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).toMatch(/401/);
    expect((error as Error).message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it("an apex error that echoes the key is redacted in the degraded trace", async () => {
    const model = new PyramidChatModel({
      crowd: [answer("1"), answer("2")],
      oracle: new FaultyChatModel({
        name: "big",
        plan: () => ({ kind: "error", error: httpError(500, `upstream rejected ${KEY}`), delayMs: 0 }),
      }),
      policy: { threshold: 0.1 },
      task: "math",
    });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.degraded).toBe(true);
    expect(pyramid.error).toContain(REDACTED);
    expect(JSON.stringify(pyramid)).not.toContain(KEY);
  });

  it("the key is not in the pyramid's serialized form", () => {
    const model = new PyramidChatModel({ crowd: [openai("fine"), openai("fine")], oracle: openai("fine") });
    expect(JSON.stringify(model)).not.toContain(KEY);
    expect(JSON.stringify(model.invocationParams())).not.toContain(KEY);
  });

  it("LangChain callbacks (LangSmith and any handler) see a member's error with the key masked, in the pyramid's run tree", async () => {
    const errors: string[] = [];
    const starts: { runId: string; parentRunId?: string }[] = [];
    const chainRuns = new Set<string>();
    const handler = BaseCallbackHandler.fromMethods({
      handleChainStart(_chain: unknown, _inputs: unknown, runId: string) {
        chainRuns.add(runId);
      },
      handleChatModelStart(_llm: unknown, _messages: unknown, runId: string, parentRunId?: string) {
        starts.push({ runId, parentRunId });
      },
      handleLLMError(error: unknown) {
        errors.push(String(error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : error));
      },
    });
    const model = new PyramidChatModel({
      crowd: [openai("echo"), openai("fine")],
      oracle: openai("fine"),
      task: "math",
    });
    const pyramid = meta(await model.invoke("q", { callbacks: [handler] }));
    expect(JSON.stringify(pyramid)).not.toContain(KEY);
    // The failed member's run is reported, with its status code, without the key.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/401/);
    expect(errors[0]).toContain(REDACTED);
    expect(errors[0]).not.toContain(KEY);
    // Member runs are still children of the pyramid's graph nodes (the handler's state is shared, not copied).
    const memberRuns = starts.filter((s) => s.parentRunId !== undefined && chainRuns.has(s.parentRunId));
    expect(memberRuns.length).toBeGreaterThanOrEqual(2);
  });
});
