import { describe, expect, it } from "vitest";
import {
  featureNames,
  featureNamesWith,
  PyramidChatModel,
  PyramidConfigError,
  RouterModelError,
} from "../../src/index.js";
import { behaviourFeatureNames, codeBehaviourGroup } from "../../src/router/train/index.js";
import type { PyramidMetadata, Router } from "../../src/index.js";
import { SandboxPool } from "../../src/sandbox/index.js";
import { parsePyramidConfig, pyramidFromConfig } from "../../src/config/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

const program = (name: string, body: string, usage = ""): string =>
  `\`\`\`python\ndef ${name}(n):\n    return ${body}\n\`\`\`\n${usage ? `\nFor example:\n\n\`\`\`python\n${usage}\n\`\`\`\n` : ""}`;

/** A crowd of three that write the same behaviour under different names (one shows a usage example). */
const crowd = (): ScriptedChatModel[] => [
  new ScriptedChatModel({ name: "small-0", reply: program("double", "n * 2", "print(double(21))") }),
  new ScriptedChatModel({ name: "small-1", reply: program("twice", "n + n") }),
  new ScriptedChatModel({ name: "small-2", reply: program("times_two", "2 * n") }),
];
const oracle = (): ScriptedChatModel => new ScriptedChatModel({ name: "big", reply: program("double", "n << 1") });

/** A router that records what it was given and names the features it was "trained" on. */
function namedRouter(names: readonly string[] | undefined, seen: Record<string, number>[] = []): Router {
  return {
    featureNames: names,
    predict: (vector) => {
      seen.push(Object.fromEntries(vector.names.map((n, i) => [n, vector.values[i]])));
      return 0.9;
    },
  };
}

describe("code behaviour in the pyramid", () => {
  it("is on for task code: the router sees behaviour_* after the base features", async () => {
    const seen: Record<string, number>[] = [];
    const model = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      router: namedRouter(undefined, seen),
    });
    const result = await model.invoke("Write a function that doubles a number.");
    const features = meta(result).features;
    expect(Object.keys(features)).toEqual(featureNamesWith(3, [codeBehaviourGroup()]));
    // Three different programs: exact agreement sees three answers, behaviour sees one cluster.
    expect(features.vote_share).toBeCloseTo(1 / 3, 10);
    expect(features.behaviour_cluster_share).toBe(1);
    expect(features.behaviour_probes).toBe(1);
    expect(seen[0].behaviour_pairwise_agreement).toBe(1);
  });

  it("is off for other tasks, with codeBehaviour: false, and for a router trained without it", async () => {
    for (const options of [{ task: "text" as const }, { task: "code" as const, codeBehaviour: false }]) {
      const model = new PyramidChatModel({ crowd: crowd(), oracle: oracle(), ...options });
      const features = meta(await model.invoke("Write it.")).features;
      expect(Object.keys(features)).toEqual(featureNames(3));
    }
    const old = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      router: namedRouter(featureNames(3)),
    });
    expect(Object.keys(meta(await old.invoke("Write it.")).features)).toEqual(featureNames(3));
    const trained = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      router: namedRouter(featureNamesWith(3, [codeBehaviourGroup()])),
    });
    expect(Object.keys(meta(await trained.invoke("Write it.")).features)).toContain(behaviourFeatureNames(3)[0]);
  });

  it("refuses codeBehaviour: true with a router trained without it, and bad limits, naming the field", () => {
    expect(
      () =>
        new PyramidChatModel({
          crowd: crowd(),
          oracle: oracle(),
          task: "code",
          codeBehaviour: true,
          router: namedRouter(featureNames(3)),
        }),
    ).toThrow(RouterModelError);
    let error: unknown;
    try {
      new PyramidChatModel({ crowd: crowd(), oracle: oracle(), task: "code", codeBehaviour: { runTimeoutMs: 0 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).field).toBe("codeBehaviour.runTimeoutMs");
  });

  it("a sandbox that cannot run never fails the query: the features are NaN", async () => {
    const pool = new SandboxPool({
      defaults: { python: "/nonexistent/python3", isolation: "none", unsafeAllowUnsandboxedCode: true },
    });
    const model = new PyramidChatModel({ crowd: crowd(), oracle: oracle(), task: "code", codeBehaviour: { pool } });
    const result = await model.invoke("Write a function that doubles a number.");
    const features = meta(result).features;
    expect(Number.isNaN(features.behaviour_probes)).toBe(true);
    expect(Number.isNaN(features.behaviour_in_largest_0)).toBe(true);
    expect(features.vote_share).toBeCloseTo(1 / 3, 10);
  });
});

describe("code behaviour in a config file", () => {
  const config = (extra: Record<string, unknown>) =>
    parsePyramidConfig(
      JSON.stringify({
        tiers: [
          { name: "crowd", members: [{ provider: "openai", model: "a", baseURL: "http://127.0.0.1:9/v1" }] },
          { name: "oracle", members: [{ provider: "openai", model: "b", baseURL: "http://127.0.0.1:9/v1" }] },
        ],
        task: "code",
        ...extra,
      }),
    );

  it("is on for task code by default, off with codeBehaviour: false, and its limits are checked", async () => {
    expect((await pyramidFromConfig(config({}))).spec.featureGroups.map((g) => g.name)).toEqual(["code_behaviour"]);
    expect((await pyramidFromConfig(config({ codeBehaviour: false }))).spec.featureGroups).toEqual([]);
    expect((await pyramidFromConfig(config({ codeBehaviour: { maxProbes: 4 } }))).spec.featureGroups).toHaveLength(1);
    let error: unknown;
    try {
      config({ codeBehaviour: { runTimeoutMs: -5 } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect(String(error)).toContain("codeBehaviour.runTimeoutMs");
  });
});
