import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { missing } from "../helpers/requires.js";
import { thrownBy } from "../helpers/thrown.js";

// Tests that can fail: no `expect` inside a `catch` block (it passes when nothing is thrown, or swallows the
// assertion it should make: use `thrownBy` from test/helpers/thrown.ts), and no conditional skip except through
// `missing(available, what)` (test/helpers/requires.ts), which fails instead of skipping when CI=true.

const testRoot = resolve(import.meta.dirname, "..");

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Where `text` breaks a rule: `line: what`. */
function hygieneProblems(text: string, file = "file.ts"): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const at = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node, inCatch: boolean): void => {
    if (inCatch && ts.isIdentifier(node) && node.text === "expect") {
      problems.push(`${at(node)}: expect inside a catch block (use thrownBy from test/helpers/thrown.ts)`);
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const owner = node.expression.expression;
      const onTest = ts.isIdentifier(owner) && ["describe", "it", "test", "suite"].includes(owner.text);
      if (onTest && (method === "skipIf" || method === "runIf")) {
        const [condition] = node.arguments;
        const viaMissing =
          method === "skipIf" &&
          condition !== undefined &&
          ts.isCallExpression(condition) &&
          ts.isIdentifier(condition.expression) &&
          condition.expression.text === "missing";
        if (!viaMissing) {
          problems.push(`${at(node)}: ${method} without missing(available, what) (test/helpers/requires.ts)`);
        }
      }
      if (onTest && (method === "skip" || method === "todo")) {
        problems.push(`${at(node)}: ${method}: a skipped test cannot fail; delete it or use skipIf(missing(...))`);
      }
    }
    // A catch clause, or the callback of a promise's `.catch(...)`.
    const promiseCatch =
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === "catch";
    ts.forEachChild(node, (child) =>
      visit(
        child,
        inCatch || ts.isCatchClause(node) || (promiseCatch && child !== (node as ts.CallExpression).expression),
      ),
    );
  };
  visit(source, false);
  return problems;
}

describe("test hygiene: tests that can fail", () => {
  it("no test file has expect in a catch block or a conditional skip that would pass silently in CI", () => {
    const problems = testFiles(testRoot).flatMap((file) =>
      hygieneProblems(readFileSync(file, "utf8"), file).map((p) => `${relative(testRoot, file)}:${p}`),
    );
    expect(problems).toEqual([]);
  });

  it("the scan finds what it forbids", () => {
    const bad = [
      'it("x", () => { try { f(); } catch (error) { expect(error).toBeDefined(); } });',
      'it("y", async () => { await g().catch((e) => { expect(e).toBe(1); }); try {} catch { [1].map(() => expect(1)); } });',
      'describe.skipIf(!available)("z", () => {});',
      'it.runIf(available)("w", () => {});',
      'it.skip("v", () => {});',
    ].join("\n");
    expect(hygieneProblems(bad).map((p) => p.split(":")[1].trim().split(" ")[0])).toEqual([
      "expect",
      "expect",
      "expect",
      "skipIf",
      "runIf",
      "skip",
    ]);
    expect(
      hygieneProblems('describe.skipIf(missing(ok, "x"))("a", () => { const e = thrownBy(f); expect(e).toBe(1); });'),
    ).toEqual([]);
  });

  it("missing() skips outside CI and throws with CI=true, naming what is missing", () => {
    expect(missing(true, "libxgboost", { CI: "true" })).toBe(false);
    expect(missing(false, "libxgboost", {})).toBe(true);
    expect(missing(false, "libxgboost", { CI: "false" })).toBe(true);
    expect(String(thrownBy(() => missing(false, "libxgboost", { CI: "true" })))).toMatch(/CI=true but libxgboost/);
    expect(String(thrownBy(() => missing(false, "bwrap", { CI: "1" })))).toMatch(/bwrap is missing/);
  });
});
