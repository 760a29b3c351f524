import { describe, expect, it } from "vitest";
import { APEX, main } from "../../examples/generative.js";
import { answerKey } from "../../examples/deep_pyramid.js";
import { getRecordedItems } from "../../src/replay/index.js";
import { recordedGsm8kPath } from "../../examples/support.js";

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

describe("examples/generative.ts", () => {
  it("answers the split questions in both modes; only the generative apex sees the candidates", async () => {
    const result = await main({ offline: true, scan: 100 });
    expect(result.source).toBe("recorded");
    expect(result.questions).toBeGreaterThan(5);
    for (const mode of [result.routing, result.generative]) {
      expect(mode.answered).toBe(result.questions);
      expect(mode.escalated).toBe(result.questions);
    }
    // Every selected question has a split crowd.
    for (const q of result.perQuery) expect(new Set(q.crowd.filter((a) => a !== null)).size).toBeGreaterThan(1);

    // Routing mode: the recorded apex answered the user's prompt alone, so its answers are the recorded ones.
    const items = new Map(getRecordedItems(recordedGsm8kPath()).map((item) => [item.id, item]));
    for (const q of result.perQuery)
      expect(q.routing).toBe(answerKey(items.get(q.id)?.byModel.get(APEX)?.output ?? ""));
    expect(result.apexPrompt.routing).not.toContain("<candidates>");

    // Generative mode: the apex's prompt holds every crowd candidate (escaped), and the judge picks one of them.
    expect(result.apexPrompt.generative).toContain("<candidates>");
    expect(result.firstCandidates).toHaveLength(3);
    for (const text of result.firstCandidates) expect(result.apexPrompt.generative).toContain(escapeHtml(text));
    for (const q of result.perQuery) expect(q.crowd).toContain(q.generative);
  });
});
