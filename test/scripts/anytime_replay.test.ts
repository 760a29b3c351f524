import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// scripts/anytime_replay.ts over the 947 recorded GSM8K items: waves and anytime change no final answer, and the
// figures in docs/anytime.md are the script's output at its defaults.

const root = new URL("../../", import.meta.url);

describe("scripts/anytime_replay.ts", () => {
  it("finds 0 differing final answers and prints the figures docs/anytime.md states", () => {
    const out = execFileSync("npx", ["tsx", "scripts/anytime_replay.ts"], { cwd: root, encoding: "utf8" });
    expect(out).toMatch(/\| waves \| 0 \|/);
    expect(out).toMatch(/\| anytime \| 0 \|/);
    const docs = readFileSync(new URL("docs/anytime.md", root), "utf8");
    const rows = out
      .split("\n")
      .filter(
        (line) => /^\| (parallel|waves) \| .*% \|$/.test(line) || /^\| (crowd decision|end to end) \|/.test(line),
      );
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(docs).toContain(row);
    const deadline = /deadline (\d+) ms .*: (\d+)\/947 queries answered, (\d+) cut, accuracy ([\d.]+)%/.exec(out);
    expect(deadline).not.toBeNull();
    // Every query gets an answer by the deadline (partial outputs when no member finished).
    expect(deadline?.[2]).toBe("947");
    expect(docs).toContain(`(${deadline?.[1]} ms)`);
    expect(docs).toContain(`${deadline?.[2]} of 947 queries get an answer (${deadline?.[3]} are`);
    expect(docs).toContain(`accuracy ${deadline?.[4]}%`);
    // The README's anytime sentence quotes the same run: anytime's saving, its mean end-to-end latency ratio, and the
    // p95 of parallel against anytime + speculative.
    const readme = readFileSync(new URL("README.md", root), "utf8").replace(/\s+/g, " ");
    const cells = (name: string): string[] =>
      (out.split("\n").find((line) => line.startsWith(`| ${name} |`)) ?? "").split("|").map((c) => c.trim());
    const anytimeSaving = cells("anytime")[5];
    const endToEnd = cells("end to end");
    const speculative = cells("end to end, anytime + speculative");
    expect(anytimeSaving).toMatch(/%$/);
    expect(readme).toContain(`same answers at ${anytimeSaving} and a mean latency of ${endToEnd[6]?.split(" ")[0]}x`);
    expect(readme).toContain(`p95 from ${endToEnd[3]?.replace(" ms", "")} to ${speculative[5]}`);
  }, 300_000);
});
