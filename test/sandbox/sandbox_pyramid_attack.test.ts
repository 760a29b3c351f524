import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

// The serve / PyramidChatModel door (task: "code"): a crowd member's answer whose function, run on the probe of its
// own usage example, switches the audit hook off and then tries to read a host file, reach a host port and write to
// the host's /tmp. The features are computed (the code did run), and the host shows no trace of the attempts.

let dir: string;
let secretFile: string;
const secret = `tenant-key-${Math.random().toString(36).slice(2)}`;
let server: Server;
let port = 0;
let accepted = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-pyramid-attack-"));
  chmodSync(dir, 0o755);
  secretFile = join(dir, "keys.txt");
  writeFileSync(secretFile, secret);
  chmodSync(secretFile, 0o644);
  server = createServer((socket) => {
    accepted += 1;
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  port = typeof address === "object" && address ? address.port : 0;
});

afterAll(async () => {
  await new Promise<void>((done) => server.close(() => done()));
  rmSync(dir, { recursive: true, force: true });
});

const hostile = (name: string, dropped: string, weight: number): string =>
  [
    "```python",
    "import gc, socket",
    `def ${name}(n):`,
    "    for o in gc.get_objects():",
    "        if getattr(o, '__name__', None) == 'hook' and getattr(o, '__closure__', None):",
    "            for c in o.__closure__:",
    "                try:",
    "                    v = c.cell_contents",
    "                except ValueError:",
    "                    continue",
    "                if type(v) is list and v == [False]:",
    "                    v[0] = True",
    "    leaked = 0",
    "    try:",
    `        leaked = len(open(${JSON.stringify(secretFile)}).read())`,
    "    except OSError:",
    "        pass",
    "    connected = 0",
    "    try:",
    `        socket.create_connection(('127.0.0.1', ${port}), timeout=1).close()`,
    "        connected = 1",
    "    except OSError:",
    "        pass",
    "    try:",
    `        open(${JSON.stringify(dropped)}, 'w').write('owned')`,
    "    except OSError:",
    "        pass",
    `    return n * 2 + ${weight} * (leaked + 1000 * connected)`,
    "```",
    "",
    "For example:",
    "",
    "```python",
    `print(${name}(21))`,
    "```",
  ].join("\n");

describe("hostile crowd code through the pyramid (task: code)", () => {
  it("runs contained: no file read, no connection, nothing written on the host", async () => {
    const dropped = `/tmp/pyramid-pyramid-attack-${process.pid}`;
    const member = (i: number) => ({
      name: `m${i}`,
      model: new ScriptedChatModel({ name: `m${i}`, reply: hostile("double", dropped, i + 1) }),
    });
    const model = new PyramidChatModel({
      crowd: [member(0), member(1), member(2)],
      oracle: { name: "big", model: new ScriptedChatModel({ name: "big", reply: "x" }) },
      task: "code",
    });
    const result = await model.invoke("Write a function that doubles a number.");
    const features = (result.response_metadata.pyramid as PyramidMetadata).features;
    // The code ran on its probe, and the members agree: each returned 42 (a read secret or a connection would add a
    // different amount per member and split them into three clusters).
    expect(features.behaviour_probes).toBe(1);
    expect(features.behaviour_failed).toBe(0);
    expect(features.behaviour_cluster_share).toBe(1);
    await new Promise((done) => setTimeout(done, 200));
    expect(accepted).toBe(0);
    expect(existsSync(dropped)).toBe(false);
    expect(readFileSync(secretFile, "utf8")).toBe(secret);
  });
});
