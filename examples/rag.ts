/**
 * rag.ts: a retrieval chain (LCEL) over a handful of local documents, with a Pyramid MoA answering from the
 * retrieved context: retriever -> prompt template -> PyramidChatModel -> StringOutputParser.
 *
 * Run: `npx tsx examples/rag.ts`
 *
 * Offline by default: the retriever is a real BM25 keyword retriever (no network, no embeddings) and the chain is
 * real LCEL; the crowd and the apex are SCRIPTED readers from examples/offline_models.ts (`ExtractiveReader`),
 * not language models: they quote the context sentence that shares the most words with the question. One crowd
 * member ("skimmer") is deliberately unreliable: it always quotes the first sentence of the first document.
 * With `PYRAMID_OPENAI_BASE_URL`, `PYRAMID_CROWD_MODELS` and `PYRAMID_ORACLE_MODEL` set (examples/README.md),
 * the same chain runs on real models through ChatOpenAI.
 *
 * The pyramid's routing trace does not survive StringOutputParser, so it is collected with a callback handler
 * ({@link PyramidTraceCollector}) passed to the chain's `invoke`: the way to get the trace out of any chain.
 */
import { z } from "zod";
import { BaseRetriever } from "@langchain/core/retrievers";
import { Document } from "@langchain/core/documents";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { RunnablePassthrough, RunnableSequence } from "@langchain/core/runnables";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { LLMResult } from "@langchain/core/outputs";
import { DataFormatError, PyramidChatModel } from "../src/index.js";
import type { MemberInput, PyramidMetadata } from "../src/index.js";
import { ExtractiveReader, contentWords } from "./offline_models.js";
import { chooseEndpoint, isDirectRun, openAIModel, parseExampleOptions, realEndpointSchema } from "./support.js";
import type { RealEndpoint } from "./support.js";

/** The local document set: a small company handbook. */
export const HANDBOOK: readonly Document[] = [
  {
    id: "refunds",
    text: "Customers can return any product within 30 days of delivery for a full refund. Refunds are paid to the original payment method within 5 business days. Opened software cannot be refunded.",
  },
  {
    id: "shipping",
    text: "Orders placed before 14:00 ship the same day. Standard shipping takes 3 to 5 business days. Express shipping delivers the next business day for a fee of 12 euros.",
  },
  {
    id: "support",
    text: "Support is open on weekdays from 08:00 to 20:00 CET. On weekends, support is open from 10:00 to 16:00 CET. Urgent outages can be reported by phone at any hour.",
  },
  {
    id: "warranty",
    text: "Every device has a two-year warranty against manufacturing defects. The warranty does not cover water damage. Repairs under warranty are free of charge.",
  },
  {
    id: "privacy",
    text: "Customer data is stored in data centres in the European Union. Account data is deleted 90 days after an account is closed. We never sell customer data.",
  },
].map((d) => new Document({ id: d.id, pageContent: d.text, metadata: { id: d.id } }));

/**
 * A BM25 keyword retriever over an in-memory document list (k1 = 1.2, b = 0.75, stopwords dropped, crude
 * stemming). Needs no network and no embedding model.
 */
export class KeywordRetriever extends BaseRetriever {
  /** LangChain namespace. */
  lc_namespace = ["pyramid_moa", "examples", "retrievers"];
  private readonly docs: readonly Document[];
  private readonly k: number;
  private readonly terms: string[][];
  private readonly avgLength: number;
  private readonly docFreq = new Map<string, number>();

  constructor(docs: readonly Document[], k = 2) {
    super();
    this.docs = docs;
    this.k = k;
    this.terms = docs.map((d) => contentWords(d.pageContent, true));
    this.avgLength = this.terms.reduce((s, t) => s + t.length, 0) / Math.max(1, this.terms.length);
    for (const terms of this.terms)
      for (const term of new Set(terms)) this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
  }

  /** BM25 score of every document for `query`. */
  scores(query: string): number[] {
    const n = this.docs.length;
    const words = [...new Set(contentWords(query, true))];
    return this.terms.map((terms) => {
      let score = 0;
      for (const word of words) {
        const tf = terms.filter((t) => t === word).length;
        if (tf === 0) continue;
        const df = this.docFreq.get(word) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * terms.length) / this.avgLength));
      }
      return score;
    });
  }

  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    const scores = this.scores(query);
    return this.docs
      .map((doc, i) => ({ doc, score: scores[i] }))
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, this.k)
      .map((s) => new Document({ ...s.doc, metadata: { ...s.doc.metadata, score: s.score } }));
  }
}

/** Collects `response_metadata.pyramid` of every pyramid call in a run (member calls carry none). */
export class PyramidTraceCollector extends BaseCallbackHandler {
  name = "pyramid-trace-collector";
  /** The traces, in the order the calls ended. */
  readonly traces: PyramidMetadata[] = [];

  override handleLLMEnd(output: LLMResult): void {
    for (const generation of output.generations.flat()) {
      const message = (generation as { message?: { response_metadata?: Record<string, unknown> } }).message;
      const pyramid = message?.response_metadata?.pyramid;
      if (pyramid && typeof pyramid === "object") this.traces.push(pyramid as PyramidMetadata);
    }
  }
}

/** The questions asked by default. */
export const DEFAULT_QUESTIONS: readonly string[] = [
  "Within how many days can customers return a product for a refund?",
  "When is support open on weekends?",
  "Does the warranty cover water damage?",
];

/** One question through the chain. */
export interface RagRun {
  readonly question: string;
  /** Ids of the retrieved documents, best first. */
  readonly retrievedIds: readonly string[];
  /** The chain's string output. */
  readonly answer: string;
  /** The pyramid's routing trace for this question. */
  readonly pyramid: PyramidMetadata;
}

/** What {@link main} returns. */
export interface RagExampleResult {
  readonly source: "offline" | "real";
  readonly runs: readonly RagRun[];
}

/** Options of {@link main}. */
export interface RagExampleOptions {
  /** Force the scripted readers even when the real-endpoint variables are set. */
  readonly offline?: boolean;
  /** A real endpoint to use instead of the environment's. */
  readonly endpoint?: RealEndpoint;
  /** Questions to ask; default {@link DEFAULT_QUESTIONS}. */
  readonly questions?: readonly string[];
}

/** zod schema of {@link RagExampleOptions}. */
export const ragExampleOptionsSchema = z
  .object({
    offline: z.boolean().optional(),
    endpoint: realEndpointSchema.optional(),
    questions: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

const PROMPT = ChatPromptTemplate.fromMessages([
  [
    "system",
    "Answer the question using only the context below. Quote the one sentence that answers it, in double quotes, " +
      'followed by its document id in brackets, e.g. "..." [doc-id]. If the context does not answer it, say so.\n\n' +
      "Context:\n{context}",
  ],
  ["human", "{question}"],
]);

/** Renders documents as `[id] text` lines. */
export function formatDocs(docs: readonly Document[]): string {
  return docs.map((d) => `[${String(d.id ?? d.metadata.id)}] ${d.pageContent}`).join("\n");
}

function members(options: RagExampleOptions): {
  source: "offline" | "real";
  crowd: MemberInput[];
  oracle: MemberInput;
} {
  const endpoint = chooseEndpoint(options);
  if (endpoint) {
    return {
      source: "real",
      crowd: endpoint.crowd.map((name) => ({ name, model: openAIModel(endpoint, name) as BaseChatModel })),
      oracle: { name: endpoint.oracle, model: openAIModel(endpoint, endpoint.oracle) as BaseChatModel },
    };
  }
  const cheap = { input: 0.1, output: 0.1 };
  return {
    source: "offline",
    crowd: [
      { model: new ExtractiveReader({ name: "reader-a" }), price: cheap },
      { model: new ExtractiveReader({ name: "reader-b", stem: true }), price: cheap },
      { model: new ExtractiveReader({ name: "skimmer", strategy: "first-sentence" }), price: cheap },
    ],
    oracle: { model: new ExtractiveReader({ name: "reader-apex", stem: true }), price: { input: 0.9, output: 0.9 } },
  };
}

/** Builds the chain: `{question}` -> `{question, docs, context, answer}`. */
export function buildRagChain(retriever: BaseRetriever, model: PyramidChatModel) {
  const answer = PROMPT.pipe(model).pipe(new StringOutputParser());
  return RunnableSequence.from([
    RunnablePassthrough.assign({ docs: (input: { question: string }) => retriever.invoke(input.question) }),
    RunnablePassthrough.assign({ context: (input: { docs: Document[] }) => formatDocs(input.docs) }),
    RunnablePassthrough.assign({ answer }),
  ]);
}

/** Runs the chain on every question; returns the answers, the retrieved ids and the pyramid's traces. */
export async function main(input: RagExampleOptions = {}): Promise<RagExampleResult> {
  const options: RagExampleOptions = parseExampleOptions(ragExampleOptionsSchema, input, "rag");
  const { source, crowd, oracle } = members(options);
  const model = new PyramidChatModel({ crowd, oracle, task: "text" });
  const chain = buildRagChain(new KeywordRetriever(HANDBOOK, 2), model);
  const runs: RagRun[] = [];
  for (const question of options.questions ?? DEFAULT_QUESTIONS) {
    const collector = new PyramidTraceCollector();
    const output = await chain.invoke({ question }, { callbacks: [collector] });
    const pyramid = collector.traces[collector.traces.length - 1];
    if (!pyramid) {
      throw new DataFormatError("the answer carries no response_metadata.pyramid", {
        field: "response_metadata.pyramid",
        fix: "use a PyramidChatModel as the chain's model",
      });
    }
    runs.push({
      question,
      retrievedIds: output.docs.map((d: Document) => String(d.id ?? d.metadata.id)),
      answer: output.answer,
      pyramid,
    });
  }
  return { source, runs };
}

/** A readable summary of {@link main}'s result. */
export function summarize(result: RagExampleResult): string {
  const lines = [
    `RAG chain with a Pyramid MoA (${result.source} models): BM25 retriever -> prompt -> pyramid -> string`,
  ];
  for (const run of result.runs) {
    const p = run.pyramid;
    lines.push(
      "",
      `Q: ${run.question}`,
      `  retrieved: ${run.retrievedIds.join(", ")}`,
      ...p.candidates.map(
        (c) => `  ${c.tier === 0 ? "crowd" : "apex "} ${c.model.padEnd(11)} ${c.answer ?? c.error ?? "-"}`,
      ),
      `  decision: P_fail ${p.decisions[0]?.pFail.toFixed(2)} vs threshold ${p.decisions[0]?.threshold}: answered by ${p.tierName}${p.escalated ? " (escalated)" : ""}`,
      `  A: ${run.answer}`,
    );
  }
  return lines.join("\n");
}

if (isDirectRun(import.meta.url)) {
  console.log(summarize(await main()));
}
