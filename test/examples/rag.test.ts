import { describe, expect, it } from "vitest";
import { HANDBOOK, KeywordRetriever, main } from "../../examples/rag.js";

describe("examples/rag.ts", () => {
  it("retrieves the right document and answers by quoting it, with the pyramid's trace", async () => {
    const result = await main({ offline: true });
    expect(result.source).toBe("offline");
    const [refund, weekend, water] = result.runs;

    expect(refund.retrievedIds[0]).toBe("refunds");
    expect(refund.answer).toContain("30 days");
    expect(refund.answer).toMatch(/\[refunds\]$/);
    const quoted = /^"(.+)" \[refunds\]$/.exec(refund.answer)?.[1];
    expect(quoted && HANDBOOK.find((d) => d.id === "refunds")?.pageContent.includes(quoted)).toBe(true);
    expect(refund.pyramid).toMatchObject({ tierName: "crowd", escalated: false, pFail: 0 });

    // The skimmer quotes the weekday hours; the two careful readers outvote it.
    expect(weekend.retrievedIds[0]).toBe("support");
    expect(weekend.answer).toBe('"On weekends, support is open from 10:00 to 16:00 CET." [support]');
    const skimmer = weekend.pyramid.candidates.find((c) => c.model === "skimmer");
    expect(skimmer?.answer).toContain("weekdays");
    expect(weekend.pyramid.pFail).toBeCloseTo(1 / 3, 12);
    expect(weekend.pyramid.escalated).toBe(false);

    expect(water.retrievedIds).toEqual(["warranty"]);
    expect(water.answer).toContain("does not cover water damage");
    expect(water.pyramid.candidates).toHaveLength(3);
  });

  it("ranks documents by BM25 and returns nothing for unrelated queries", async () => {
    const retriever = new KeywordRetriever(HANDBOOK, 3);
    const docs = await retriever.invoke("How long does standard shipping take?");
    expect(docs[0].id).toBe("shipping");
    expect(docs[0].metadata.score).toBeGreaterThan(0);
    expect(await retriever.invoke("zebra giraffe")).toEqual([]);
  });
});
