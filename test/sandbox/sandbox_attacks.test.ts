import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJudged, runPython } from "../../src/sandbox/index.js";

// Each attack of issue #22 re-run for real (bubblewrap, python3): the candidate first switches off the in-process
// audit hook (a gc walk to the hook's closure), then tries the escape; the test checks the evidence on the host.

/** Clears the audit hook's re-entrancy flag through gc (the hook then lets everything through); prints HOOK_OFF. */
const HOOK_OFF = [
  "import gc, os, sys",
  "for _o in gc.get_objects():",
  "    if getattr(_o, '__name__', None) == 'hook' and getattr(_o, '__closure__', None):",
  "        for _c in _o.__closure__:",
  "            try:",
  "                _v = _c.cell_contents",
  "            except ValueError:",
  "                continue",
  "            if type(_v) is list and _v == [False]:",
  "                _v[0] = True",
  "                print('HOOK_OFF', flush=True)",
  "",
].join("\n");

let dir: string;
let secretFile: string;
const secret = `tenant-key-${Math.random().toString(36).slice(2)}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-attack-"));
  chmodSync(dir, 0o755);
  secretFile = join(dir, "keys.txt");
  writeFileSync(secretFile, secret);
  chmodSync(secretFile, 0o644);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("sandbox attacks (real bubblewrap)", () => {
  it("the gc walk does switch the audit hook off (so the OS sandbox is what contains the attacks below)", async () => {
    const r = await runPython(`${HOOK_OFF}open('/proc/self/environ').read()\nprint('read environ')\n`);
    expect(r.isolation).toBe("bwrap");
    expect(r.stdout).toContain("HOOK_OFF");
    // The hook would have refused /proc/self/environ; with it off the read goes through (the environ is the
    // sandbox's whitelist, nothing of the parent's).
    expect(r.stdout).toContain("read environ");
  });

  it("cannot read a world-readable file outside the sandbox, the repository or /work", async () => {
    const targets = [secretFile, resolve("package.json"), "/work/notes/COMMON.md", "/etc/passwd", "/root/.bashrc"];
    const code = `${HOOK_OFF}for p in ${JSON.stringify(targets)}:\n    try:\n        print('READ', p, open(p).read()[:200])\n    except OSError as e:\n        print('DENIED', p, type(e).__name__)\n`;
    const r = await runPython(code);
    expect(r.stdout).toContain("HOOK_OFF");
    expect(r.stdout).not.toContain(secret);
    expect(r.stdout).not.toContain("READ");
    for (const p of targets) expect(r.stdout).toContain(`DENIED ${p}`);
    expect(readFileSync(secretFile, "utf8")).toBe(secret);
  });

  describe("network", () => {
    let server: Server;
    let port = 0;
    let accepted = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        accepted += 1;
        socket.destroy();
      });
      await new Promise<void>((done) => server.listen(0, "0.0.0.0", done));
      const address = server.address();
      port = typeof address === "object" && address ? address.port : 0;
    });
    afterAll(async () => {
      await new Promise<void>((done) => server.close(() => done()));
    });

    it("cannot open a TCP connection to a port the host listens on (loopback or the host's addresses)", async () => {
      const hosts = ["127.0.0.1"];
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) hosts.push(a.address);
      }
      const code = `${HOOK_OFF}import socket\nfor h in ${JSON.stringify(hosts)}:\n    try:\n        socket.create_connection((h, ${port}), timeout=2).close()\n        print('CONNECTED', h)\n    except OSError as e:\n        print('REFUSED', h, type(e).__name__)\n`;
      const r = await runPython(code);
      expect(r.stdout).toContain("HOOK_OFF");
      expect(r.stdout).not.toContain("CONNECTED");
      for (const h of hosts) expect(r.stdout).toContain(`REFUSED ${h}`);
      // Control: the listener does accept a connection from the host.
      await new Promise<void>((done, fail) => {
        const client = connect(port, "127.0.0.1", () => {
          client.destroy();
          done();
        });
        client.on("error", fail);
      });
      await new Promise((done) => setTimeout(done, 200));
      expect(accepted).toBe(1);
    });
  });

  it("cannot write to the host's /tmp or next to a host file", async () => {
    const targets = [`/tmp/pyramid-attack-${process.pid}`, join(dir, "written.txt"), secretFile];
    const code = `${HOOK_OFF}for p in ${JSON.stringify(targets)}:\n    try:\n        open(p, 'w').write('owned')\n        print('WROTE', p)\n    except OSError as e:\n        print('DENIED', p, type(e).__name__)\n`;
    const r = await runPython(code);
    expect(r.stdout).toContain("HOOK_OFF");
    expect(r.stdout).not.toContain("WROTE");
    expect(existsSync(targets[0])).toBe(false);
    expect(existsSync(targets[1])).toBe(false);
    expect(readFileSync(secretFile, "utf8")).toBe(secret);
  });

  it("cannot write past the disk cap (the tmpfs size), however many files", async () => {
    const diskBytes = 8 * 1024 * 1024;
    const code = `${HOOK_OFF}import os\nwritten = 0\nerr = None\nchunk = b'x' * 65536\ntry:\n    for i in range(10000):\n        with open('f%05d' % i, 'wb') as f:\n            for _ in range(16):\n                f.write(chunk)\n                f.flush()\n                written += len(chunk)\nexcept OSError as e:\n    err = e.errno\nprint('WRITTEN', written, 'ERRNO', err)\n`;
    const r = await runPython(code, { diskBytes, maxFileBytes: 1024 * 1024 });
    expect(r.stdout).toContain("HOOK_OFF");
    const m = /WRITTEN (\d+) ERRNO (\d+)/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThanOrEqual(diskBytes);
    expect(Number(m?.[1])).toBeGreaterThan(diskBytes / 2);
    expect(Number(m?.[2])).toBe(28); // ENOSPC
  });

  it("a fork bomb creates no process", async () => {
    const code = `${HOOK_OFF}import os\nforks = 0\ntry:\n    while True:\n        if os.fork() == 0:\n            os._exit(0)\n        forks += 1\nexcept OSError as e:\n    print('FORKS', forks, type(e).__name__)\n`;
    const r = await runPython(code, { wallTimeMs: 20_000 });
    expect(r.stdout).toContain("HOOK_OFF");
    expect(r.stdout).toContain("FORKS 0 BlockingIOError");
    expect(r.timedOut).toBe(false);
  });

  it("eating memory stops at the address-space limit", async () => {
    const code = `${HOOK_OFF}blocks = []\ntry:\n    while True:\n        blocks.append(bytearray(16 * 1024 * 1024))\nexcept MemoryError:\n    print('GOT', len(blocks) * 16, 'MiB')\n`;
    const r = await runPython(code, { memoryBytes: 256 * 1024 * 1024 });
    const m = /GOT (\d+) MiB/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThanOrEqual(256);
    expect(r.timedOut).toBe(false);
  });

  it("spinning the CPU, even ignoring SIGXCPU, is killed at the CPU limit", async () => {
    const code = `${HOOK_OFF}import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n`;
    const r = await runPython(code, { cpuTimeSec: 1, wallTimeMs: 60_000 });
    expect(r.completed).toBe(false);
    expect(r.timedOut).toBe(false);
    expect(r.cpuLimitExceeded).toBe(true);
    // SIGKILL at the hard limit (bubblewrap reports it as exit code 128 + 9).
    expect(r.signal === "SIGKILL" || r.exitCode === 137).toBe(true);
  });

  it("the judge's worker gets the same containment (read, network, fork)", async () => {
    const program = `import os, socket\ndef leak():\n    out = []\n    try:\n        out.append(open(${JSON.stringify(secretFile)}).read())\n    except OSError as e:\n        out.append('denied')\n    try:\n        socket.create_connection(('127.0.0.1', 9), timeout=1)\n        out.append('net')\n    except OSError as e:\n        out.append('denied')\n    try:\n        os.fork()\n        out.append('forked')\n    except OSError as e:\n        out.append('denied')\n    return out\n`;
    const r = await runJudged({
      setup: [],
      program,
      tests: ["assert leak() == ['denied', 'denied', 'denied']"],
      perTestSec: 5,
    });
    expect(r.isolation).toBe("bwrap");
    // The test passes only when all three were refused; a read secret, a connection or a fork fails it.
    expect(r.passed).toBe(true);
  });
});
