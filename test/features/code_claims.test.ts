import { describe, expect, it } from "vitest";
import { featureNamesWith, PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import { behaviourFeatureNames, codeBehaviourGroup, measureCodeBehaviour } from "../../src/router/train/index.js";
import type { PyramidMetadata, Router } from "../../src/index.js";
import { codeCandidate } from "../helpers/code_candidates.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

// The claim features of the code behaviour group: the members' results against the outputs written down in the
// members' own examples (assert, print with an output comment, doctest).

const fence = (code: string, usage: string): string =>
  `\`\`\`python\n${code}\n\`\`\`\n\nExample:\n\n\`\`\`python\n${usage}\n\`\`\`\n`;

const measure = (texts: string[], claims = true) =>
  measureCodeBehaviour(
    texts.map((t, i) => codeCandidate(i, t)),
    { prompt: "Write a function." },
    { claims },
  );

describe("code behaviour claims", () => {
  it("reads each member's assert, print-with-output-comment and doctest claims and checks its own code against them", async () => {
    const r = await measure([
      // Claims 6 (comment) and 3.5 (a comment after printing a variable bound to a call): both met by sum.
      fence(
        "def total(xs):\n    return sum(xs)",
        "print(total([1, 2, 3]))  # Output: 6\nr = total([1.5, 2])\nprint(r)  # 3.5",
      ),
      // Claims 9 for [4, 5] (assert); max returns 5, so its own claim fails.
      fence("def biggest(xs):\n    return max(xs)", "assert biggest([4, 5]) == 9"),
      // A doctest claim (met) and a print claim of a string (met: print shows 1); the assert of another member
      // (9 for [4, 5]) is not its claim, so its "9" is not counted against it.
      fence(
        'def as_text(a):\n    """\n    >>> as_text([2, 2])\n    4\n    """\n    return str(sum(a))',
        "print(as_text([1]))  # prints: 1",
      ),
    ]);
    expect(r.probes).toBe(5);
    expect(r.claimsMet).toEqual([1, 0, 1]);
  });

  it("a comment that is not an output claims nothing; rounded numbers meet at their printed precision", async () => {
    const r = await measure([
      fence(
        "def area(r):\n    return 3.14159 * r * r",
        "print(area(1))  # Output: 3.14\nprint(area(2))  # try a bigger one",
      ),
      fence("def area2(r):\n    return 3 * r * r", "print(area2(3))  # 28.3"),
      fence("def area3(r):\n    return 3.14 * r * r", "print(area3(3))"),
    ]);
    expect(r.probes).toBe(4);
    expect(r.claimsMet).toEqual([1, 0, Number.NaN]);
  });

  it("a member whose code fails meets none of its claims; absent claims are NaN", async () => {
    const failed = await measure([
      fence("def inc(n):\n    return n + 1", "assert inc(1) == 2"),
      fence("def inc(n):\n    return n + 1\n\nraise SystemExit(1)", "print(inc(4))  # 5"),
      fence("def up(n):\n    return n + 1", ""),
    ]);
    expect(failed.claimsMet).toEqual([1, 0, Number.NaN]);
    const off = await measure([fence("def inc(n):\n    return n + 1", "assert inc(1) == 2")], false);
    expect(off.claimsMet).toEqual([1]);
  });

  it("an odd claim is no claim and never costs the probes", async () => {
    const r = await measure([
      fence(
        // A doctest call followed by another prompt: no output line, so no claim.
        'def f(n):\n    """\n    >>> f(5)\n    >>> f(6)\n    """\n    return n + 1',
        [
          "assert f(1) == (lambda: 2)()", // not a literal
          "assert f(2) == f(2)", // a call on both sides
          "print(f(3))  # Output: {unbalanced",
          `print(f(4))  # ${"x".repeat(400)}`, // too long to be an output
        ].join("\n"),
      ),
      // The docstring's closing quotes after a doctest call are not its output.
      fence('def g(n):\n    """\n    >>> g(7)\n    """\n    return n', ""),
    ]);
    expect(r.probes).toBe(7);
    // Only "{unbalanced" claims (after "Output:", as shown text), and f(3) = 4 does not print it; g claims nothing.
    expect(r.claimsMet).toEqual([0, Number.NaN]);
  });

  it("are off by default; the feature names follow the option", () => {
    expect(behaviourFeatureNames(2)).not.toContain("behaviour_claims_met_0");
    expect(behaviourFeatureNames(2, true).slice(-2)).toEqual(["behaviour_claims_met_0", "behaviour_claims_met_1"]);
    expect(codeBehaviourGroup().names(2)).toEqual(behaviourFeatureNames(2));
    expect(codeBehaviourGroup({ claims: true }).names(2)).toEqual(behaviourFeatureNames(2, true));
    expect(() => codeBehaviourGroup({ claims: "yes" as unknown as boolean })).toThrow(PyramidConfigError);
  });
});

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

const routerFor = (names: readonly string[] | undefined): Router => ({ featureNames: names, predict: () => 0.1 });

describe("code behaviour claims in the pyramid", () => {
  const crowd = () => [
    new ScriptedChatModel({
      name: "small-0",
      reply: fence("def double(n):\n    return n * 2", "print(double(21))  # 42"),
    }),
    new ScriptedChatModel({ name: "small-1", reply: fence("def twice(n):\n    return n + n", "assert twice(2) == 5") }),
  ];
  const oracle = () => new ScriptedChatModel({ name: "big", reply: fence("def double(n):\n    return 2 * n", "") });

  it("are off by default, on with codeBehaviour.claims or a router trained with them", async () => {
    const withClaims = featureNamesWith(2, [codeBehaviourGroup({ claims: true })]);
    const withoutClaims = featureNamesWith(2, [codeBehaviourGroup()]);
    const byDefault = new PyramidChatModel({ crowd: crowd(), oracle: oracle(), task: "code" });
    expect(Object.keys(meta(await byDefault.invoke("Double a number.")).features)).toEqual(withoutClaims);
    const asked = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      codeBehaviour: { claims: true },
    });
    expect(Object.keys(meta(await asked.invoke("Double a number.")).features)).toEqual(withClaims);

    const trained = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      router: routerFor(withClaims),
    });
    const features = meta(await trained.invoke("Double a number.")).features;
    expect(Object.keys(features)).toEqual(withClaims);
    expect(features.behaviour_claims_met_0).toBe(1);
    expect(features.behaviour_claims_met_1).toBe(0);

    // A router trained without them (every bundle from before they existed) does not compute them.
    const older = new PyramidChatModel({
      crowd: crowd(),
      oracle: oracle(),
      task: "code",
      router: routerFor(withoutClaims),
    });
    expect(Object.keys(meta(await older.invoke("Double a number.")).features)).toEqual(withoutClaims);
  });
});
