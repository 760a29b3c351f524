import { readFileSync, readdirSync } from "node:fs";

// Shared by the sandbox tests that watch processes (sandbox_abort.test.ts, sandbox_orphans.test.ts): read from /proc.

/** One process: its parent, its state letter (`Z`: a zombie) and its command name. */
export interface ProcessInfo {
  readonly ppid: number;
  readonly state: string;
  readonly comm: string;
}

/** pid -> parent pid, state and command name of every process, read from /proc. */
export function processTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const [state, ppid] = stat.slice(close + 2).split(" ");
      table.set(Number(entry), { ppid: Number(ppid), state, comm });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** Alive and not a zombie (a zombie is dead, merely not yet reaped by whoever adopted it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
