import { existsSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { LineCounter, parseDocument, isNode } from "yaml";
import type { Document } from "yaml";
import { PyramidConfigError } from "../errors/index.js";
import { readTextFile } from "../utils/read_text.js";
import { configFileIssues } from "./files.js";
import { configIssues, formatPath } from "./issues.js";
import type { ConfigIssue } from "./issues.js";
import { pyramidConfigSchema } from "./schema.js";
import type { PyramidConfig } from "./schema.js";

/** File names looked for, in order, when no config file is given. */
export const DEFAULT_CONFIG_FILES = ["pyramid.config.yaml", "pyramid.config.yml", "pyramid.config.json"] as const;

/** An invalid config file: every problem, each with its path, its place in the file and its fix. */
export class ConfigFileError extends PyramidConfigError {
  /** The file (or source name) at fault. */
  readonly file: string;
  /** Every problem found, in file order of the validation. */
  readonly issues: readonly (ConfigIssue & { readonly line?: number; readonly column?: number })[];

  constructor(file: string, issues: readonly (ConfigIssue & { line?: number; column?: number })[]) {
    const first = issues[0];
    const where = (i: { line?: number; column?: number }) => (i.line ? `${file}:${i.line}:${i.column}` : file);
    super(`${first.message} (${where(first)}).`, { field: first.path, fix: first.fix });
    const more = issues.slice(1).map((i) => `\n  ${i.path}: ${i.message} (${where(i)}). Fix: ${i.fix}`);
    if (more.length > 0) this.message += `\n${more.length} more problem(s):${more.join("")}`;
    this.file = file;
    this.issues = issues;
  }
}

type Located = ConfigIssue & { line?: number; column?: number };

function locate(doc: Document, counter: LineCounter, issue: ConfigIssue): Located {
  const segments = [...issue.segments];
  while (segments.length > 0) {
    const node = doc.getIn(segments, true);
    if (isNode(node) && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { ...issue, line: pos.line, column: pos.col };
    }
    segments.pop();
  }
  return issue;
}

/**
 * Validates a parsed config object. `source` names it in errors.
 *
 * @throws ConfigFileError naming every bad field (`tiers[0].members[2].provider`) and its fix.
 */
export function validatePyramidConfig(
  value: unknown,
  source = "config",
  locateIn?: { doc: Document; counter: LineCounter },
): PyramidConfig {
  const parsed = pyramidConfigSchema.safeParse(value);
  if (!parsed.success) {
    const issues = configIssues(parsed.error, value).map(
      (issue): Located => (locateIn ? locate(locateIn.doc, locateIn.counter, issue) : issue),
    );
    // In the order of the file (a stable sort keeps schema order on a line, and for objects without lines).
    const byLine = [...issues].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
    throw new ConfigFileError(source, byLine);
  }
  const config = parsed.data;
  const seen = new Map<string, string>();
  const duplicates: Located[] = [];
  for (const [t, tier] of config.tiers.entries()) {
    for (const [m, member] of tier.members.entries()) {
      const name = member.name ?? member.model;
      const segments = ["tiers", t, "members", m, member.name ? "name" : "model"];
      const earlier = seen.get(name);
      if (earlier) {
        const issue: ConfigIssue = {
          path: formatPath(segments),
          segments,
          message: `member name "${name}" is already used by ${earlier}`,
          fix: "give each member a distinct name (name: ...), e.g. when one model appears twice with different settings",
        };
        duplicates.push(locateIn ? locate(locateIn.doc, locateIn.counter, issue) : issue);
      } else seen.set(name, formatPath(segments.slice(0, 4)));
    }
  }
  if (duplicates.length > 0) throw new ConfigFileError(source, duplicates);
  return config;
}

/**
 * Parses config text (YAML, or JSON when `format` is `json`) and validates it.
 *
 * @throws ConfigFileError for a syntax error (with its line) or an invalid field.
 */
export function parsePyramidConfig(
  text: string,
  source = "config",
  format: "yaml" | "json" = "yaml",
  options: { readonly baseDir?: string } = {},
): PyramidConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  let value: unknown;
  if (format === "json") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new PyramidConfigError(`is not valid JSON: ${(error as Error).message}`, {
        field: source,
        fix: "fix the JSON syntax (JSON has no comments or trailing commas; use a .yaml file for comments)",
        cause: error,
      });
    }
  } else {
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const pos = counter.linePos(first.pos[0]);
      throw new PyramidConfigError(`is not valid YAML: ${first.message.split("\n")[0]}`, {
        field: `${source}:${pos.line}:${pos.col}`,
        fix: "fix the YAML syntax at that line (indentation, a missing colon or quote)",
        cause: first,
      });
    }
    value = doc.toJS();
  }
  const locateIn = doc.errors.length === 0 ? { doc, counter } : undefined;
  const config = validatePyramidConfig(value, source, locateIn);
  if (options.baseDir !== undefined) {
    const issues = configFileIssues(config, options.baseDir);
    if (issues.length > 0)
      throw new ConfigFileError(
        source,
        issues.map((i) => (locateIn ? locate(locateIn.doc, locateIn.counter, i) : i)),
      );
  }
  return config;
}

/**
 * Reads and validates a `pyramid.config.yaml` / `.yml` / `.json` file (by extension; YAML otherwise), and checks the
 * files it names (model files, recorded files, router files; relative paths resolved against the config file's
 * folder) unless `checkFiles` is false, so that a wrong path fails here, naming the field, not at the first request.
 * The returned config remembers its folder: {@link pyramidFromConfig} resolves its relative paths there.
 *
 * @throws PyramidConfigError when the file is missing or unreadable, {@link ConfigFileError} when invalid.
 */
export function loadPyramidConfig(path: string, options: { readonly checkFiles?: boolean } = {}): PyramidConfig {
  const text = readTextFile(path, {
    error: PyramidConfigError,
    what: "config file",
    fix: "check the path, or run `pyramid-moa init` to write an example config",
  });
  const folder = dirname(resolve(path));
  const config = parsePyramidConfig(text, path, extname(path).toLowerCase() === ".json" ? "json" : "yaml", {
    baseDir: options.checkFiles === false ? undefined : folder,
  });
  configFolders.set(config, folder);
  return config;
}

/** The folder of the file each loaded config was read from (relative paths in it are relative to that folder). */
const configFolders = new WeakMap<object, string>();

/** The folder of the file `config` was read from by {@link loadPyramidConfig}, or undefined for another object. */
export function configFolder(config: object): string | undefined {
  return configFolders.get(config);
}

/**
 * The config file to use: `explicit` when given, otherwise the first of {@link DEFAULT_CONFIG_FILES} in `cwd`.
 *
 * @throws PyramidConfigError when there is none, saying to run `pyramid-moa init`.
 */
export function findPyramidConfig(explicit?: string, cwd = process.cwd()): string {
  if (explicit) return resolve(cwd, explicit);
  for (const name of DEFAULT_CONFIG_FILES) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new PyramidConfigError(`no config file found in ${cwd} (looked for ${DEFAULT_CONFIG_FILES.join(", ")})`, {
    field: "--config",
    fix: "run `pyramid-moa init` to write an example pyramid.config.yaml, or pass --config <file>",
  });
}
