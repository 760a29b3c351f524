import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LAYERS } from "./layers.js";

// The documentation against the code: the README stays a first screen plus links, every relative link of the
// Markdown pages resolves, and docs/architecture.md shows the layers and the folders the import rule enforces.

const root = resolve(import.meta.dirname, "../..");
const MAX_README_LINES = 250;

/** The Markdown pages a reader follows links through: the README, docs/*.md and the examples' README. */
function markdownPages(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join("docs", name));
  return ["README.md", "examples/README.md", ...docs];
}

/** The relative link targets of one Markdown text (inline links and images), without their `#anchor`. */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const targets = [...withoutCode.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]);
  return targets
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"))
    .map((target) => target.split("#")[0]);
}

describe("documentation", () => {
  it(`keeps the README at most ${MAX_README_LINES} lines`, () => {
    const lines = readFileSync(join(root, "README.md"), "utf8").split("\n").length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it("has no broken relative link in the README, docs/ or examples/README.md", () => {
    const broken = markdownPages().flatMap((page) => {
      const text = readFileSync(join(root, page), "utf8");
      return relativeLinks(text)
        .filter((target) => !existsSync(resolve(root, dirname(page), target)))
        .map((target) => `${page} -> ${target}`);
    });
    expect(broken).toEqual([]);
  });

  it("finds links, so the check above can fail", () => {
    expect(relativeLinks("see [a](docs/a.md#x), ![b](img/b.png), [c](https://x.y), `[d](e.md)`")).toEqual([
      "docs/a.md",
      "img/b.png",
    ]);
  });

  it("draws every layer of the import rule in docs/architecture.md, in order", () => {
    const page = readFileSync(join(root, "docs/architecture.md"), "utf8");
    const diagram = page.slice(page.indexOf("```mermaid"), page.indexOf("```", page.indexOf("```mermaid") + 3));
    const drawn = [...diagram.matchAll(/L\d+\["([^"]+)"\]/g)].map((match) =>
      match[1]
        .replace(/\s*\(root entry\)/, "")
        .split("·")
        .map((folder) => folder.trim()),
    );
    expect(drawn).toEqual(LAYERS.map((layer) => [...layer]));
  });

  it("places every src/ folder in docs/architecture.md's table of concepts", () => {
    const page = readFileSync(join(root, "docs/architecture.md"), "utf8");
    const folders = readdirSync(join(root, "src"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const missing = folders.filter((folder) => !page.includes(`| \`src/${folder}/\``));
    expect(missing).toEqual([]);
  });
});
