/**
 * One definition per command-line flag: what `util.parseArgs` needs (type, short, multiple) and what `--help`
 * shows (the value's placeholder and the description), so the parser and the help text cannot drift apart.
 */
export interface CliOption {
  /** `string` takes a value, `boolean` is a switch. */
  readonly type: "string" | "boolean";
  /** One-letter alias (`-h`). */
  readonly short?: string;
  /** Whether the flag may be given more than once (its values are collected in order). */
  readonly multiple?: boolean;
  /** The value's placeholder in the help (`<file>`); string flags only. */
  readonly value?: string;
  /** What the flag does, shown by `--help`; lines after the first are indented under it. */
  readonly help: string;
}

/** A command's flags by long name, in the order `--help` lists them. */
export type CliOptions = Readonly<Record<string, CliOption>>;

/** The value `util.parseArgs` returns for one flag: a string or a switch, a list when the flag is `multiple`. */
export type CliValue<O extends CliOption> = O["type"] extends "boolean"
  ? O["multiple"] extends true
    ? boolean[]
    : boolean
  : O["multiple"] extends true
    ? string[]
    : string;

/** The parsed flags of a command, typed from its definitions (each absent unless given). */
export type CliValues<T extends CliOptions> = { readonly [K in keyof T]?: CliValue<T[K]> };

/** The flag column of one option: `-h, --help` or `--config <file>`. */
function flagColumn(name: string, option: CliOption): string {
  const long = `--${name}${option.type === "string" && option.value ? ` ${option.value}` : ""}`;
  return option.short ? `-${option.short}, ${long}` : long;
}

/**
 * The `Options:` block of a command's help, generated from its flag definitions: the flag column padded to the
 * widest flag (at most `maxColumn` wide; a longer flag gets its description on the next line). `heading` titles a
 * group of flags (a command whose flags come in several groups calls this once per group).
 */
export function optionsHelp(options: CliOptions, maxColumn = 24, heading = "Options:"): string {
  const entries = Object.entries(options).map(([name, option]) => [flagColumn(name, option), option] as const);
  const width = Math.min(maxColumn, Math.max(...entries.map(([flag]) => flag.length)));
  const indent = " ".repeat(2 + width + 2);
  const lines = [heading];
  for (const [flag, option] of entries) {
    const [first, ...rest] = option.help.split("\n");
    if (flag.length > width) lines.push(`  ${flag}`, `${indent}${first}`);
    else lines.push(`  ${flag.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`${indent}${line.trim()}`);
  }
  return lines.join("\n");
}
