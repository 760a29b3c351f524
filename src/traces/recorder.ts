import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { z } from "zod";
import { PyramidConfigError } from "../errors/index.js";
import { configError } from "../graph/options.js";
import { isPyramidAnswerEvent, PYRAMID_ANSWER_EVENT } from "../graph/answer_event.js";
import type { PyramidResult } from "../graph/result.js";
import type { PyramidSpec } from "../graph/spec.js";
import type { PyramidStateType } from "../graph/state.js";
import { ShadowRunner } from "./shadow/shadow_runner.js";
import type { ShadowStats } from "./shadow/shadow_runner.js";
import { resolveTrafficOptions } from "./options.js";
import type { TrafficOptions } from "./options.js";
import { queryTraceLine } from "./query_line.js";
import { TraceWriter } from "./writer.js";

/** Writers shared by every recorder of this process appending to the same file. */
const WRITERS = new Map<string, TraceWriter>();

function sharedWriter(options: { path: string; worker?: string; maxBytes?: number; maxFiles?: number }): TraceWriter {
  const key = `${resolve(options.path)}\u0000${options.worker ?? ""}`;
  let writer = WRITERS.get(key);
  if (!writer) {
    writer = new TraceWriter(options);
    WRITERS.set(key, writer);
  }
  return writer;
}

/** What the recorder attaches to `response_metadata.pyramid` of an answer. */
export interface TrafficMetadata {
  /** The query's id in the trace file: pass it to `feedback(id, correct)`. */
  readonly traceId: string;
  /** Whether the query was drawn for a shadow call to the apex (run after the answer is returned). */
  readonly shadow: boolean;
}

const feedbackSchema = z.object({ id: z.string().min(1).max(200), correct: z.boolean() }).strict();

/**
 * The production side of a pyramid, as a LangChain callback handler: appends one trace line per answered query,
 * runs the shadow calls of the drawn queries in the background, and records feedback. Attach it to the calls of any
 * `PyramidChatModel`, alone or inside a chain or an agent (`{ callbacks: [recorder] }` per call, or `callbacks` in the
 * model's constructor); it listens to the pyramid's `pyramid_answer` event and adds `traceId` and `shadow` to the
 * answer's `response_metadata.pyramid`. `serve --traces` and the CLI attach one; the pyramid itself records nothing.
 *
 * ```ts
 * const recorder = new TrafficRecorder({ traces: "traffic.jsonl", shadow: { rate: 0.1 } });
 * const answer = await model.invoke("What is 17 * 23?", { callbacks: [recorder] });
 * recorder.feedback(answer.response_metadata.pyramid.traceId, true);
 * ```
 */
export class TrafficRecorder extends BaseCallbackHandler {
  /** LangChain handler name. */
  readonly name = "pyramid_traffic";
  /** Awaited, so that the trace id is in the answer's metadata. */
  override awaitHandlers = true;
  private readonly writer?: TraceWriter;
  private readonly shadowRunner?: ShadowRunner;
  private readonly content: boolean;

  /** Validates the options (errors name `traces...` / `shadow...`) and opens the trace file. */
  constructor(options: TrafficOptions) {
    super();
    const resolved = resolveTrafficOptions(options);
    this.content = resolved.traces?.content ?? false;
    if (resolved.traces) this.writer = sharedWriter(resolved.traces);
    if (resolved.shadow && resolved.shadow.rate > 0) this.shadowRunner = new ShadowRunner(resolved.shadow);
  }

  /** Records a pyramid's answered query (the `pyramid_answer` event); other events are ignored. */
  override async handleCustomEvent(eventName: string, data: unknown): Promise<void> {
    if (eventName !== PYRAMID_ANSWER_EVENT || !isPyramidAnswerEvent(data)) return;
    const { traceId, shadow } = this.onAnswer(data.spec, data.state, data.result, data.latencyMs);
    data.annotations.traceId = traceId;
    data.annotations.shadow = shadow;
  }

  /** Whether traces or shadow sampling are configured. */
  static wanted(options: TrafficOptions): boolean {
    return options.traces !== undefined || options.shadow !== undefined;
  }

  /** The trace file being appended to (undefined without traces). */
  get file(): string | undefined {
    return this.writer?.file;
  }

  /** Running totals of the shadow calls (zeros without shadow sampling). */
  get shadowStats(): Readonly<ShadowStats> {
    return this.shadowRunner?.stats ?? { scheduled: 0, completed: 0, skipped: 0, costUsd: 0 };
  }

  /** Records an answered query (and schedules its shadow call when drawn); returns what goes in its metadata. */
  onAnswer(spec: PyramidSpec, state: PyramidStateType, result: PyramidResult, latencyMs: number): TrafficMetadata {
    const id = `q_${randomUUID()}`;
    const reachedApex = state.tiers.some((run) => run.tier === spec.tiers.length - 1);
    const shadow = this.shadowRunner?.draw(reachedApex) ?? false;
    this.writer?.append(
      queryTraceLine(spec, state, result, {
        id,
        latencyMs,
        shadowScheduled: shadow,
        shadowRate: this.shadowRunner?.settings.rate ?? 0,
        content: this.content,
      }),
    );
    if (shadow) this.shadowRunner?.schedule(id, spec, state, (line) => this.writer?.append(line));
    return { traceId: id, shadow };
  }

  /** Appends ground truth for query `id`: whether the answer returned for it was correct. */
  feedback(id: string, correct: boolean): void {
    const parsed = feedbackSchema.safeParse({ id, correct });
    if (!parsed.success) throw configError(parsed.error, "feedback");
    if (!this.writer) {
      throw new PyramidConfigError("feedback needs a trace file", {
        field: "traces",
        fix: 'new TrafficRecorder({ traces: "traffic.jsonl" }) (serve --traces)',
      });
    }
    this.writer.append({
      type: "feedback",
      id: parsed.data.id,
      time: new Date().toISOString(),
      correct: parsed.data.correct,
    });
  }

  /** Resolves when every shadow call scheduled so far has finished and been recorded. */
  drain(): Promise<void> {
    return this.shadowRunner?.drain() ?? Promise.resolve();
  }
}
