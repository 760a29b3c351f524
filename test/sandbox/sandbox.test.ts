import { describe, expect, it } from "vitest";
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { runPython, SandboxPool } from "../../src/sandbox/index.js";

const repoDir = resolve(".");

describe("runPython sandbox", () => {
  it("runs ordinary code and reports completion", async () => {
    const r = await runPython("print(sum(range(10)))");
    expect(r.completed).toBe(true);
    expect(r.stdout).toBe("45\n");
  });

  it("kills an infinite loop at the CPU limit", async () => {
    const r = await runPython("while True:\n    pass\n", { cpuTimeSec: 1, wallTimeMs: 20_000 });
    expect(r.completed).toBe(false);
    expect(r.cpuLimitExceeded).toBe(true);
    expect(r.timedOut).toBe(false);
  });

  it("kills a sleeping process at the wall-time limit", async () => {
    const r = await runPython("import time\ntime.sleep(60)\n", { wallTimeMs: 1000 });
    expect(r.completed).toBe(false);
    expect(r.timedOut).toBe(true);
    expect(r.signal === "SIGKILL" || r.exitCode === 137).toBe(true);
  });

  it("fails a memory bomb cleanly with MemoryError", async () => {
    const r = await runPython("x = []\nwhile True:\n    x.append(' ' * 10**7)\n", { memoryBytes: 256 * 1024 * 1024 });
    expect(r.completed).toBe(false);
    expect(r.memoryError).toBe(true);
  });

  it("blocks fork: by the audit hook, and by RLIMIT_NPROC without it", async () => {
    const code = "import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint('forked')\n";
    const hooked = await runPython(code);
    expect(hooked.completed).toBe(false);
    expect(hooked.stderr).toContain("os.fork is not allowed");
    const kernel = await runPython(code, { auditHook: false });
    expect(kernel.completed).toBe(false);
    expect(kernel.stdout).not.toContain("forked");
    expect(kernel.stderr).toMatch(/BlockingIOError|Resource temporarily unavailable/);
    const bomb = await runPython("import os\nwhile True:\n    os.fork()\n", { auditHook: false, wallTimeMs: 5000 });
    expect(bomb.completed).toBe(false);
    expect(bomb.timedOut).toBe(false);
  });

  it("cannot write into the repository or /tmp", async () => {
    const repoTarget = resolve(repoDir, "SANDBOX_ESCAPE_TEST");
    const tmpTarget = "/tmp/pyramid-sandbox-escape-test";
    rmSync(tmpTarget, { force: true });
    for (const [target, isolation] of [
      [repoTarget, "auto"],
      [tmpTarget, "auto"],
      [repoTarget, "none"],
      [tmpTarget, "none"],
    ] as const) {
      const r = await runPython(`open(${JSON.stringify(target)}, "w").write("x")\n`, {
        isolation,
        unsafeAllowUnsandboxedCode: true,
      });
      expect(r.completed).toBe(false);
      expect(r.stderr).toContain("PermissionError");
      expect(existsSync(target)).toBe(false);
    }
    // Under the audit hook: the repository is protected by the uid drop / read-only bind.
    for (const isolation of ["auto", "none"] as const) {
      const r = await runPython(`open(${JSON.stringify(repoTarget)}, "w").write("x")\n`, {
        auditHook: false,
        isolation,
        unsafeAllowUnsandboxedCode: true,
      });
      expect(r.completed).toBe(false);
      expect(existsSync(repoTarget)).toBe(false);
    }
  });

  it("with bubblewrap, there is no /tmp to write to and no network", async () => {
    const tmpTarget = "/tmp/pyramid-sandbox-escape-test-2";
    rmSync(tmpTarget, { force: true });
    const r = await runPython(
      `try:\n    open(${JSON.stringify(tmpTarget)}, "w").write("x")\n    print("wrote")\nexcept OSError:\n    print("nowrite")\nimport socket\ntry:\n    socket.create_connection(("1.1.1.1", 80), timeout=2)\n    print("net")\nexcept OSError as e:\n    print("nonet", e)\n`,
      { auditHook: false },
    );
    expect(r.isolation).toBe("bwrap");
    expect(r.completed).toBe(true);
    expect(r.stdout).toContain("nowrite");
    expect(r.stdout).toContain("nonet");
    expect(existsSync(tmpTarget)).toBe(false);
  });

  it("does not see the parent's secrets", async () => {
    process.env.OPENAI_API_KEY = "sk-test";
    try {
      const r = await runPython(
        [
          "import os",
          "print(repr(os.environ.get('OPENAI_API_KEY')))",
          "print('sk-test' in repr(dict(os.environ)))",
          "try:",
          "    print('sk-test' in open('/proc/%d/environ' % os.getppid(), 'rb').read().decode('latin1'))",
          "except OSError as e:",
          "    print('denied')",
        ].join("\n"),
      );
      expect(r.completed).toBe(true);
      const lines = r.stdout.trim().split("\n");
      expect(lines[0]).toBe("None");
      expect(lines[1]).toBe("False");
      expect(["False", "denied"]).toContain(lines[2]);
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });

  it("runs in its own tmpfs under bubblewrap, and in a removed host temp dir with the unsafe opt-in", async () => {
    const code = "import os\nopen('x.txt', 'w').write('data')\nprint(os.getcwd())\nprint(os.environ['HOME'])\n";
    const boxed = await runPython(code);
    expect(boxed.completed).toBe(true);
    expect(boxed.isolation).toBe("bwrap");
    expect(boxed.stdout).toBe("/sandbox\n/sandbox\n");
    const r = await runPython(code, { isolation: "none", unsafeAllowUnsandboxedCode: true });
    expect(r.completed).toBe(true);
    const [cwd, home] = r.stdout.trim().split("\n");
    expect(home).toBe(cwd);
    expect(cwd).toMatch(/pyramid-sandbox-/);
    expect(existsSync(cwd)).toBe(false);
  });

  it("does not count sys.exit(0) or os._exit(0) as completion", async () => {
    for (const code of ["import sys\nsys.exit(0)\n", "import os\nos._exit(0)\n"]) {
      const r = await runPython(code);
      expect(r.exitCode).toBe(0);
      expect(r.completed).toBe(false);
    }
  });

  it("caps output and kills a process that floods it", async () => {
    const r = await runPython("while True:\n    print('x' * 1000)\n", { maxOutputBytes: 10_000 });
    expect(r.outputLimitExceeded).toBe(true);
    expect(r.completed).toBe(false);
    expect(r.stdout.length).toBeLessThanOrEqual(10_000);
  });
});

describe("SandboxPool", () => {
  it("never runs more than its concurrency at once, and runs everything", async () => {
    const pool = new SandboxPool({ concurrency: 2 });
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pool.schedule(async () => {
          active += 1;
          peak = Math.max(peak, active);
          const r = await runPython(`print(${i} * 2)`);
          active -= 1;
          return r.stdout.trim();
        }),
      ),
    );
    expect(results).toEqual(["0", "2", "4", "6", "8", "10"]);
    expect(peak).toBe(2);
  });
});
