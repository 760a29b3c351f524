import { DataFormatError } from "../../errors/index.js";

/**
 * Parses CSV text (RFC 4180): fields separated by commas, optionally double-quoted; inside quotes
 * `""` is a quote and commas and newlines are data. Accepts `\n` and `\r\n` line ends. Returns the
 * rows as string arrays (an empty trailing line is dropped). Throws {@link DataFormatError} on an
 * unterminated quote or text after a closing quote.
 */
export function parseCsv(text: string, source = "csv"): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let atFieldStart = true;
  let rowHasData = false;
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"' && atFieldStart) {
      const startLine = line;
      atFieldStart = false;
      rowHasData = true;
      i += 1;
      for (;;) {
        if (i >= n) {
          throw new DataFormatError("unterminated quoted field", {
            field: `${source}:${startLine}`,
            fix: "close the quote (a quote inside a quoted field is written as two quotes)",
          });
        }
        const d = text[i];
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (d === "\n") line += 1;
        field += d;
        i += 1;
      }
      const next = text[i];
      if (i < n && next !== "," && next !== "\n" && !(next === "\r" && text[i + 1] === "\n")) {
        throw new DataFormatError(`unexpected character ${JSON.stringify(next)} after a closing quote`, {
          field: `${source}:${line}`,
          fix: "quote the whole field and double the quotes inside it",
        });
      }
      continue;
    }
    if (c === ",") {
      row.push(field);
      field = "";
      atFieldStart = true;
      rowHasData = true;
      i += 1;
      continue;
    }
    if (c === "\n" || (c === "\r" && text[i + 1] === "\n")) {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      atFieldStart = true;
      rowHasData = false;
      line += 1;
      i += c === "\r" ? 2 : 1;
      continue;
    }
    field += c;
    atFieldStart = false;
    rowHasData = true;
    i += 1;
  }
  if (rowHasData) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
