import { AIMessageChunk } from "@langchain/core/messages";
import type { AIMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { messageText } from "../cost/usage.js";

/** Splits text into stream pieces of a few words, keeping every character (so the pieces join back exactly). */
export function splitForStreaming(text: string): string[] {
  return text.match(/\s*\S+(?:\s+\S+){0,3}\s*/g) ?? (text.length > 0 ? [text] : []);
}

/** A generation chunk carrying only text (and no usage, so that concatenated usage is not double counted). */
export function textChunk(text: string): ChatGenerationChunk {
  return new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
}

/**
 * A streamed apex chunk re-emitted live: its text only, without usage and metadata (the pyramid reports them once,
 * at the end) and without tool-call pieces (a call is emitted once complete, see {@link toolCallChunks}, so a call
 * cut off by `maxTokens` never reaches the stream). Undefined when the chunk has no text.
 */
export function liveTextChunk(chunk: AIMessageChunk): ChatGenerationChunk | undefined {
  const text = messageText(chunk);
  if (text.length === 0) return undefined;
  return new ChatGenerationChunk({
    text,
    message: new AIMessageChunk({ content: typeof chunk.content === "string" ? chunk.content : text }),
  });
}

/** The complete, valid tool calls of an answer as one chunk (none when it has no tool calls). */
export function toolCallChunks(message: AIMessage): ChatGenerationChunk[] {
  const toolCalls = message.tool_calls ?? [];
  if (toolCalls.length === 0) return [];
  return [
    new ChatGenerationChunk({
      text: "",
      message: new AIMessageChunk({
        content: "",
        tool_call_chunks: toolCalls.map((call, index) => ({
          type: "tool_call_chunk" as const,
          name: call.name,
          args: JSON.stringify(call.args),
          id: call.id,
          index,
        })),
      }),
    }),
  ];
}

/**
 * The chunks of an answer that was not streamed live (the crowd's, or an apex with several members): its
 * tool calls first (as complete tool-call chunks), then its text a few words at a time.
 */
export function answerChunks(message: AIMessage): ChatGenerationChunk[] {
  const chunks = toolCallChunks(message);
  for (const piece of splitForStreaming(messageText(message))) chunks.push(textChunk(piece));
  return chunks;
}

/** The closing chunk: no text, the summed usage and the routing metadata. */
export function closingChunk(message: AIMessage): ChatGenerationChunk {
  return new ChatGenerationChunk({
    text: "",
    message: new AIMessageChunk({
      content: "",
      usage_metadata: message.usage_metadata,
      response_metadata: message.response_metadata,
    }),
  });
}
