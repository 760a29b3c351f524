import { describe, expect, it } from "vitest";
import { HANDBOOK, KeywordRetriever, main } from "../../examples/rag.js";
import { PyramidConfigError } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";

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

  it("runs the chain on real models over HTTP, sending them the retrieved context", async () => {
    const quote = '"Customers can return any product within 30 days of delivery for a full refund." [refunds]';
    const server = await startOpenAITestServer({
      models: {
        s1: () => ({ content: quote }),
        s2: () => ({ content: quote }),
        s3: () => ({ content: "Opened software cannot be refunded." }),
        big: () => ({ content: "never asked" }),
      },
    });
    try {
      const result = await main({
        endpoint: { baseURL: server.baseURL, crowd: ["s1", "s2", "s3"], middle: [], oracle: "big" },
        questions: ["Within how many days can customers return a product for a refund?"],
      });
      expect(result.source).toBe("real");
      expect(result.runs[0].answer).toBe(quote);
      expect(result.runs[0].pyramid.escalated).toBe(false);
      const requests = server.chatRequests();
      expect(requests.map((r) => r.body?.model).sort()).toEqual(["s1", "s2", "s3"]);
      const system = String(requests[0].body?.messages[0].content);
      expect(system).toContain("[refunds] Customers can return any product within 30 days");
    } finally {
      await server.close();
    }
  });

  it("rejects bad options, naming the field", async () => {
    await expect(main({ questions: [] })).rejects.toThrow(PyramidConfigError);
    await expect(main({ questions: [] })).rejects.toThrow(/rag\.questions/);
  });
});
