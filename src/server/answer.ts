import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { Runnable, RunnableConfig } from "@langchain/core/runnables";
import type { PyramidChatModel } from "../chat_models/index.js";
import { formatPath } from "../config/issues.js";
import type { PyramidMetadata } from "../graphs/result.js";
import { HttpError, toHttpError } from "./errors.js";
import { chunk, completionId, contentText, nowSeconds, toChatCompletion, toToolCallDeltas, toUsage, usageChunk } from "./format.js";
import type { ChunkHeader } from "./format.js";
import { chatCompletionRequestSchema } from "./schema.js";
import type { ChatCompletionRequest } from "./schema.js";

/** A chat model or its tool-bound copy. */
export type ChatRunnable = Runnable<BaseLanguageModelInput, AIMessageChunk>;

/** Sends a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Sends an error in OpenAI's shape (or ends a response whose headers are already out). */
export function sendError(res: ServerResponse, error: HttpError, closing: boolean): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  sendJson(res, error.status, error.body(), { ...error.headers, ...(closing ? { connection: "close" } : {}) });
}

/** Parses and validates a chat completions body (400 naming the field). */
export function parseRequest(raw: Buffer): ChatCompletionRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "the request body is not valid JSON", { code: "invalid_json" });
  }
  const parsed = chatCompletionRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const param = path.length > 0 ? formatPath(path) : null;
    let message = issue.message;
    if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
      message = 'must be one of "system", "developer", "user", "assistant", "tool"';
    }
    throw new HttpError(400, `${param ?? "body"}: ${message}`, { param, code: "invalid_value" });
  }
  const request = parsed.data;
  const choice = request.tool_choice;
  if (typeof choice === "object" && !(request.tools ?? []).some((tool) => tool.function.name === choice.function.name)) {
    throw new HttpError(400, `tool_choice names "${choice.function.name}", which is not in tools`, { param: "tool_choice", code: "invalid_value" });
  }
  if (choice !== undefined && choice !== "none" && (request.tools ?? []).length === 0) {
    throw new HttpError(400, "tool_choice is set but no tools are given", { param: "tool_choice", code: "invalid_value" });
  }
  return request;
}

/** The pyramid, with the request's tools bound when it has any. */
export function runnableFor(model: PyramidChatModel, request: ChatCompletionRequest): ChatRunnable {
  const tools = request.tools ?? [];
  if (tools.length === 0 || request.tool_choice === "none") return model;
  return model.bindTools(tools as BindToolsInput[], request.tool_choice ? { tool_choice: request.tool_choice } : undefined) as ChatRunnable;
}

/** What an answered request reports to metrics and rate limits. */
export interface Answered {
  readonly pyramid?: PyramidMetadata;
  readonly usage?: AIMessageChunk["usage_metadata"];
}

/** Answers a non-streamed request. */
export async function answer(res: ServerResponse, runnable: ChatRunnable, messages: BaseMessage[], modelId: string, config: RunnableConfig): Promise<Answered> {
  const message = await runnable.invoke(messages, config);
  sendJson(res, 200, toChatCompletion(message, modelId));
  return { pyramid: message.response_metadata?.pyramid as PyramidMetadata | undefined, usage: message.usage_metadata };
}

/** Writes one server-sent event. */
export function writeEvent(res: ServerResponse, data: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/** Answers a streamed request in OpenAI's chunk format; `report` receives an error that ends the stream. */
export async function streamAnswer(
  res: ServerResponse,
  runnable: ChatRunnable,
  messages: BaseMessage[],
  request: ChatCompletionRequest,
  modelId: string,
  config: RunnableConfig,
  report: (error: HttpError) => void,
): Promise<Answered> {
  const header: ChunkHeader = { id: completionId(), created: nowSeconds(), model: modelId };
  const stream = await runnable.stream(messages, config);
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
    writeEvent(res, chunk(header, { role: "assistant", content: "" }));
  };
  let pyramid: PyramidMetadata | undefined;
  let usage: AIMessageChunk["usage_metadata"];
  const toolIds = new Map<number, string>();
  try {
    for await (const piece of stream) {
      const text = contentText(piece.content);
      const deltas = toToolCallDeltas(piece).map((delta) => {
        if (toolIds.has(delta.index)) return delta;
        const id = delta.id ?? `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
        toolIds.set(delta.index, id);
        return { ...delta, id, type: "function" as const };
      });
      if (piece.response_metadata?.pyramid) pyramid = piece.response_metadata.pyramid as PyramidMetadata;
      if (piece.usage_metadata) usage = piece.usage_metadata;
      if (text.length > 0) {
        start();
        writeEvent(res, chunk(header, { content: text }));
      }
      if (deltas.length > 0) {
        start();
        writeEvent(res, chunk(header, { tool_calls: deltas }));
      }
    }
  } catch (error) {
    if (!started) throw error;
    const httpError = toHttpError(error);
    report(httpError);
    writeEvent(res, httpError.body());
    if (!res.destroyed) res.end();
    return { pyramid, usage };
  }
  start();
  writeEvent(res, chunk(header, {}, toolIds.size > 0 ? "tool_calls" : "stop", pyramid ? { pyramid } : {}));
  if (request.stream_options?.include_usage) writeEvent(res, usageChunk(header, toUsage(usage)));
  writeEvent(res, "[DONE]");
  res.end();
  return { pyramid, usage };
}

