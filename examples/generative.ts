/**
 * generative.ts: routing mode vs generative mode on the same GSM8K questions, those where the crowd is split.
 *
 * Run: `npx tsx examples/generative.ts` (split questions among the first 200; `--scan 947` for all).
 *
 * - Routing mode: an escalated query goes to the apex with the user's messages only.
 * - Generative mode: the apex also sees the crowd's candidate answers, framed as untrusted data in a
 *   user-role message after the conversation (the core's default generative prompt), and can use them.
 *
 * What is real and what is scripted, offline (the default):
 * - The crowd is REAL recorded outputs (ReplayChatModel over `dataDir()/recorded/gsm8k.jsonl`):
 *   Llama-3.1-8B, gemma-2-9b and Qwen2-7B, exactly as they answered.
 * - The routing-mode apex is the REAL recorded Llama-3.1-70B.
 * - The generative-mode apex is SCRIPTED: `ArithmeticJudge` from examples/offline_models.ts. A recorded apex
 *   cannot be used there, because its recorded answer was produced without seeing any candidates: a replay
 *   would ignore them (and the replay store has no output for the longer prompt anyway). The judge re-computes
 *   the equations written in each candidate and returns the candidate with the fewest arithmetic errors. It
 *   shows what generative mode hands the apex; its accuracy is that of a simple checker, not of an LLM.
 * With `PYRAMID_OPENAI_BASE_URL`, `PYRAMID_CROWD_MODELS` and `PYRAMID_ORACLE_MODEL` set (examples/README.md),
 * both modes run on real models (the same real apex reads the candidates in generative mode); the crowd's
 * split cannot be known before calling it, so the first `--limit` questions (default 10) are sent.
 *
 * Both modes use the policy `{ threshold: 0.3 }`: any disagreement in the crowd escalates.
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { PyramidChatModel, majorityVote } from "../src/index.js";
import type { MemberInput, PyramidMetadata } from "../src/index.js";
import { RecordedOutputs, getRecordedItems, itemsAnsweredByAll } from "../src/replay/index.js";
import type { RecordedItem } from "../src/replay/index.js";
import { answerKey, goldKey, mapConcurrent, toMessages } from "./deep_pyramid.js";
import { ArithmeticJudge } from "./offline_models.js";
import { z } from "zod";
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

/** The recorded crowd. */
export const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"] as const;
/** The recorded routing-mode apex. */
export const APEX = "Meta-Llama-3.1-70B-Instruct";

/** Records the prompt of every model call by run name (members are called with their name as run name). */
export class PromptCapture extends BaseCallbackHandler {
  name = "prompt-capture";
  /** Prompts received per member name, in call order. */
  readonly prompts = new Map<string, BaseMessage[][]>();

  override handleChatModelStart(
    _llm: Serialized,
    messages: BaseMessage[][],
    _runId: string,
    _parentRunId?: string,
    _extra?: Record<string, unknown>,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    if (!runName) return;
    const list = this.prompts.get(runName) ?? [];
    list.push(...messages);
    this.prompts.set(runName, list);
  }
}

/** Renders a prompt as `role: text` blocks. */
export function renderPrompt(messages: readonly BaseMessage[]): string {
  return messages
    .map((m) => `${m.getType()}: ${typeof m.content === "string" ? m.content : JSON.stringify(m.content)}`)
    .join("\n---\n");
}

/** Options of {@link main}. */
export interface GenerativeExampleOptions {
  /** How many recorded questions to scan for a split crowd (default 200). */
  readonly scan?: number;
  /** Real endpoints only: how many questions to send (default 10). */
  readonly limit?: number;
  /** Force the recorded crowd and the scripted judge even when the real-endpoint variables are set. */
  readonly offline?: boolean;
  /** A real endpoint to use instead of the environment's. */
  readonly endpoint?: RealEndpoint;
}

/** zod schema of {@link GenerativeExampleOptions}. */
export const generativeExampleOptionsSchema = z
  .object({
    scan: z.number().int().positive().optional(),
    limit: z.number().int().positive().optional(),
    offline: z.boolean().optional(),
    endpoint: realEndpointSchema.optional(),
  })
  .strict();

/** One mode's outcome over the selected questions. */
export interface ModeOutcome {
  /** Fraction of the selected questions answered correctly. */
  readonly accuracy: number;
  /** Questions that went to the apex. */
  readonly escalated: number;
  /** Questions whose final answer has an extractable number. */
  readonly answered: number;
}

/** What {@link main} returns. */
export interface GenerativeExampleResult {
  readonly source: "recorded" | "real";
  /** Questions scanned and questions selected (crowd split; on real endpoints: every question sent). */
  readonly scanned: number;
  readonly questions: number;
  /** The crowd's majority-vote accuracy on the selected questions. */
  readonly crowdMajority: number;
  readonly routing: ModeOutcome;
  readonly generative: ModeOutcome;
  /** The apex's name in each mode. */
  readonly apex: { readonly routing: string; readonly generative: string };
  /** What the apex received for the first selected question, in each mode. */
  readonly apexPrompt: { readonly routing: string; readonly generative: string };
  /** The crowd's candidate texts for that first question (to find them in the generative prompt). */
  readonly firstCandidates: readonly string[];
  /** Per question: id, gold, the crowd's answers, and each mode's answer (normalized answer keys). */
  readonly perQuery: ReadonlyArray<{
    readonly id: string;
    readonly gold: string | null;
    readonly crowd: ReadonlyArray<string | null>;
    readonly routing: string | null;
    readonly generative: string | null;
  }>;
}

function outcome(
  results: ReadonlyArray<{ key: string | null; meta: PyramidMetadata }>,
  items: readonly RecordedItem[],
): ModeOutcome {
  const n = Math.max(1, items.length);
  return {
    accuracy: results.filter((r, i) => r.key !== null && r.key === goldKey(items[i])).length / n,
    escalated: results.filter((r) => r.meta.escalated).length,
    answered: results.filter((r) => r.key !== null).length,
  };
}

/** Runs both modes on the questions where the crowd splits and compares them. */
export async function main(input: GenerativeExampleOptions = {}): Promise<GenerativeExampleResult> {
  const options: GenerativeExampleOptions = parseExampleOptions(generativeExampleOptionsSchema, input, "generative");
  const store = RecordedOutputs.load(recordedGsm8kPath());
  const all = itemsAnsweredByAll(getRecordedItems(store), [...CROWD, APEX]);
  const endpoint = chooseEndpoint(options);
  const scanned = endpoint ? Math.min(options.limit ?? 10, all.length) : Math.min(options.scan ?? 200, all.length);
  const crowdKeys = (item: RecordedItem) => CROWD.map((name) => answerKey(item.byModel.get(name)?.output ?? ""));
  const items = endpoint
    ? all.slice(0, scanned)
    : all.slice(0, scanned).filter((item) => majorityVote(crowdKeys(item)).distinct > 1);

  let crowd: MemberInput[];
  let routingApex: MemberInput & { name: string };
  let generativeApex: MemberInput & { name: string };
  if (endpoint) {
    crowd = endpoint.crowd.map((name) => ({ name, model: openAIModel(endpoint, name) as BaseChatModel }));
    routingApex = { name: endpoint.oracle, model: openAIModel(endpoint, endpoint.oracle) as BaseChatModel };
    generativeApex = routingApex;
  } else {
    crowd = CROWD.map((name) => ({ name, model: store.model(name) }));
    routingApex = { name: APEX, model: store.model(APEX) };
    generativeApex = { name: "arithmetic-judge", model: new ArithmeticJudge({ name: "arithmetic-judge" }) };
  }
  const policy = { threshold: 0.3 };
  const routing = new PyramidChatModel({ crowd, oracle: routingApex, task: "math", policy, mode: "routing" });
  const generative = new PyramidChatModel({ crowd, oracle: generativeApex, task: "math", policy, mode: "generative" });

  const run = async (model: PyramidChatModel, capture?: PromptCapture) =>
    mapConcurrent(items, 8, async (item) => {
      const answer = await model.invoke(toMessages(item.messages), capture ? { callbacks: [capture] } : {});
      const text = typeof answer.content === "string" ? answer.content : "";
      return { key: answerKey(text), meta: answer.response_metadata.pyramid as PyramidMetadata };
    });
  // The first question runs alone with a prompt recorder, so the captured prompts are that question's.
  const routingCapture = new PromptCapture();
  const generativeCapture = new PromptCapture();
  const first = items.slice(0, 1);
  if (first.length > 0) {
    await routing.invoke(toMessages(first[0].messages), { callbacks: [routingCapture] });
    await generative.invoke(toMessages(first[0].messages), { callbacks: [generativeCapture] });
  }
  const routed = await run(routing);
  const generated = await run(generative);

  const firstMeta = generated[0]?.meta;
  const prompt = (capture: PromptCapture, name: string) => {
    const prompts = capture.prompts.get(name);
    return prompts && prompts.length > 0 ? renderPrompt(prompts[0]) : "(the apex was not called)";
  };
  const crowdCorrect = generated.filter(
    (r, i) => r.meta.decisions[0]?.answer != null && r.meta.decisions[0].answer === goldKey(items[i]),
  ).length;
  return {
    source: endpoint ? "real" : "recorded",
    scanned,
    questions: items.length,
    crowdMajority: crowdCorrect / Math.max(1, items.length),
    routing: outcome(routed, items),
    generative: outcome(generated, items),
    apex: { routing: routingApex.name, generative: generativeApex.name },
    apexPrompt: {
      routing: prompt(routingCapture, routingApex.name),
      generative: prompt(generativeCapture, generativeApex.name),
    },
    firstCandidates: (firstMeta?.candidates ?? [])
      .filter((c) => c.tier === 0)
      .map((c) => {
        const line = items[0].byModel.get(c.model);
        return endpoint || !line ? (c.answer ?? "") : line.output;
      }),
    perQuery: items.map((item, i) => ({
      id: item.id,
      gold: goldKey(item),
      crowd: generated[i].meta.candidates
        .filter((c) => c.tier === 0)
        .map((c) => (c.answer === null ? null : answerKey(c.answer))),
      routing: routed[i].key,
      generative: generated[i].key,
    })),
  };
}

/** A readable summary of {@link main}'s result. */
export function summarize(r: GenerativeExampleResult): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const clip = (text: string, max: number) =>
    text.length > max ? `${text.slice(0, max)}\n  [... ${text.length - max} more characters]` : text;
  return [
    `Routing vs generative mode on ${r.questions} GSM8K questions where the crowd is split (of ${r.scanned} scanned; ${r.source} crowd)`,
    "",
    `  crowd majority vote            ${pct(r.crowdMajority)}`,
    `  routing    (apex ${r.apex.routing.padEnd(28)}) ${pct(r.routing.accuracy)}  escalated ${r.routing.escalated}`,
    `  generative (apex ${r.apex.generative.padEnd(28)}) ${pct(r.generative.accuracy)}  escalated ${r.generative.escalated}`,
    "",
    "Per question (gold | crowd | routing | generative):",
    ...r.perQuery
      .slice(0, 15)
      .map(
        (q) =>
          `  ${q.id.padEnd(16)} ${String(q.gold).padStart(8)} | ${q.crowd.map(String).join(", ").padEnd(26)} | ${String(q.routing).padStart(8)} | ${String(q.generative).padStart(8)}`,
      ),
    r.perQuery.length > 15 ? `  ... ${r.perQuery.length - 15} more` : "",
    "",
    "What the apex received for the first question, routing mode:",
    clip(r.apexPrompt.routing, 600),
    "",
    "... and generative mode (the candidates are in a user-role message after the conversation):",
    clip(r.apexPrompt.generative, 1800),
  ].join("\n");
}

if (isDirectRun(import.meta.url)) {
  const argv = process.argv.slice(2);
  const scan = positiveInt(flagValue(argv, "scan"), "--scan", 200);
  const limit = positiveInt(flagValue(argv, "limit"), "--limit", 10);
  console.log(summarize(await main({ scan, limit })));
}
