/**
 * deep_pyramid.ts: a three-tier pyramid on GSM8K: three 7-9B models -> Llama-3.1-70B -> Llama-3.1-405B.
 *
 * Run: `npx tsx examples/deep_pyramid.ts` (first 200 questions), `--limit 500`, or `--all` (all 947);
 * also `PYRAMID_EXAMPLE_LIMIT=500` / `PYRAMID_EXAMPLE_ALL=1`; `--threshold 0.5` changes the policy;
 * `--routers shipped --preset balanced` routes with the shipped per-boundary routers (routers/deep/) and a joint preset.
 *
 * Offline by default, on REAL recorded outputs: every member is a ReplayChatModel answering with what that real
 * model answered to that exact prompt (`dataDir()/recorded/gsm8k.jsonl` and, for the 405B, `gsm8k-405b.jsonl`, from
 * ZeroEval; greedy decoding). Nothing is scripted; token counts are estimated (4 characters per token) and prices
 * default to 0.0125 USD per 1M tokens per billion parameters read from the model names (8B -> 0.1, 70B -> 0.875,
 * 405B -> 5.0625 USD per 1M tokens).
 * With `PYRAMID_OPENAI_BASE_URL`, `PYRAMID_CROWD_MODELS`, `PYRAMID_MIDDLE_MODELS` and `PYRAMID_ORACLE_MODEL` set
 * (examples/README.md), the same questions go to real models through ChatOpenAI (default 20 questions).
 *
 * The policy is `{ threshold: 0.3 }` with the default agreement router (P_fail = 1 - vote share of the pool so
 * far): the small tier stops only when unanimous; the 72B tier stops when it agrees with the small tier's
 * majority (pool of four: 3/4 agree, P_fail 0.25); otherwise the apex answers.
 */
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import {
  PyramidChatModel,
  PyramidConfigError,
  defaultPriceFor,
  estimateTokens,
  extractAnswer,
  loadRouter,
  normalizeNumber,
} from "../src/index.js";
import type { MemberInput, PyramidMetadata } from "../src/index.js";
import { RecordedOutputs, getRecordedItems, itemsAnsweredByAll } from "../src/replay/index.js";
import type { RecordedItem, RecordedMessage } from "../src/replay/index.js";
import { z } from "zod";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  chooseEndpoint,
  flagValue,
  isDirectRun,
  openAIModel,
  parseExampleOptions,
  positiveInt,
  realEndpointSchema,
  recordedGsm8kPath,
} from "./support.js";
import type { RealEndpoint } from "./support.js";

/** The recorded models of each tier. */
export const TIERS = [
  { name: "small", models: ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"] },
  { name: "70B", models: ["Meta-Llama-3.1-70B-Instruct"] },
  { name: "apex", models: ["Meta-Llama-3.1-405B-Instruct"] },
] as const;

/** The shipped per-boundary routers of these tiers (`scripts/train_deep_routers.ts`). */
export const SHIPPED_ROUTER_FILES = [0, 1].map((k) =>
  fileURLToPath(
    new URL(`../routers/deep/gsm8k-llama8b-gemma9b-qwen7b_llama70b_llama405b/boundary-${k}.json`, import.meta.url),
  ),
);

/** The recorded GSM8K outputs of every tier: the main file and the 405B's (`gsm8k-405b.jsonl`), in one store. */
export function recordedDeepStore(): RecordedOutputs {
  const main = RecordedOutputs.load(recordedGsm8kPath());
  const apex = RecordedOutputs.load(join(dirname(recordedGsm8kPath()), "gsm8k-405b.jsonl"));
  return new RecordedOutputs([...main.lines, ...apex.lines]);
}

/** Options of {@link main}. */
export interface DeepPyramidOptions {
  /** Number of questions, from the first recorded one (default 200; 20 on real endpoints). */
  readonly limit?: number;
  /** Run every recorded question (947). */
  readonly all?: boolean;
  /** Escalation threshold on P_fail (default 0.3). */
  readonly threshold?: number;
  /** `agreement` (default: P_fail = 1 - vote share of the pool) or the `shipped` per-boundary routers. */
  readonly routers?: "agreement" | "shipped";
  /** With `routers: "shipped"`: the joint preset (default `balanced`); `threshold` overrides it. */
  readonly preset?: string;
  /** Force the recorded outputs even when the real-endpoint variables are set. */
  readonly offline?: boolean;
  /** A real endpoint to use instead of the environment's. */
  readonly endpoint?: RealEndpoint;
  /** Queries run concurrently (default 8). */
  readonly concurrency?: number;
}

/** zod schema of {@link DeepPyramidOptions}. */
export const deepPyramidOptionsSchema = z
  .object({
    limit: z.number().int().positive().optional(),
    all: z.boolean().optional(),
    threshold: z.number().min(0).max(1).optional(),
    routers: z.enum(["agreement", "shipped"]).optional(),
    preset: z.string().min(1).optional(),
    offline: z.boolean().optional(),
    endpoint: realEndpointSchema.optional(),
    concurrency: z.number().int().positive().optional(),
  })
  .strict();

/** What {@link main} returns. */
export interface DeepPyramidResult {
  readonly source: "recorded" | "real";
  readonly questions: number;
  readonly threshold: number | string;
  /** Per tier: its models and how many queries stopped there (the counts sum to `questions`). */
  readonly tiers: ReadonlyArray<{
    readonly name: string;
    readonly models: readonly string[];
    readonly stopped: number;
  }>;
  /** Accuracy (fraction correct) of the pyramid, of the small tier's majority vote, of the apex alone, and of every model. */
  readonly accuracy: {
    readonly pyramid: number;
    readonly crowdMajority: number;
    readonly apexAlone: number;
    readonly byModel: Readonly<Record<string, number>>;
  };
  /** USD: what the pyramid spent, and what the apex alone costs on the same questions. */
  readonly cost: { readonly pyramid: number; readonly apexAlone: number; readonly ratio: number };
  /** Per question: id, tier that answered, correct or not. */
  readonly perQuery: ReadonlyArray<{ readonly id: string; readonly tierName: string; readonly correct: boolean }>;
}

/** Converts recorded chat messages to LangChain messages (same contents, so the replay keys match). */
export function toMessages(messages: readonly RecordedMessage[]): BaseMessage[] {
  return messages.map((m) =>
    m.role === "system"
      ? new SystemMessage(m.content)
      : m.role === "assistant"
        ? new AIMessage(m.content)
        : new HumanMessage(m.content),
  );
}

/** The answer key of a GSM8K output (the core's math extractor), to compare with {@link goldKey}. */
export function answerKey(text: string): string | null {
  return extractAnswer(text, "math")?.key ?? null;
}

/** The normalized gold number of a recorded GSM8K item. */
export function goldKey(item: RecordedItem): string | null {
  return normalizeNumber(String(item.gold));
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function tierModels(
  options: DeepPyramidOptions,
  store: RecordedOutputs,
): {
  source: "recorded" | "real";
  tiers: Array<{ name: string; models: MemberInput[]; names: string[] }>;
} {
  const endpoint = chooseEndpoint(options);
  if (endpoint) {
    if (endpoint.middle.length === 0) {
      throw new PyramidConfigError("is empty: a three-tier pyramid needs middle-tier models", {
        field: "PYRAMID_MIDDLE_MODELS",
        fix: "set PYRAMID_MIDDLE_MODELS to comma-separated model names, e.g. qwen2-72b",
      });
    }
    const middle = [...endpoint.middle];
    const groups: Array<{ name: string; names: string[] }> = [
      { name: "small", names: [...endpoint.crowd] },
      { name: "middle", names: middle },
      { name: "apex", names: [endpoint.oracle] },
    ];
    return {
      source: "real",
      tiers: groups.map((g) => ({
        ...g,
        models: g.names.map((name) => ({ name, model: openAIModel(endpoint, name) as BaseChatModel })),
      })),
    };
  }
  return {
    source: "recorded",
    tiers: TIERS.map((t) => ({
      name: t.name,
      names: [...t.models],
      models: t.models.map((name) => ({ name, model: store.model(name) })),
    })),
  };
}

/** Runs the three-tier pyramid over the first questions of recorded GSM8K and measures where queries stop. */
export async function main(input: DeepPyramidOptions = {}): Promise<DeepPyramidResult> {
  const options: DeepPyramidOptions = parseExampleOptions(deepPyramidOptionsSchema, input, "deep_pyramid");
  const shipped = options.routers === "shipped";
  const threshold = options.threshold ?? (shipped ? (options.preset ?? "balanced") : 0.3);
  const store = recordedDeepStore();
  const { source, tiers } = tierModels(options, store);
  const allItems = itemsAnsweredByAll(
    getRecordedItems(store),
    TIERS.flatMap((t) => [...t.models]),
  );
  const limit = options.all ? allItems.length : (options.limit ?? (source === "real" ? 20 : 200));
  const items = allItems.slice(0, limit);
  const routers = shipped ? SHIPPED_ROUTER_FILES.map((file) => loadRouter(file)) : [];
  const pyramid = new PyramidChatModel({
    tiers: tiers.map((t, k) => ({ name: t.name, models: t.models, ...(routers[k] ? { router: routers[k] } : {}) })),
    task: "math",
    policy: typeof threshold === "number" ? { threshold } : { preset: threshold },
  });
  const apexName = tiers[tiers.length - 1].names[0];
  const apexPrice = defaultPriceFor(apexName);

  const outcomes = await mapConcurrent(items, options.concurrency ?? 8, async (item) => {
    const answer = await pyramid.invoke(toMessages(item.messages));
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    const text = typeof answer.content === "string" ? answer.content : "";
    return { item, meta, key: answerKey(text) };
  });

  // Each recorded model alone (recorded outputs only: on real endpoints only the pyramid's calls are known).
  const byModel: Record<string, number> = {};
  if (source === "recorded") {
    for (const name of TIERS.flatMap((t) => [...t.models])) {
      const correct = items.filter((item) => answerKey(item.byModel.get(name)?.output ?? "") === goldKey(item)).length;
      byModel[name] = correct / Math.max(1, items.length);
    }
  }
  // The small tier's majority vote, as the pyramid's first router saw it.
  const crowdCorrect = outcomes.filter(({ item, meta }) => {
    const vote = meta.decisions[0]?.answer ?? null;
    return vote !== null && vote === goldKey(item);
  }).length;

  // The apex alone: one call per question; with recorded outputs its tokens are known (same 4-chars estimate).
  let apexAloneCost = 0;
  for (const { item, meta } of outcomes) {
    const line = source === "recorded" ? item.byModel.get(apexName) : undefined;
    if (line && apexPrice) {
      const input = estimateTokens(item.messages.map((m) => m.content).join(""));
      const output = estimateTokens(line.output);
      apexAloneCost += (input * apexPrice.input + output * apexPrice.output) / 1e6;
    } else {
      apexAloneCost += meta.cost.oracleOnly;
    }
  }
  const pyramidCost = outcomes.reduce((sum, o) => sum + o.meta.cost.total, 0);
  const perQuery = outcomes.map(({ item, meta, key }) => ({
    id: item.id,
    tierName: meta.tierName,
    correct: key !== null && key === goldKey(item),
  }));
  const n = Math.max(1, items.length);
  return {
    source,
    questions: items.length,
    threshold,
    tiers: tiers.map((t) => ({
      name: t.name,
      models: t.names,
      stopped: perQuery.filter((q) => q.tierName === t.name).length,
    })),
    accuracy: {
      pyramid: perQuery.filter((q) => q.correct).length / n,
      crowdMajority: crowdCorrect / n,
      apexAlone: byModel[apexName] ?? Number.NaN,
      byModel,
    },
    cost: {
      pyramid: pyramidCost,
      apexAlone: apexAloneCost,
      ratio: apexAloneCost > 0 ? pyramidCost / apexAloneCost : Number.NaN,
    },
    perQuery,
  };
}

/** A readable summary of {@link main}'s result. */
export function summarize(r: DeepPyramidResult): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
  // On real endpoints the apex is called only on escalated questions: its accuracy alone is not measured.
  const apexAlone = Number.isFinite(r.accuracy.apexAlone)
    ? pct(r.accuracy.apexAlone)
    : "not measured (real endpoints: the apex answers only the escalated questions)";
  const costRatio = Number.isFinite(r.cost.ratio) ? ` (${pct(r.cost.ratio)} of it)` : "";
  return [
    `Three-tier pyramid on ${r.questions} GSM8K questions (${r.source} outputs), escalate when P_fail > ${typeof r.threshold === "number" ? r.threshold : `the joint "${r.threshold}" preset of the shipped routers`}`,
    "",
    "Queries answered per tier:",
    ...r.tiers.map(
      (t) =>
        `  ${t.name.padEnd(6)} ${String(t.stopped).padStart(4)}  (${pct(t.stopped / Math.max(1, r.questions))})  ${t.models.join(", ")}`,
    ),
    "",
    "Accuracy:",
    `  pyramid           ${pct(r.accuracy.pyramid)}`,
    `  small majority    ${pct(r.accuracy.crowdMajority)}`,
    `  apex alone        ${apexAlone}`,
    ...Object.entries(r.accuracy.byModel).map(([name, acc]) => `    ${name.padEnd(28)} ${pct(acc)}`),
    "",
    `Cost: pyramid ${r.cost.pyramid.toFixed(5)} USD vs apex alone ${r.cost.apexAlone.toFixed(5)} USD${costRatio}`,
  ].join("\n");
}

if (isDirectRun(import.meta.url)) {
  const argv = process.argv.slice(2);
  const all = argv.includes("--all") || process.env.PYRAMID_EXAMPLE_ALL === "1";
  const limitText = flagValue(argv, "limit") ?? process.env.PYRAMID_EXAMPLE_LIMIT;
  const thresholdText = flagValue(argv, "threshold");
  const threshold = thresholdText === undefined ? undefined : Number(thresholdText);
  const limit = limitText === undefined ? undefined : positiveInt(limitText, "--limit", 200);
  const routers = flagValue(argv, "routers") === "shipped" ? "shipped" : undefined;
  const preset = flagValue(argv, "preset");
  console.log(summarize(await main({ all, limit, threshold, routers, preset })));
}
