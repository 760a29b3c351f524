import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const exec = promisify(execFile);

describe("bin/pyramid-moa.js in a clone (the package.json bin, what `npx pyramid-moa` runs after `npm ci`)", () => {
  it("runs the TypeScript source through tsx, with no dist/ needed", async () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin["pyramid-moa"]).toBe("./bin/pyramid-moa.js");
    const { stdout } = await exec(process.execPath, [join(ROOT, pkg.bin["pyramid-moa"]), "--version"], { cwd: ROOT });
    expect(stdout.trim()).toBe(version);
    // Commands load from src/ (a command missing from the listing would mean its module failed to load).
    const help = await exec(process.execPath, [join(ROOT, "bin/pyramid-moa.js"), "--help"], { cwd: ROOT });
    for (const name of ["ask", "eval", "init", "serve", "train"])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
  });
});
