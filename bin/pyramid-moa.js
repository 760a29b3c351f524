#!/usr/bin/env node
// The `pyramid-moa` command. In a clone of the repository (src/ present and tsx installed by `npm ci`) it runs the
// TypeScript source through tsx, so `npx pyramid-moa` works right after `npm ci`, with no build step, and always runs
// the code in src/. In the installed package (no src/) it runs the compiled dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/bin.ts", import.meta.url);
const built = new URL("../dist/cli/bin.js", import.meta.url);

function resolveTsx() {
  try {
    return { api: import.meta.resolve("tsx/esm/api"), loader: import.meta.resolve("tsx") };
  } catch {
    return undefined;
  }
}

const tsx = existsSync(source) ? resolveTsx() : undefined;
if (tsx) {
  const { register } = await import(tsx.api);
  register();
  // Child processes of the CLI (`serve --workers` forks src/cli/bin.ts) need the loader too.
  process.execArgv.push("--import", tsx.loader);
  await import(source.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  console.error(
    "pyramid-moa: neither the TypeScript source with tsx nor the built dist/ was found. " +
      "Fix: run `npm ci` in the repository (installs tsx), or `npm run build`.",
  );
  process.exitCode = 1;
}
