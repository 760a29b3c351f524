import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { describe, expect, it } from "vitest";
import { REDACTED, redactError, redactingCallbacks } from "../../src/index.js";

const KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789";

/** A handler with JS-private state, like LangChain's tracers: its methods must run on the handler itself. */
class PrivateStateHandler extends BaseCallbackHandler {
  name = "private_state_handler";
  #errors: string[] = [];
  #starts = 0;
  override handleChainStart(): void {
    this.#starts++;
  }
  override handleChainError(error: Error): void {
    this.#errors.push(`${error.name}: ${error.message}`);
  }
  report(): { errors: string[]; starts: number } {
    return { errors: [...this.#errors], starts: this.#starts };
  }
}

describe("redactError", () => {
  it("masks the message and the stack, keeps the name, and returns clean errors unchanged", () => {
    const error = new TypeError(`bad key ${KEY}`);
    const redacted = redactError(error) as Error;
    expect(redacted).not.toBe(error);
    expect(redacted.name).toBe("TypeError");
    expect(redacted.message).toBe(`bad key ${REDACTED}`);
    expect(redacted.stack).not.toContain(KEY);
    const clean = new Error("timeout after 5 s");
    expect(redactError(clean)).toBe(clean);
    expect(redactError(`key ${KEY}`)).toBe(`key ${REDACTED}`);
    expect(redactError(42)).toBe(42);
  });
});

describe("redactingCallbacks", () => {
  it("passes errors masked to a manager's handlers, keeps tags, metadata, inheritance and the handler's own state", async () => {
    const handler = new PrivateStateHandler();
    const local = BaseCallbackHandler.fromMethods({ handleChainError() {} });
    const manager = new CallbackManager(undefined, {
      handlers: [handler],
      inheritableHandlers: [handler],
      tags: ["t"],
      metadata: { m: 1 },
    });
    manager.addHandler(local, false);
    const wrapped = redactingCallbacks(manager) as CallbackManager;
    expect(wrapped).not.toBe(manager);
    expect(wrapped.tags).toEqual(["t"]);
    expect(wrapped.metadata).toEqual({ m: 1 });
    expect(wrapped.handlers).toHaveLength(2);
    expect(wrapped.inheritableHandlers).toHaveLength(1);
    expect(wrapped.handlers[0].name).toBe("private_state_handler");
    expect(wrapped.handlers[0]).toBeInstanceOf(PrivateStateHandler);
    const run = await wrapped.handleChainStart({ lc: 1, type: "not_implemented", id: ["test"] }, { input: 1 });
    await run?.handleChainError(new Error(`upstream said: invalid key ${KEY}`));
    await awaitAllCallbacks();
    expect(handler.report()).toEqual({ errors: [`Error: upstream said: invalid key ${REDACTED}`], starts: 1 });
    // The original manager is untouched: its handler would still see the raw error.
    expect(manager.handlers[0]).toBe(handler);
  });

  it("wraps arrays of handlers and leaves no callbacks alone", () => {
    const handler = new PrivateStateHandler();
    const [wrapped] = redactingCallbacks([handler]) as BaseCallbackHandler[];
    expect(wrapped).not.toBe(handler);
    expect(wrapped.name).toBe(handler.name);
    expect((redactingCallbacks([handler]) as BaseCallbackHandler[])[0]).toBe(wrapped);
    expect(redactingCallbacks(undefined)).toBeUndefined();
  });
});
