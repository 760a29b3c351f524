import type { BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { PyramidChatModelCallOptions } from "../../src/chat_models/call_options.js";
import { forwardedCallOptions, PYRAMID_CALL_OPTIONS } from "../../src/members/call_options.js";
import type { Member } from "../../src/members/member.js";

// Which call options reach the members comes from one place: a role per option, typed against LangChain's and
// LangGraph's own option types (src/members/call_options.ts) and, here, against the pyramid's call options interface.

function member(name: string): Member {
  const runnable = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-test" });
  return { name, runnable, retries: 0, backoffMs: 0, jitter: false, input: { model: runnable } };
}

describe("call options forwarded to members, from one list of roles", () => {
  it("the pyramid's own options are exactly those PyramidChatModelCallOptions adds to LangChain's", () => {
    // A compile-time check (npm run typecheck): adding an option to the interface without a role fails it.
    type Added = Exclude<keyof PyramidChatModelCallOptions, keyof BaseChatModelCallOptions>;
    expectTypeOf<keyof typeof PYRAMID_CALL_OPTIONS>().toEqualTypeOf<Added>();
    expect(Object.keys(PYRAMID_CALL_OPTIONS).sort()).toEqual(
      ["deadlineMs", "ledger", "parallel_tool_calls", "response_format", "strict", "tools"].sort(),
    );
  });

  it("a real ChatOpenAI member gets its model options and none of the plumbing", () => {
    const plumbing = {
      signal: new AbortController().signal,
      timeout: 1000,
      callbacks: [],
      tags: ["t"],
      metadata: { k: 1 },
      runName: "r",
      runId: "id",
      configurable: { thread_id: "1" },
      recursionLimit: 5,
      maxConcurrency: 2,
      outputVersion: "v1",
      ls_structured_output_format: { kwargs: {} },
      writer: () => undefined,
      store: {},
      context: {},
      interrupt: () => undefined,
      heartbeat: () => undefined,
      control: {},
      durability: "async",
      promptIndex: 0,
      runtime: {},
      ledger: {},
      deadlineMs: 100,
    };
    const model = { stop: ["\n"], seed: 7, tools: [], tool_choice: "auto", response_format: { type: "json_object" } };
    expect(forwardedCallOptions({ ...plumbing, ...model }, [member("a")])).toEqual(model);
    // An option no member declares is not forwarded either (any LangChain chat model ignores it too).
    expect(forwardedCallOptions({ no_such_option: 1 }, [member("a")])).toEqual({});
  });

  it("every key ChatOpenAI declares in its callKeys is either a model option or plumbing kept back", () => {
    const declared = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-test" }).callKeys;
    const forwarded = Object.keys(forwardedCallOptions(Object.fromEntries(declared.map((k) => [k, 1])), [member("a")]));
    const kept = declared.filter((key) => !forwarded.includes(key)).sort();
    expect(kept).toEqual(expect.arrayContaining(["callbacks", "metadata", "signal", "tags", "timeout"]));
    expect(forwarded).toEqual(expect.arrayContaining(["stop", "tool_choice", "seed"]));
  });
});
