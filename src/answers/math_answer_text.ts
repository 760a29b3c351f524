import { lastBoxedLatex } from "./boxed.js";

/** Field values that repeat the prompt's template rather than answer (`"answer": "___"`). */
const PLACEHOLDER = /^[\s_.]*$|^answer$/i;

/** "The answer is 5", "Final answer: 5", a line "Answer: "5"" (the last one counts). */
const SAID = /(?:final answer|the answer|^[ \t]*answer)[ \t]*(?:is|:)[ \t]*:?[ \t]*\$*([^\n$]+?)\$*[ \t]*\.?[ \t]*$/gim;

/**
 * Decodes a JSON string body the way models mean it: `\\` -> `\`, `\"` -> `"`, `\uXXXX`, and `\n`/`\t`/`\r`
 * only when no letter follows; any other backslash is kept, since models write LaTeX unescaped inside JSON
 * (`"\frac{3}{4}"` means `\frac`, not a form feed and `rac`).
 */
export function decodeJsonStringLoosely(body: string): string {
  return body.replace(/\\(\\|"|\/|u[0-9a-fA-F]{4}|[ntr](?![a-zA-Z]))/g, (_match, code: string) => {
    if (code === "\\" || code === '"' || code === "/") return code;
    if (code.startsWith("u")) return String.fromCharCode(Number.parseInt(code.slice(1), 16));
    return code === "n" ? "\n" : code === "t" ? "\t" : "\r";
  });
}

/**
 * The first non-placeholder `"answer"` field of a model output (a quoted string, decoded with
 * {@link decodeJsonStringLoosely}, or a bare number), as upstream ZeroEval reads it: models that go on to
 * invent further questions repeat the JSON template later. `null` when there is none.
 */
export function jsonAnswerText(output: string): string | null {
  for (const m of output.matchAll(/"answer"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?[\d.,]+))/g)) {
    const text = m[2] ?? decodeJsonStringLoosely(m[1]);
    if (!PLACEHOLDER.test(text)) return text;
  }
  return null;
}

/**
 * The final answer of a MATH output, as text: the JSON `"answer"` field ({@link jsonAnswerText}, with its
 * `\boxed{}` content when it holds one); else the last `\boxed{}`; else the text after the last "the answer is" / "final
 * answer:" / a line starting "Answer:"; else the last `$...$` span. `null` when none.
 */
export function mathAnswerText(output: string): string | null {
  const field = jsonAnswerText(output);
  if (field !== null) return lastBoxedLatex(field) ?? field;
  const boxed = lastBoxedLatex(output);
  if (boxed !== null) return boxed;
  const said = [...output.matchAll(SAID)].pop();
  if (said) return said[1];
  const spans = [...output.matchAll(/\$([^$]+)\$/g)];
  return spans.length > 0 ? spans[spans.length - 1][1] : null;
}
