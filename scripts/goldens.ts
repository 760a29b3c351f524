/**
 * Checks (default) or regenerates (`--update`) every golden file under test/fixtures/golden/ (see
 * scripts/goldens/runs.ts): the `summary.json` of the demo, of MATH zero-shot and of MBPP, and the shipped routers'
 * P_fail on fixed recorded items. When a change moves them on purpose, run `npm run goldens -- --update` and commit
 * the stored copies together with the docs whose figures they back.
 *
 *   npm run goldens                 # compare; exit 1 and name the files that differ
 *   npm run goldens -- --update     # rewrite the stored copies
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { freshRoutersPFail, freshSummary, GOLDEN_DIR, ROUTERS_PFAIL_FILE, SUMMARY_RUNS } from "./goldens/runs.js";

const update = process.argv.includes("--update");
const unknown = process.argv.slice(2).filter((a) => a !== "--update");
if (unknown.length > 0) {
  console.error(`unknown arguments: ${unknown.join(" ")} (usage: npm run goldens [-- --update])`);
  process.exit(2);
}

const differ: string[] = [];
function settle(file: string, fresh: unknown): void {
  const path = join(GOLDEN_DIR, file);
  const text = `${JSON.stringify(fresh, null, 2)}\n`;
  if (update) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
    return;
  }
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    stored = undefined;
  }
  const same = isDeepStrictEqual(stored, JSON.parse(text));
  console.log(`${same ? "same" : "DIFFERS"} ${path}`);
  if (!same) differ.push(file);
}

for (const spec of SUMMARY_RUNS) {
  console.log(`running ${spec.name}: pyramid-moa eval ${spec.args.join(" ")}`);
  settle(spec.file, await freshSummary(spec));
}
console.log("running every shipped router on its benchmark's first recorded items");
settle(ROUTERS_PFAIL_FILE, await freshRoutersPFail());

if (differ.length > 0) {
  console.error(
    `${differ.length} golden file(s) differ: ${differ.join(", ")}. If the change is meant, run \`npm run goldens -- --update\` and commit the stored copies with the docs that quote them.`,
  );
  process.exit(1);
}
