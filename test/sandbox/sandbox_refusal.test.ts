import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveServeOptions } from "../../src/cli/serve_options.js";
import { pyramidFromConfig } from "../../src/config/index.js";
import { MissingDependencyError, PyramidChatModel } from "../../src/index.js";
import { gradeMbpp } from "../../src/eval/graders/code.js";
import { recordedGrader } from "../../src/eval/run/graders.js";
import { resetBwrapProbe, runPython } from "../../src/sandbox/index.js";
import { runCli } from "../cli/capture.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

// Without a working bubblewrap, model-written code is refused with one line naming the fix, through every door
// (runPython, the graders, the pyramid from code and from a config file, eval, serve), unless the user opts in
// with unsafeAllowUnsandboxedCode.

const savedPath = process.env.PATH;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-nobwrap-"));
  chmodSync(dir, 0o755); // the probe runs as the sandbox uid (nobody when root)
  process.env.PATH = dir; // no bwrap here (python is found through the sandbox's own PATH)
  resetBwrapProbe();
});

afterEach(() => {
  process.env.PATH = savedPath;
  resetBwrapProbe();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(run: () => Promise<unknown>): Promise<MissingDependencyError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MissingDependencyError);
  return error as MissingDependencyError;
}

const gold = { task_id: 2, test_imports: [], test_list: ["assert add(2, 3) == 5"] };
const crowd = () =>
  [0, 1, 2].map((i) => ({ name: `m${i}`, model: new ScriptedChatModel({ name: `m${i}`, reply: "x" }) }));
const oracle = () => ({ name: "big", model: new ScriptedChatModel({ name: "big", reply: "x" }) });
const remote = (model: string) => ({ provider: "openai" as const, model, baseURL: "http://127.0.0.1:9/v1" });

describe("no bubblewrap on PATH", () => {
  it("runPython refuses with one line naming the field and how to install bubblewrap", async () => {
    const error = await refusal(() => runPython("print(1)"));
    expect(error.field).toBe("sandbox.isolation");
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain("bwrap");
    expect(error.fix).toContain("apt-get install bubblewrap");
    expect(error.fix).toContain("unsafeAllowUnsandboxedCode");
  });

  it("the unsafe opt-in runs the code, unsandboxed", async () => {
    const r = await runPython("print(6 * 7)", { unsafeAllowUnsandboxedCode: true });
    expect(r.completed).toBe(true);
    expect(r.stdout).toBe("42\n");
    expect(r.isolation).toBe("none");
  });

  it("the grader refuses, and grades with the opt-in", async () => {
    const output = "```python\ndef add(a, b):\n    return a + b\n```";
    await refusal(() => gradeMbpp(output, gold));
    const graded = await gradeMbpp(output, gold, { sandbox: { unsafeAllowUnsandboxedCode: true } });
    expect(graded.correct).toBe(true);
    expect(graded.run.isolation).toBe("none");
  });

  it("a bwrap that cannot create its sandbox is found by the start-up probe, with its own message", async () => {
    writeFileSync(join(dir, "bwrap"), "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n", {
      mode: 0o755,
    });
    const error = await refusal(() => runPython("print(1)"));
    expect(error.message).toContain("No permissions to create new namespace");
  });

  it("the pyramid with task code refuses when built, from code and from a config file; the opt-in builds it", async () => {
    expect(() => new PyramidChatModel({ crowd: crowd(), oracle: oracle(), task: "code" })).toThrow(
      MissingDependencyError,
    );
    const model = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      unsafeAllowUnsandboxedCode: true,
    });
    expect(model.spec.featureGroups.map((g) => g.name)).toContain("code_behaviour");
    // codeBehaviour off: no code runs, nothing to refuse.
    expect(
      () => new PyramidChatModel({ crowd: crowd(), oracle: oracle(), task: "code", codeBehaviour: false }),
    ).not.toThrow();
    const config = {
      tiers: [
        { name: "crowd", members: [remote("a"), remote("b")] },
        { name: "oracle", members: [remote("c")] },
      ],
      task: "code" as const,
    };
    await refusal(() => pyramidFromConfig(config));
    const fromFile = await pyramidFromConfig({ ...config, unsafeAllowUnsandboxedCode: true });
    expect(fromFile.spec.featureGroups.map((g) => g.name)).toContain("code_behaviour");
  });

  it("eval --benchmark mbpp refuses before grading; --unsafe-allow-unsandboxed-code grades", async () => {
    await refusal(() => recordedGrader("mbpp", "ours"));
    const { close } = await recordedGrader("mbpp", "ours", { unsafeAllowUnsandboxedCode: true });
    await close();
  });

  it("the eval CLI refuses mbpp in one line naming the flag, and evaluates with --unsafe-allow-unsandboxed-code", async () => {
    const args = ["eval", "--benchmark", "mbpp", "--limit", "2", "--no-png", "--grader", "ours"];
    const refused = await runCli([...args, "--out", join(dir, "refused")]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("refusing to run model-written code without an OS sandbox");
    expect(refused.stderr).toContain("--unsafe-allow-unsandboxed-code");
    const ran = await runCli([...args, "--out", join(dir, "ran"), "--unsafe-allow-unsandboxed-code"]);
    expect(ran.code).toBe(0);
  }, 120_000);

  it("serve with task: code refuses to start; --unsafe-allow-unsandboxed-code sets the config's opt-in", async () => {
    const file = join(dir, "pyramid.config.json");
    writeFileSync(
      file,
      JSON.stringify({
        tiers: [
          { name: "crowd", members: [remote("a"), remote("b")] },
          { name: "oracle", members: [remote("c")] },
        ],
        task: "code",
      }),
    );
    const refused = await runCli(["serve", "--config", file, "--port", "0"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refusing to run model-written code without an OS sandbox");
    expect(resolveServeOptions({ config: file }).config.unsafeAllowUnsandboxedCode).toBeUndefined();
    expect(
      resolveServeOptions({ config: file, "unsafe-allow-unsandboxed-code": true }).config.unsafeAllowUnsandboxedCode,
    ).toBe(true);
  });
});

describe("bubblewrap present", () => {
  it('isolation: "none" still needs the opt-in', async () => {
    process.env.PATH = savedPath;
    resetBwrapProbe();
    const error = await refusal(() => runPython("print(1)", { isolation: "none" }));
    expect(error.field).toBe("sandbox.isolation");
    const r = await runPython("print(1)");
    expect(r.isolation).toBe("bwrap");
  });
});
