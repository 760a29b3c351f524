import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collector: (() => void) | undefined;

/**
 * Runs a full garbage collection when the engine allows it (the `gc` function, exposed at run time with
 * `--expose-gc` set through `v8.setFlagsFromString`); a no-op otherwise. Used before memory baselines.
 */
export function forceGc(): void {
  if (!collector) {
    const existing = (globalThis as { gc?: unknown }).gc;
    if (typeof existing === "function") collector = existing as () => void;
    else {
      setFlagsFromString("--expose-gc");
      const fn: unknown = runInNewContext("gc");
      collector = typeof fn === "function" ? (fn as () => void) : () => undefined;
    }
  }
  collector();
}
