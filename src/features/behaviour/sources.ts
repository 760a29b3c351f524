import { fencedBlocks, unfencedCode } from "../../answers/code_extract.js";

/** The texts of one output that probes are read from: its Python code blocks, and the rest (prose). */
export interface ProbeSource {
  /** Fenced Python blocks (or the unfenced code part when there is no fence). */
  readonly blocks: readonly string[];
  /** The text outside the fenced blocks. */
  readonly prose: string;
}

const PYTHONISH = new Set(["", "python", "py", "python3", "py3"]);

/** Splits a model output (or the prompt) into code blocks and prose, for probe extraction. */
export function probeSource(text: string): ProbeSource {
  const normalized = text.replace(/\r\n/g, "\n");
  const fences = fencedBlocks(normalized);
  if (fences.length === 0) {
    const code = unfencedCode(normalized);
    return { blocks: /^\s*def\s+\w+\s*\(/m.test(code) ? [code] : [], prose: normalized };
  }
  let prose = normalized;
  for (const fence of fences) prose = prose.replace(fence.code, "\n");
  return { blocks: fences.filter((f) => PYTHONISH.has(f.lang)).map((f) => f.code), prose };
}

const DEF = /^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)[ \t]*\(/gm;

/**
 * Whether the sources may hold a probe: some text calls, with something between the brackets, a function that
 * a source's code defines (`def f(` itself excluded). A cheap test run before any sandbox: when it fails, no probe
 * can be found and nothing is run.
 */
export function mayHaveProbes(sources: readonly ProbeSource[]): boolean {
  const names = new Set<string>();
  for (const source of sources) for (const block of source.blocks) for (const m of block.matchAll(DEF)) names.add(m[1]);
  if (names.size === 0) return false;
  const escaped = [...names].map((n) => n.replace(/[$]/g, "\\$"));
  const call = new RegExp(`(?<![\\w.])(?<!def\\s+)(?:${escaped.join("|")})\\s*\\(\\s*[^)\\s]`);
  return sources.some((source) => call.test(source.prose) || source.blocks.some((block) => call.test(block)));
}
