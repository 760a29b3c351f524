import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";
import { overheadWorkload } from "./overhead.js";
import type { OverheadVariant } from "./overhead.js";

/**
 * The overhead workload as a standalone script, for profiling. Either the whole process with V8's flag:
 *
 * ```sh
 * node --cpu-prof --cpu-prof-dir=/tmp/pyramid-prof --import tsx bench/profile_overhead.ts pyramidModel 2000
 * npx tsx bench/read_profile.ts /tmp/pyramid-prof
 * ```
 *
 * or only the steady state (after `warmup` queries, so module loading and JIT warm-up are left out):
 *
 * ```sh
 * npx tsx bench/profile_overhead.ts pyramidModel 2000 --out /tmp/pm.cpuprofile
 * npx tsx bench/read_profile.ts /tmp/pm.cpuprofile --diff /tmp/bg.cpuprofile
 * ```
 *
 * `variant` is `pyramidModel` (default), `pyramidGraph`, `bareGraph` or `bareJs`.
 */
export async function profileOverhead(
  variant: OverheadVariant,
  queries: number,
  options: { warmup?: number; out?: string } = {},
): Promise<{ wallUs: number; cpuUs: number }> {
  const run = overheadWorkload()[variant];
  for (let i = 0; i < (options.warmup ?? 300); i++) await run(i);
  let session: Session | undefined;
  if (options.out) {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < queries; i++) await run(i);
  const wallUs = ((performance.now() - t0) * 1000) / queries;
  const cpu = process.cpuUsage(cpu0);
  if (session && options.out) {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(options.out, JSON.stringify(profile));
    session.disconnect();
  }
  return { wallUs, cpuUs: (cpu.user + cpu.system) / queries };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--out");
  const out = at >= 0 ? args[at + 1] : undefined;
  const positional = args.filter((_, i) => at < 0 || (i !== at && i !== at + 1));
  const variant = (positional[0] ?? "pyramidModel") as OverheadVariant;
  const queries = Number(positional[1] ?? 1500);
  const { wallUs, cpuUs } = await profileOverhead(variant, queries, { out });
  console.log(
    `${variant}: ${queries} queries, ${wallUs.toFixed(0)} µs/query wall, ${cpuUs.toFixed(0)} µs/query CPU${out ? `, profile in ${out}` : ""}`,
  );
}
