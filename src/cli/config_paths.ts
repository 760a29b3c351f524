import { existsSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { PyramidConfigError } from "../errors/index.js";

/** `hf:` and other `scheme:` model URIs (not Windows drive letters), which are written as given. */
const URI = /^[a-z][a-z0-9+.-]+:/i;

/**
 * A path given on the command line (relative to the current folder, as a shell user expects), rewritten for a
 * config file at `configFile`, whose relative paths are resolved against the config file's own folder: absolute
 * paths and URIs stay as given, relative ones become relative to the config file's folder.
 *
 * @throws PyramidConfigError naming `flag` when the file does not exist (URIs are not checked).
 */
export function pathForConfig(given: string, configFile: string, flag: string, cwd = process.cwd()): string {
  if (URI.test(given) && !/^[a-z]:[\\/]/i.test(given)) return given;
  const full = resolve(cwd, given);
  if (!existsSync(full)) {
    throw new PyramidConfigError(`${full} does not exist`, {
      field: flag,
      fix: "give the path of an existing file, relative to the current folder or absolute",
    });
  }
  if (isAbsolute(given)) return given;
  const rel = relative(dirname(configFile), full);
  return rel.split(sep).join("/");
}
