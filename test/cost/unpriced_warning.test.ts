import { describe, expect, it, vi } from "vitest";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { PyramidChatModel } from "../../src/index.js";

/** Waits for the next "warning" event with `code`, or for `ms`. */
function nextWarning(code: string, ms = 2000): Promise<Error | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(undefined), ms);
    const listener = (warning: Error & { code?: string }) => {
      if (warning.code === code) done(warning);
    };
    const done = (value: Error | undefined) => {
      clearTimeout(timer);
      process.off("warning", listener);
      resolve(value);
    };
    process.on("warning", listener);
  });
}

describe("the unpriced-member warning under the test setup", () => {
  it("is still emitted for an unpriced member (only its printing is quiet in tests); a priced member has none", async () => {
    const model = (answer: string) => new FakeListChatModel({ responses: [answer] });
    const warned = nextWarning("PYRAMID_MOA_UNPRICED");
    await new PyramidChatModel({
      crowd: [
        { name: "unpriced-warning-test-member", model: model("4") },
        { name: "priced-warning-test-member", model: model("4"), price: { input: 1, output: 1 } },
      ],
      oracle: { name: "priced-warning-test-apex", model: model("4"), price: { input: 1, output: 1 } },
    }).invoke("2+2?");
    const warning = await warned;
    expect(warning?.name).toBe("PyramidMoaWarning");
    expect(warning?.message).toContain('member "unpriced-warning-test-member" has no price');
    expect(warning?.message).not.toContain('"priced-warning-test-member"');
  });

  it("other warnings are printed as usual", async () => {
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const seen = nextWarning("PYRAMID_TEST_OTHER");
    process.emitWarning("some other warning", { type: "TestWarning", code: "PYRAMID_TEST_OTHER" });
    await seen;
    await new Promise((resolve) => setImmediate(resolve));
    spy.mockRestore();
    expect(writes.join("")).toContain("[PYRAMID_TEST_OTHER] TestWarning: some other warning");
  });
});
