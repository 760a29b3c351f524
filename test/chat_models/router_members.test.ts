import { fileURLToPath } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { evalCommand } from "../../src/cli/commands/eval.js";
import { PyramidChatModel, RouterModelError, loadRouter } from "../../src/index.js";
import { PyramidError } from "../../src/errors/index.js";
import { tempDirs } from "../helpers/temp_dirs.js";

// Point 5 of issue #13: router bundles are checked against the pyramid's member names, not only their order.

const routers = (file: string) => fileURLToPath(new URL(`../../routers/${file}`, import.meta.url));
const GSM8K_ROUTER = routers("gsm8k-llama8b-gemma9b-qwen7b.json");
const MBPP_ROUTER = routers("mbpp-mistral7b-wizardlm13b-mixtral.json");
const GSM8K_CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const MBPP_CROWD = ["mistralai/mixtral-8x7b-chat", "WizardLM/WizardLM-13B-V1.2", "mistralai/mistral-7b-chat"];
const f = () => new FakeListChatModel({ responses: ["4"] });
const crowdOf = (names: string[]) => names.map((name) => ({ name, model: f() }));

const tmp = tempDirs("router-members-");

async function runEval(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  const error = vi
    .spyOn(console, "error")
    .mockImplementation((...args: unknown[]) => void err.push(args.map(String).join(" ")));
  try {
    try {
      return { code: await evalCommand.run(argv), stderr: err.join("\n") };
    } catch (thrown) {
      if (!(thrown instanceof PyramidError)) throw thrown;
      return { code: 1, stderr: `pyramid-moa eval: ${thrown.message}` };
    }
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("a router trained for other members", () => {
  it("is refused with an error listing both member lists", () => {
    const build = () =>
      new PyramidChatModel({ crowd: crowdOf(GSM8K_CROWD), oracle: f(), task: "code", router: loadRouter(MBPP_ROUTER) });
    expect(build).toThrow(RouterModelError);
    expect(build).toThrow(/mistralai\/mixtral-8x7b-chat.*Meta-Llama-3\.1-8B-Instruct/);
    expect(build).toThrow(/allowRouterMemberMismatch/);
  });

  it("is accepted when the user opts in with allowRouterMemberMismatch: true", () => {
    const pyramid = new PyramidChatModel({
      crowd: crowdOf(GSM8K_CROWD),
      oracle: f(),
      task: "code", // the MBPP router reads the code behavioural features
      router: loadRouter(MBPP_ROUTER),
      allowRouterMemberMismatch: true,
    });
    expect(pyramid.spec.tiers[0].members.map((m) => m.name)).toEqual(GSM8K_CROWD);
  });

  it("names the task when a code router is used without the code behavioural features", () => {
    expect(
      () => new PyramidChatModel({ crowd: crowdOf(MBPP_CROWD), oracle: f(), router: loadRouter(MBPP_ROUTER) }),
    ).toThrow(/task: "code"/);
  });

  it("passes with the member names it was trained for (whatever the benchmark), and refuses another order", () => {
    expect(
      () => new PyramidChatModel({ crowd: crowdOf(GSM8K_CROWD), oracle: f(), router: loadRouter(GSM8K_ROUTER) }),
    ).not.toThrow();
    expect(
      () =>
        new PyramidChatModel({
          crowd: crowdOf(MBPP_CROWD),
          oracle: f(),
          task: "code",
          router: loadRouter(MBPP_ROUTER),
        }),
    ).not.toThrow();
    const reordered = [GSM8K_CROWD[1], GSM8K_CROWD[0], GSM8K_CROWD[2]];
    expect(
      () => new PyramidChatModel({ crowd: crowdOf(reordered), oracle: f(), router: loadRouter(GSM8K_ROUTER) }),
    ).toThrow(/another order/);
  });

  it("pyramid-moa eval --router <bundle of other members> stops before reading any data, and says how to opt in", async () => {
    const out = tmp();
    const { code, stderr } = await runEval([
      "--benchmark",
      "gsm8k",
      "--router",
      MBPP_ROUTER,
      "--out",
      out,
      "--recorded",
      "/nonexistent.jsonl",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--router .*mbpp.*other members/);
    expect(stderr).toContain("Meta-Llama-3.1-8B-Instruct");
    expect(stderr).toContain("mistralai/mistral-7b-chat");
    expect(stderr).toContain("--allow-router-member-mismatch");
  });
});
