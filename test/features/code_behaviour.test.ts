import { describe, expect, it } from "vitest";
import { computeFeaturesWith, featureNames, featureNamesWith, PyramidConfigError } from "../../src/index.js";
import { behaviourFeatureNames, codeBehaviourGroup, measureCodeBehaviour } from "../../src/router/train/index.js";
import type { BehaviourAgreement, Candidate } from "../../src/index.js";
import { codeCandidate } from "../helpers/code_candidates.js";
import { thrownBy } from "../helpers/thrown.js";

/** A crowd candidate whose output is `text` (or a failed call when `error` is given). */
const candidate = (index: number, text: string, error?: string): Candidate =>
  codeCandidate(index, text, error ? { error } : {});

const fence = (code: string, usage = ""): string =>
  `Here is the function:\n\n\`\`\`python\n${code}\n\`\`\`\n${usage ? `\nExample:\n\n\`\`\`python\n${usage}\n\`\`\`\n` : ""}`;

const measure = (texts: (string | Error)[], prompt = "Write a function.", options = {}): Promise<BehaviourAgreement> =>
  measureCodeBehaviour(
    texts.map((t, i) => (t instanceof Error ? candidate(i, "", t.message) : candidate(i, t))),
    { prompt },
    options,
  );

describe("code behavioural agreement", () => {
  it("agreeing candidates form one cluster, whatever their function names", async () => {
    const r = await measure([
      fence("def total(xs):\n    return sum(xs)", "print(total([1, 2, 3]))  # 6"),
      fence(
        "def list_sum(values):\n    s = 0\n    for v in values:\n        s += v\n    return s",
        "assert list_sum([4, 5]) == 9",
      ),
      fence("def add_all(a):\n    import functools\n    return functools.reduce(lambda x, y: x + y, a, 0)"),
    ]);
    expect(r.probes).toBe(2);
    expect(r.clusterShare).toBe(1);
    expect(r.pairwiseAgreement).toBe(1);
    expect(r.failed).toBe(0);
    expect(r.inLargest).toEqual([1, 1, 1]);
  });

  it("disagreeing candidates: three clusters, ties to the first member", async () => {
    const r = await measure([
      fence("def f(xs):\n    return sum(xs)", "print(f([1, 2, 5]))"),
      fence("def g(xs):\n    return max(xs)"),
      fence("def h(xs):\n    return len(xs)"),
    ]);
    expect(r.probes).toBe(1);
    expect(r.clusterShare).toBeCloseTo(1 / 3, 10);
    expect(r.pairwiseAgreement).toBe(0);
    expect(r.inLargest).toEqual([1, 0, 0]);
  });

  it("a crashing candidate counts as failed and is in no cluster; a failed call is absent", async () => {
    const r = await measure([
      fence("def sq(n):\n    return n * n", ">>> sq(3)\n9"),
      fence("def square(n)\n    return n ** 2"),
      fence("def power2(n):\n    return n ** 2\n\nraise RuntimeError('boom')"),
      new Error("HTTP 500"),
    ]);
    expect(r.probes).toBe(1);
    expect(r.failed).toBe(2);
    expect(r.clusterShare).toBeCloseTo(1 / 3, 10);
    expect(r.inLargest).toEqual([1, 0, 0, Number.NaN]);
  });

  it("maps calls to the candidate's main function by arity, not to its helpers", async () => {
    const r = await measure([
      fence("def add_numbers(a, b):\n    return a + b", "assert add_numbers(2, 3) == 5"),
      fence(
        "def check(x):\n    return isinstance(x, int)\n\ndef sum_two(x, y):\n    assert check(x)\n    return x + y",
      ),
      fence("def plus(p, q):\n    return p - q"),
    ]);
    expect(r.inLargest).toEqual([1, 1, 0]);
    expect(r.clusterShare).toBeCloseTo(2 / 3, 10);
  });

  it("aligns swapped arguments: by parameter name, else by the order that runs", async () => {
    const r = await measure([
      fence("def take(lst, k):\n    return lst[:k]", "print(take([1, 2, 3], 2))"),
      fence("def take(k, lst):\n    return lst[:k]"),
      fence("def first_k(count, items):\n    return items[:count]"),
    ]);
    expect(r.inLargest).toEqual([1, 1, 1]);
    expect(r.pairwiseAgreement).toBe(1);
    // Same types, so no order fails: only the parameter names tell that `power(exp, base)` swapped them.
    const byName = await measure([
      fence("def power(base, exp):\n    return base ** exp", "print(power(2, 3))"),
      fence("def power(exp, base):\n    return base ** exp"),
      fence("def pw(a, b):\n    return b ** a"),
    ]);
    expect(byName.inLargest).toEqual([1, 1, 0]);
  });

  it("reads probes from the prompt when it shows calls, and resolves literal variables", async () => {
    const fromPrompt = await measure(
      [fence("def square(n):\n    return n * n"), fence("def square(n):\n    return n + n")],
      "Write square, e.g. square(3) gives 9.",
    );
    expect(fromPrompt.probes).toBe(1);
    expect(fromPrompt.inLargest).toEqual([1, 0]);
    const variables = await measure([
      fence("def strip_all(s):\n    return s.replace(' ', '')", 's = "a b  c"\nprint(strip_all(s))'),
      fence("def strip_all(s):\n    return ''.join(s.split())"),
    ]);
    expect(variables.probes).toBe(1);
    expect(variables.clusterShare).toBe(1);
  });

  it("is NaN when no probe is found (and runs nothing)", async () => {
    const r = await measure([fence("def f(n):\n    return n + 1"), fence("def g(n):\n    return n + 2")]);
    expect(r.probes).toBe(0);
    expect([r.clusterShare, r.pairwiseAgreement, r.failed, ...r.inLargest].every(Number.isNaN)).toBe(true);
  });

  it("a candidate past the per-run time cap counts as failed; past the query budget everything is NaN", async () => {
    const sleeper = fence("import time\ndef f(n):\n    return n\ntime.sleep(30)");
    const quick = fence("def g(n):\n    return n", "print(g(4))");
    const capped = await measure([quick, sleeper], "", { runTimeoutMs: 1500 });
    expect(capped.failed).toBe(1);
    expect(capped.inLargest).toEqual([1, 0]);
    const budget = await measure([quick, sleeper], "", { runTimeoutMs: 30_000, budgetMs: 1500 });
    expect(Number.isNaN(budget.probes)).toBe(true);
    expect(budget.inLargest.every(Number.isNaN)).toBe(true);
  });

  it("stops on the query's abort and resolves with NaN", async () => {
    const controller = new AbortController();
    const sleeper = fence("import time\ndef f(n):\n    return n\ntime.sleep(30)", "print(f(1))");
    const pending = measureCodeBehaviour(
      [candidate(0, sleeper), candidate(1, sleeper)],
      {
        prompt: "",
        signal: controller.signal,
      },
      { runTimeoutMs: 60_000, budgetMs: 60_000 },
    );
    setTimeout(() => controller.abort(new Error("client went away")), 300);
    const r = await pending;
    expect(Number.isNaN(r.probes)).toBe(true);
    expect(r.inLargest.every(Number.isNaN)).toBe(true);
  }, 20_000);

  it("as a feature group: named, ordered, appended after the base features", async () => {
    const group = codeBehaviourGroup();
    expect(featureNamesWith(3, [group])).toEqual([...featureNames(3), ...behaviourFeatureNames(3)]);
    const crowd = [
      candidate(0, fence("def f(x):\n    return x * 2", "print(f(21))")),
      candidate(1, fence("def g(x):\n    return x + x")),
      candidate(2, fence("def h(x):\n    return x ** 2")),
    ];
    const vector = await computeFeaturesWith(crowd, [group], { prompt: "" });
    expect(vector.names).toEqual(featureNamesWith(3, [group]));
    const at = (name: string): number => vector.values[vector.names.indexOf(name)];
    expect(at("behaviour_cluster_share")).toBeCloseTo(2 / 3, 10);
    expect([0, 1, 2].map((i) => at(`behaviour_in_largest_${i}`))).toEqual([1, 1, 0]);
  });

  it("rejects a bad option, naming the field", () => {
    expect(() => codeBehaviourGroup({ runTimeoutMs: -1 })).toThrow(PyramidConfigError);
    const error = thrownBy(() => codeBehaviourGroup({ budgetMs: 0 }));
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).field).toBe("codeBehaviour.budgetMs");
  });
});
