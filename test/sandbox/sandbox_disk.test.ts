import { describe, expect, it } from "vitest";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../src/sandbox/index.js";

describe("sandbox disk use", () => {
  it("a program that creates 10,000 small files fails cleanly at the file cap", async () => {
    const r = await runPython(
      "for i in range(10000):\n    with open('f%05d.txt' % i, 'w') as f:\n        f.write('x' * 100)\nprint('done')\n",
      { isolation: "none", unsafeAllowUnsandboxedCode: true },
    );
    expect(r.completed).toBe(false);
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toContain("done");
    expect(r.stderr).toMatch(/PermissionError: sandbox: too many files created/);
  });

  it("counts directories too, and leaves ordinary use alone", async () => {
    const dirs = await runPython("import os\nfor i in range(10000):\n    os.mkdir('d%05d' % i)\n", { maxFiles: 20 });
    expect(dirs.completed).toBe(false);
    expect(dirs.stderr).toMatch(/too many files created/);
    const ok = await runPython(
      "import os\nfor i in range(20):\n    open('f%d' % i, 'w').write('x')\nfor _ in range(100):\n    open('f0', 'w').write('y')\nprint(len(os.listdir('.')))\n",
      { maxFiles: 20 },
    );
    expect(ok.completed).toBe(true);
    expect(ok.stdout).toBe("21\n"); // 20 files and candidate.py
  });

  it("a relative path after chdir is checked where it really lands", async () => {
    const target = join(tmpdir(), `pyramid-chdir-escape-${process.pid}`);
    try {
      const r = await runPython(
        `import os\nos.chdir(${JSON.stringify(tmpdir())})\nopen(${JSON.stringify(`pyramid-chdir-escape-${process.pid}`)}, 'w').write('x')\n`,
        { isolation: "none", unsafeAllowUnsandboxedCode: true },
      );
      expect(r.completed).toBe(false);
      expect(r.stderr).toMatch(/PermissionError/);
      expect(existsSync(target)).toBe(false);
    } finally {
      rmSync(target, { force: true });
    }
  });
});
