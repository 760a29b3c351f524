import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { OpenAIEmbeddings } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterBySimilarity,
  judgeSimilarity,
  semanticFeatures,
  SEMANTIC_FEATURE_NAMES,
  tokenF1,
} from "../../src/features/semantic/index.js";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import type { Candidate } from "../../src/core/types.js";

const member = (name: string, reply: string) => ({ name, model: new FakeListChatModel({ responses: [reply] }) });
const meta = (message: { response_metadata: Record<string, unknown> }) =>
  message.response_metadata.pyramid as PyramidMetadata;

describe("token F1 and clustering (hand-computed)", () => {
  it("token F1: SQuAD normalization, multiplicity", () => {
    // "the eiffel tower" -> [eiffel, tower]; "eiffel tower in paris" -> [eiffel, tower, in, paris]:
    // shared 2, precision 2/4, recall 2/2, F1 = 2 * 0.5 * 1 / 1.5 = 2/3.
    expect(tokenF1("The Eiffel Tower.", "Eiffel tower in Paris")).toBeCloseTo(2 / 3, 12);
    expect(tokenF1("a a b", "a b b")).toBeCloseTo(2 / 3, 12);
    expect(tokenF1("Paris", "London")).toBe(0);
    expect(tokenF1("", "")).toBe(1);
  });
  it("clusters by single linkage and takes the medoid (largest similarity to its cluster, first on ties)", () => {
    const matrix = [
      [1, 0.6, 0.1, 0.5],
      [0.6, 1, 0.2, 0.9],
      [0.1, 0.2, 1, 0.0],
      [0.5, 0.9, 0.0, 1],
    ];
    const clusters = clusterBySimilarity(matrix, 0.5);
    expect(clusters.labels).toEqual([0, 0, 1, 0]);
    expect(clusters.sizes).toEqual([3, 1]);
    // Totals in cluster 0: member 0: 1.1, member 1: 1.5, member 3: 1.4.
    expect(clusters.medoids).toEqual([1, 2]);
  });
  it("semantic features: share, entropy, mean and max pairwise similarity; NaN when absent", () => {
    const candidate = (answer: string | null, similarities?: number[]) =>
      ({ answer, ...(similarities ? { similarities } : {}) }) as unknown as Candidate;
    const values = semanticFeatures([
      candidate("x", [1, 0.8, 0.2]),
      candidate("x", [0.8, 1, 0.4]),
      candidate("y", [0.2, 0.4, 1]),
    ]);
    // Clusters {x: 2, y: 1}: share 2/3, entropy -(2/3 ln 2/3 + 1/3 ln 1/3); pairs 0.8, 0.2, 0.4.
    expect(values[0]).toBeCloseTo(2 / 3, 12);
    expect(values[1]).toBeCloseTo(-((2 / 3) * Math.log(2 / 3) + (1 / 3) * Math.log(1 / 3)), 12);
    expect(values[2]).toBeCloseTo(1.4 / 3, 12);
    expect(values[3]).toBeCloseTo(0.8, 12);
    expect(semanticFeatures([candidate("x"), candidate("y")]).every(Number.isNaN)).toBe(true);
    expect(values).toHaveLength(SEMANTIC_FEATURE_NAMES.length);
  });
});

describe("short-answer: voted by meaning (lexical, no model)", () => {
  it("joins answers that say the same, returns the largest cluster's medoid and reports the features", async () => {
    const pyramid = new PyramidChatModel({
      crowd: [
        member("a", "Big Ben"),
        member("b", "The Eiffel Tower."),
        member("c", "Answer: the Eiffel Tower in Paris"),
        member("d", "eiffel tower"),
      ],
      oracle: member("o", "The Eiffel Tower"),
      task: "short-answer",
    });
    const message = await pyramid.invoke("Which landmark is 330 m tall?");
    const trace = meta(message);
    expect(trace.escalated).toBe(false);
    // b, c and d form one cluster; b and d are identical after normalization, so b (first of the two) is the medoid.
    expect(String(message.content)).toBe("The Eiffel Tower.");
    expect(trace.features.semantic_cluster_share).toBeCloseTo(3 / 4, 12);
    expect(trace.features.vote_share).toBeCloseTo(3 / 4, 12);
    expect(trace.features.semantic_similarity_max).toBe(1);
  });
  it("exact voting with similarity: exact escalates the same crowd (no majority of identical keys)", async () => {
    const pyramid = new PyramidChatModel({
      crowd: [member("a", "Big Ben"), member("b", "The Eiffel Tower."), member("c", "the Eiffel Tower in Paris")],
      oracle: member("o", "The Eiffel Tower"),
      task: "short-answer",
      similarity: "exact",
    });
    const trace = meta(await pyramid.invoke("Which landmark?"));
    expect(trace.escalated).toBe(true);
    expect(trace.features.semantic_cluster_share).toBeUndefined();
  });
  it("a judge model decides which answers are the same", async () => {
    // The judge says yes only to the pair (Eiffel Tower, Tour Eiffel).
    const judge = new FakeListChatModel({ responses: ["no", "no", "Yes."] });
    const pyramid = new PyramidChatModel({
      crowd: [member("a", "Big Ben"), member("b", "Eiffel Tower"), member("c", "Tour Eiffel")],
      oracle: member("o", "Eiffel Tower"),
      task: "short-answer",
      similarity: judgeSimilarity(judge),
    });
    const message = await pyramid.invoke("Which landmark?");
    expect(meta(message).features.semantic_cluster_share).toBeCloseTo(2 / 3, 12);
    expect(String(message.content)).toBe("Eiffel Tower");
  });
});

describe("text voted by meaning through a real LangChain Embeddings class (OpenAIEmbeddings on a loopback stub)", () => {
  const requests: string[][] = [];
  let baseURL = "";
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      const { input, encoding_format: format } = JSON.parse(body) as { input: string[]; encoding_format?: string };
      requests.push(input);
      // A vector per topic: the stub embeds by the city a text names.
      const vector = (text: string) =>
        /paris/i.test(text) ? [1, 0.1, 0] : /london/i.test(text) ? [0, 1, 0.1] : [0, 0, 1];
      response.setHeader("content-type", "application/json");
      response.end(
        JSON.stringify({
          object: "list",
          model: "stub-embedding",
          // The OpenAI SDK asks for base64 (little-endian float32) unless told "float": answer as asked.
          data: input.map((text, index) => ({
            object: "embedding",
            index,
            embedding:
              format === "base64"
                ? Buffer.from(new Float32Array(vector(text)).buffer).toString("base64")
                : vector(text),
          })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      );
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("clusters by cosine with one embeddings batch per query, and picks the medoid of the largest cluster", async () => {
    const embeddings = new OpenAIEmbeddings({ apiKey: "test", model: "stub-embedding", configuration: { baseURL } });
    const pyramid = new PyramidChatModel({
      crowd: [
        member("a", "London is the capital of the United Kingdom."),
        member("b", "The capital of France is Paris."),
        member("c", "Paris, on the Seine, is France's capital city."),
      ],
      oracle: member("o", "Paris."),
      task: "text",
      similarity: embeddings,
    });
    const message = await pyramid.invoke("What is the capital of France?");
    expect(requests).toHaveLength(1);
    expect(requests[0]).toHaveLength(3);
    const trace = meta(message);
    expect(trace.escalated).toBe(false);
    expect(String(message.content)).toBe("The capital of France is Paris.");
    expect(trace.features.semantic_cluster_share).toBeCloseTo(2 / 3, 12);
    // Paris texts embed identically: similarity 1; Paris vs London: cosine of [1,0.1,0] and [0,1,0.1] = 0.1/1.01.
    expect(trace.features.semantic_similarity_max).toBeCloseTo(1, 6);
    expect(trace.features.semantic_similarity_mean).toBeCloseTo((1 + 2 * (0.1 / 1.01)) / 3, 6);
  });
});
