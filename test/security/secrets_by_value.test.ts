import { describe, expect, it } from "vitest";
import { registerSecret, redactSecrets, StreamRedactor, summarizeModelError } from "../../src/security/index.js";
import { registerConfigSecrets } from "../../src/config/secrets.js";

describe("secrets by value", () => {
  it("masks a registered value whatever its variable is called, and a redis URL's password", () => {
    const value = "plain-looking-value-93715";
    expect(redactSecrets(`echo ${value}`)).toBe(`echo ${value}`);
    registerSecret(value);
    expect(redactSecrets(`echo ${value} and ${encodeURIComponent(value)}`)).toBe("echo [REDACTED] and [REDACTED]");
    registerSecret("redis://:p%40ssw0rd-long@10.0.0.7:6379/0");
    expect(redactSecrets("auth p@ssw0rd-long failed")).toBe("auth [REDACTED] failed");
    registerSecret("short");
    expect(redactSecrets("a short note")).toBe("a short note");
  });

  it("registers the value of every ...Env field a config names", () => {
    const env = { CRED_A: "value-of-cred-a-5521", TEAM_ACCESS: "value-of-team-8812", UNUSED: "value-unused-4417" };
    registerConfigSecrets(
      { tiers: [{ members: [{ apiKeyEnv: "CRED_A" }] }], tenants: [{ name: "t", keyEnv: "TEAM_ACCESS" }] },
      env,
    );
    expect(redactSecrets("value-of-cred-a-5521 value-of-team-8812 value-unused-4417")).toBe(
      "[REDACTED] [REDACTED] value-unused-4417",
    );
  });

  it("summarises a model error to its status and a generic reason, keeping nothing of its text", () => {
    const cases: Array<[string, string]> = [
      ["InternalServerError: 500 upstream llm-7.corp.internal failed", "HTTP 500: the provider failed"],
      ["AuthenticationError: 401 Incorrect API key provided: abc", "HTTP 401: the provider refused the credentials"],
      ["Error: request failed with status code 429 at /srv/x", "HTTP 429: the provider is rate limiting"],
      ["TimeoutError: member a timed out after 30000 ms", "the model call timed out"],
      ["Error: connect ECONNREFUSED 10.1.2.3:8080", "could not connect to the provider"],
      ["Error: something odd at /home/me/prompt.txt", "the model call failed"],
    ];
    for (const [error, summary] of cases) expect(summarizeModelError(error)).toBe(summary);
  });

  it("masks a secret split over streamed pieces, and sends everything else", () => {
    const secret = "stream-secret-value-6620";
    registerSecret(secret);
    const text = `Start ${"x".repeat(150)} key ${secret} end ${"y".repeat(150)}`;
    for (const size of [1, 5, 7, 13, 40]) {
      const redactor = new StreamRedactor();
      let out = "";
      for (let i = 0; i < text.length; i += size) out += redactor.push(text.slice(i, i + size));
      out += redactor.flush();
      expect(out).toBe(text.replace(secret, "[REDACTED]"));
    }
  });
});

describe("StreamRedactor on a hostile stream", () => {
  it("sends a 100 KB run without spaces piece by piece, holding back a bounded tail", () => {
    const redactor = new StreamRedactor();
    let sent = 0;
    for (let i = 0; i < 20_000; i++) sent += redactor.push("abcde").length;
    expect(sent).toBeGreaterThan(99_000);
    expect(sent + redactor.flush().length).toBe(100_000);
  });
});
