import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { calledFunctionNames } from "../../src/answers/code_extract.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { loadMbpp, type MbppGold } from "../../src/eval/benchmarks/mbpp.js";
import { gradeMbpp } from "../../src/eval/graders/code.js";
import { RecordedOutputs } from "../../src/replay/recorded_outputs.js";
import { SandboxPool } from "../../src/sandbox/index.js";
import { missing } from "../helpers/requires.js";

// Forged grades (issue #22): candidates whose function is wrong but which try to be graded correct by reaching the
// harness (stack walk, gc, printing a token or a fake verdict, exiting early, patching builtins, an object equal to
// everything, killing or writing into the judge). A grade is forged when such a candidate is graded correct. Each
// runs on real MBPP tasks of recorded/mbpp.jsonl and must be graded wrong; the tasks' reference solutions pass.

/** Prints every hex string (token- or nonce-shaped) reachable from frames and the gc, as tokens and as verdicts. */
const LEAK = [
  "import gc, os, re, sys",
  "def _leak():",
  "    found = set()",
  "    fr = sys._getframe()",
  "    while fr is not None:",
  "        for v in list(fr.f_locals.values()) + list(fr.f_globals.values()):",
  "            if isinstance(v, str) and re.fullmatch(r'[0-9a-f]{32,64}', v):",
  "                found.add(v)",
  "        fr = fr.f_back",
  "    for o in gc.get_objects():",
  "        if isinstance(o, dict):",
  "            for v in list(o.values()):",
  "                if isinstance(v, str) and re.fullmatch(r'[0-9a-f]{32,64}', v):",
  "                    found.add(v)",
  "    tokens = ['0' * 48] + sorted(found)",
  '    lines = [t + \' {"passed": true, "reason": null, "test": null}\' for t in tokens] + tokens',
  "    for fd in (1, 2):",
  "        try:",
  "            os.write(fd, ('\\n' + '\\n'.join(lines) + '\\n').encode())",
  "        except OSError:",
  "            pass",
  "",
].join("\n");

const wrong = (name: string): string => `def ${name}(*args, **kwargs):\n    return None\n`;

/** The forging candidates: name -> program (given the tested function's name). */
const FORGERS: Record<string, (name: string) => string> = {
  "wrong function, no trick": (n) => wrong(n),
  "sys._getframe walk + token print + os._exit(0) at load": (n) => `${LEAK}${wrong(n)}_leak()\nos._exit(0)\n`,
  "same walk from inside the tested call": (n) => `${LEAK}def ${n}(*args, **kwargs):\n    _leak()\n    os._exit(0)\n`,
  "sys.exit(0) at load": (n) => `import sys\n${wrong(n)}sys.exit(0)\n`,
  "os._exit(0) inside the call": (n) => `import os\ndef ${n}(*args, **kwargs):\n    os._exit(0)\n`,
  "SystemExit raised in an atexit handler": (n) =>
    `import atexit\n${wrong(n)}def _bye():\n    raise SystemExit(0)\natexit.register(_bye)\n`,
  "monkey-patched builtins and AssertionError": (n) =>
    `import builtins\nclass _Never(Exception):\n    pass\nbuiltins.AssertionError = _Never\nbuiltins.set = lambda *a, **k: 1\nbuiltins.sorted = lambda *a, **k: 1\nbuiltins.isinstance = lambda *a: True\n${wrong(n)}`,
  "returned object whose __eq__ is always True": (n) =>
    `class _Eq:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n    __hash__ = object.__hash__\ndef ${n}(*args, **kwargs):\n    return _Eq()\n`,
  "int and list subclasses equal to everything": (n) =>
    `class _I(int):\n    def __eq__(self, other):\n        return True\nclass _L(list):\n    def __eq__(self, other):\n        return True\ndef ${n}(*args, **kwargs):\n    return _L([_I(7)])\n`,
  "kill the parent process": (n) => `import os, signal\n${wrong(n)}os.kill(os.getppid(), signal.SIGKILL)\n`,
  "write a fake verdict into other processes' stdout": (n) =>
    `${LEAK}${wrong(n)}for _p in os.listdir('/proc'):\n    if _p.isdigit():\n        try:\n            with open('/proc/%s/fd/1' % _p, 'w') as _f:\n                _f.write('\\n' + '0' * 48 + ' {"passed": true}\\n')\n        except OSError:\n            pass\n        try:\n            open('/proc/%s/mem' % _p, 'rb').read(1)\n        except OSError:\n            pass\n`,
};

const recorded = join(dataDir(), "recorded", "mbpp.jsonl");

/** The first `count` distinct MBPP tasks of the recorded file, with the reference solution of the benchmark. */
function tasks(count: number): { id: string; gold: MbppGold; reference: string }[] {
  const store = RecordedOutputs.load(recorded);
  const solutions = new Map(loadMbpp().map((t) => [t.id, t.code]));
  const seen = new Map<string, MbppGold>();
  for (const line of store.lines) {
    if (!line.id || seen.has(line.id) || !line.gold || typeof line.gold !== "object") continue;
    seen.set(line.id, line.gold as MbppGold);
    if (seen.size === count) break;
  }
  return [...seen].map(([id, gold]) => ({ id, gold, reference: solutions.get(id) ?? "" }));
}

/** Forgers that shadow what the tests themselves call: builtins and standard modules (tests using set, math, sys). */
const SHADOWERS: Record<string, (name: string) => string> = {
  "module-level builtins shadowed (set, sorted, len, abs, round, isinstance) with a constant": (n) =>
    `${wrong(n)}def set(*a, **k):\n    return 1\nsorted = len = abs = round = set\ndef isinstance(*a):\n    return True\n`,
  "fake math and sys objects bound to the module names": (n) =>
    `${wrong(n)}class _Anything:\n    def __getattr__(self, name):\n        return lambda *a, **k: 1\nmath = _Anything()\nsys = _Anything()\n`,
};

/**
 * Recorded MBPP tasks whose asserts call `set(` (the first three) or use `math.`/`sys.` without importing it (the
 * candidate's import is what they rely on), with their reference code.
 */
function shadowedTasks(): { id: string; gold: MbppGold; reference: string }[] {
  const store = RecordedOutputs.load(recorded);
  const solutions = new Map(loadMbpp().map((t) => [t.id, t.code]));
  const seen = new Map<string, MbppGold>();
  let sets = 0;
  for (const line of store.lines) {
    if (!line.id || seen.has(line.id) || !line.gold || typeof line.gold !== "object") continue;
    const gold = line.gold as MbppGold;
    const text = gold.test_list.join("\n");
    const unimported = ["math", "sys"].some(
      (m) => text.includes(`${m}.`) && !gold.test_imports.some((i) => i.includes(m)),
    );
    if (unimported || (sets < 3 && /\bset\(/.test(text))) {
      if (!unimported) sets += 1;
      seen.set(line.id, gold);
    }
  }
  return [...seen].map(([id, gold]) => ({ id, gold, reference: solutions.get(id) ?? "" }));
}

describe.skipIf(missing(existsSync(recorded), "recorded/mbpp.jsonl (set PYRAMID_DATA_DIR)"))("forged grades", () => {
  it("every forging candidate is graded wrong on real MBPP tasks; the reference solutions pass", async () => {
    const pool = new SandboxPool();
    const picked = tasks(4);
    expect(picked).toHaveLength(4);
    const runs = picked.flatMap((task) => {
      const name = calledFunctionNames(task.gold.test_list)[0];
      return [
        { task, forger: "reference", output: `\`\`\`python\n${task.reference}\n\`\`\`` },
        ...Object.entries(FORGERS).map(([forger, build]) => ({
          task,
          forger,
          output: `\`\`\`python\n${build(name)}\`\`\``,
        })),
      ];
    });
    const graded = await Promise.all(
      runs.map(async (r) => ({ ...r, result: await gradeMbpp(r.output, r.task.gold, { pool, perTestTimeSec: 2 }) })),
    );
    const forged = graded.filter((g) => g.forger !== "reference" && g.result.correct);
    expect(forged.map((g) => `${g.task.id}: ${g.forger}`)).toEqual([]);
    const references = graded.filter((g) => g.forger === "reference");
    expect(references.map((g) => `${g.task.id}: ${g.result.reason ?? "passed"}`)).toEqual(
      picked.map((t) => `${t.id}: passed`),
    );
    // Each forger was graded, with a reason.
    expect(graded.filter((g) => g.forger !== "reference").every((g) => g.result.reason !== null)).toBe(true);
  }, 300_000);

  it("shadowing the builtins or the standard modules the asserts use is graded wrong too", async () => {
    const pool = new SandboxPool();
    const picked = shadowedTasks();
    expect(picked.length).toBeGreaterThanOrEqual(4);
    const runs = picked.flatMap((task) => {
      const name = calledFunctionNames(task.gold.test_list)[0];
      return [
        { task, forger: "reference", output: `\`\`\`python\n${task.reference}\n\`\`\`` },
        ...Object.entries(SHADOWERS).map(([forger, build]) => ({
          task,
          forger,
          output: `\`\`\`python\n${build(name)}\`\`\``,
        })),
      ];
    });
    const graded = await Promise.all(
      runs.map(async (r) => ({ ...r, result: await gradeMbpp(r.output, r.task.gold, { pool, perTestTimeSec: 2 }) })),
    );
    expect(
      graded.filter((g) => g.forger !== "reference" && g.result.correct).map((g) => `${g.task.id}: ${g.forger}`),
    ).toEqual([]);
    expect(
      graded.filter((g) => g.forger === "reference").map((g) => `${g.task.id}: ${g.result.reason ?? "passed"}`),
    ).toEqual(picked.map((t) => `${t.id}: passed`));
  }, 300_000);
});
