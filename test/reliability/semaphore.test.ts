import { describe, expect, it } from "vitest";
import { Semaphore } from "../../src/members/semaphore.js";

describe("Semaphore", () => {
  it("never admits more than its limit, however callers arrive", async () => {
    const slots = new Semaphore(2);
    let current = 0;
    let peak = 0;
    const task = async (ms: number) => {
      current++;
      peak = Math.max(peak, current);
      await new Promise((resolve) => setTimeout(resolve, ms));
      current--;
    };
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      // Callers arrive both while everything is busy and right as slots are being released.
      runs.push(slots.run(() => task(i % 3)).then(() => slots.run(() => task(1))));
    }
    await Promise.all(runs);
    expect(peak).toBe(2);
    expect(slots.inUse).toBe(0);
    expect(slots.queued).toBe(0);
  });

  it("lets a queued caller leave when its signal aborts, and keeps the slot count right", async () => {
    const slots = new Semaphore(1);
    let release!: () => void;
    const holder = slots.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const queued = slots.run(async () => "never", controller.signal);
    expect(slots.queued).toBe(1);
    controller.abort(new Error("stop"));
    await expect(queued).rejects.toThrow("stop");
    expect(slots.queued).toBe(0);
    release();
    await holder;
    expect(await slots.run(async () => "next")).toBe("next");
    expect(slots.inUse).toBe(0);
  });
});
