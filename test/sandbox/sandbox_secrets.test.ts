import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../src/sandbox/index.js";

/** A python snippet that tries to read `path` and prints `READ <path>` or `BLOCKED <path>`. */
function tryRead(path: string): string[] {
  return [
    "try:",
    `    data = open(${JSON.stringify(path)}, 'rb').read()`,
    `    print('READ', ${JSON.stringify(path)}, len(data))`,
    "except Exception as e:",
    `    print('BLOCKED', ${JSON.stringify(path)}, type(e).__name__)`,
  ];
}

describe("sandbox without bubblewrap: secrets of the parent stay out of reach", () => {
  it("refuses /proc/*/environ of any process, self and thread-self included", async () => {
    const key = `sk-test-${randomBytes(16).toString("hex")}`;
    // A process started with an API key in its environment, as a parent exported before Node started.
    const holder = spawn("sleep", ["30"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", OPENAI_API_KEY: key } });
    try {
      const pid = holder.pid as number;
      const code = [
        "import os",
        ...tryRead(`/proc/${pid}/environ`),
        ...tryRead(`/proc/${pid}/task/${pid}/environ`),
        ...tryRead("/proc/self/environ"),
        ...tryRead("/proc/thread-self/environ"),
        "ppid = os.getppid()",
        "try:",
        "    open('/proc/%d/environ' % ppid, 'rb').read()",
        "    print('READ parent')",
        "except Exception as e:",
        "    print('BLOCKED parent')",
        "try:",
        `    fd = os.open('/proc/${pid}', os.O_RDONLY)`,
        "    print('READ dirfd', len(os.read(os.open('environ', os.O_RDONLY, dir_fd=fd), 4096)))",
        "except Exception as e:",
        "    print('BLOCKED dirfd')",
        "try:",
        `    os.symlink('/proc/${pid}/environ', 'link')`,
        "    print('READ link', len(open('link', 'rb').read()))",
        "except Exception as e:",
        "    print('BLOCKED link')",
      ].join("\n");
      const r = await runPython(code, { isolation: "none", unsafeAllowUnsandboxedCode: true, dropToUid: null });
      expect(r.isolation).toBe("none");
      expect(r.completed).toBe(true);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(7);
      for (const line of lines) expect(line).toMatch(/^BLOCKED /);
      expect(r.stdout + r.stderr).not.toContain(key);
    } finally {
      holder.kill("SIGKILL");
    }
  });

  it("refuses common secret files outside its temp dir, but not its own files", async () => {
    const home = mkdtempSync(join(tmpdir(), "pyramid-test-home-"));
    try {
      chmodSync(home, 0o755);
      const files = [".env", ".env.local", ".netrc", ".npmrc", ".git-credentials", ".ssh/id_rsa", ".aws/credentials"];
      mkdirSync(join(home, ".ssh"), { mode: 0o755 });
      mkdirSync(join(home, ".aws"), { mode: 0o755 });
      for (const f of files) writeFileSync(join(home, f), "secret\n", { mode: 0o644 });
      writeFileSync(join(home, "notes.txt"), "ok\n", { mode: 0o644 });
      const code = [
        "import os",
        ...files.flatMap((f) => tryRead(join(home, f))),
        ...tryRead(join(home, "notes.txt")),
        "open('.env', 'w').write('mine')",
        ...tryRead(".env"),
      ].join("\n");
      const r = await runPython(code, { isolation: "none", unsafeAllowUnsandboxedCode: true, dropToUid: null });
      expect(r.completed).toBe(true);
      const lines = r.stdout.trim().split("\n");
      expect(lines).toHaveLength(files.length + 2);
      for (const line of lines.slice(0, files.length)) expect(line).toMatch(/^BLOCKED .* PermissionError$/);
      expect(lines[files.length]).toMatch(/^READ .*notes\.txt 3$/);
      expect(lines[files.length + 1]).toBe("READ .env 4");
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("masks the parent's secrets in what it returns", async () => {
    const key = `sk-test-${randomBytes(16).toString("hex")}`;
    process.env.OPENAI_API_KEY = key;
    try {
      // However a candidate came by the key, printing it must not carry it into traces.
      const r = await runPython(
        `import sys\nprint(${JSON.stringify(key)})\nprint(${JSON.stringify(key)}, file=sys.stderr)\n`,
        {
          isolation: "none",
          unsafeAllowUnsandboxedCode: true,
        },
      );
      expect(r.completed).toBe(true);
      expect(r.stdout).not.toContain(key);
      expect(r.stderr).not.toContain(key);
      expect(r.stdout).toContain("[REDACTED]");
    } finally {
      delete process.env.OPENAI_API_KEY;
    }
  });
});
