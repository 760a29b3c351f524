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

/** A streamed member chunk re-emitted without its usage and metadata (the pyramid reports them once, at the end). */
export function passthroughChunk(chunk: AIMessageChunk): ChatGenerationChunk {
  const text = typeof chunk.content === "string" ? chunk.content : messageText(chunk);
  return new ChatGenerationChunk({
    text,
    message: new AIMessageChunk({ content: chunk.content, tool_call_chunks: chunk.tool_call_chunks ?? [] }),
  });
}

/**
 * The chunks of an answer that was not streamed live (the crowd's, or an apex with several members): its
 * tool calls first (as complete tool-call chunks), then its text a few words at a time.
 */
export function answerChunks(message: AIMessage): ChatGenerationChunk[] {
  const chunks: ChatGenerationChunk[] = [];
  const toolCalls = message.tool_calls ?? [];
  if (toolCalls.length > 0) {
    chunks.push(
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
    );
  }
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
