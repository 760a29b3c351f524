import { codeFences, type CodeFence } from "./extract_code.js";

/** A fenced code block of a model output: its language (lower case) and its code. */
type CodeBlock = Pick<CodeFence, "lang" | "code">;

/**
 * Every fenced code block in `text`, in order: Markdown fences (```lang ... ```; an unclosed last
 * fence runs to the end), read by the vote's `codeFences`, and Code Llama's `[PYTHON] ... [/PYTHON]`
 * tags. CRLF is turned into LF. Unlike the vote, which keys on the first block whatever its
 * language, the grader must run the code, so {@link extractPythonCode} picks among Python blocks.
 */
export function fencedBlocks(text: string): CodeBlock[] {
  const normalized = text.replace(/\r\n/g, "\n");
  const blocks: { at: number; block: CodeBlock }[] = [];
  for (const fence of codeFences(normalized))
    blocks.push({ at: fence.at, block: { lang: fence.lang, code: fence.code } });
  for (const m of normalized.matchAll(/\[PYTHON\]\s*\n?([\s\S]*?)(?:\[\/PYTHON\]|$)/g)) {
    blocks.push({ at: m.index, block: { lang: "python", code: m[1] } });
  }
  return blocks.sort((a, b) => a.at - b.at).map((b) => b.block);
}

/**
 * The code part of an output without fences: from the first line that starts a definition or an
 * import to the last line that belongs to it (indented, blank, or another top-level definition).
 */
export function unfencedCode(text: string): string {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const start = lines.findIndex((l) => /^(?:def |class |import |from \S+ import |@)/.test(l));
  if (start < 0) return text.replace(/\r\n/g, "\n");
  const kept: string[] = [];
  for (const line of lines.slice(start)) {
    if (
      line.trim() === "" ||
      /^[ \t]/.test(line) ||
      /^(?:def |class |import |from \S+ import |@|[A-Za-z_]\w*\s*=[^=])/.test(line)
    ) {
      kept.push(line);
    } else break;
  }
  return kept.join("\n");
}

const PYTHONISH = new Set(["", "python", "py", "python3", "py3"]);

/** Names of the functions a set of MBPP asserts call, e.g. `assert foo(1) == 2` -> `foo`. */
export function calledFunctionNames(tests: readonly string[]): string[] {
  const names = new Set<string>();
  for (const t of tests) {
    for (const m of t.matchAll(/([A-Za-z_]\w*)\s*\(/g)) {
      if (
        ![
          "assert",
          "set",
          "len",
          "sorted",
          "list",
          "tuple",
          "abs",
          "round",
          "math",
          "isclose",
          "str",
          "int",
          "float",
          "dict",
          "frozenset",
          "max",
          "min",
          "sum",
          "all",
          "any",
        ].includes(m[1])
      )
        names.add(m[1]);
    }
  }
  return [...names];
}

/**
 * The Python code a model output proposes: among the fenced Python blocks (or the whole text when
 * there is no fence), the first that defines `def <entryPoint>` when an entry point is given, else
 * the first that defines any function, else the first block. Import lines of the other blocks are
 * prepended, since models often show them separately. Usage examples in later blocks (which may
 * call `input()` or print) are left out.
 */
export function extractPythonCode(output: string, entryPoints: readonly string[] = []): string {
  const blocks = fencedBlocks(output).filter((b) => PYTHONISH.has(b.lang));
  if (blocks.length === 0) return unfencedCode(output);
  const defines = (code: string, name: string): boolean => new RegExp(`^\\s*def\\s+${name}\\s*\\(`, "m").test(code);
  let chosen =
    blocks.find((b) => entryPoints.some((name) => defines(b.code, name))) ??
    blocks.find((b) => /^\s*def\s+\w+\s*\(/m.test(b.code)) ??
    blocks[0];
  const imports = blocks
    .filter((b) => b !== chosen)
    .flatMap((b) => b.code.split("\n").filter((l) => /^(?:import\s+\w|from\s+[\w.]+\s+import\s)/.test(l)));
  const code = chosen.code;
  chosen = { ...chosen, code: imports.length > 0 ? `${imports.join("\n")}\n${code}` : code };
  return chosen.code;
}
