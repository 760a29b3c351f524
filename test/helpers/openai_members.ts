import { ChatOpenAI } from "@langchain/openai";
import type { ChatOpenAIFields } from "@langchain/openai";
import type { ChatCompletionRequest, OpenAITestServer } from "./openai_server.js";

/** A real `ChatOpenAI` client of model `model` on the test server (no retries, a dummy key). */
export function openAIMember(
  server: OpenAITestServer,
  model: string,
  fields: Partial<ChatOpenAIFields> = {},
): ChatOpenAI {
  return new ChatOpenAI({
    model,
    apiKey: "sk-test",
    maxRetries: 0,
    configuration: { baseURL: server.baseURL },
    ...fields,
  });
}

/** The chat requests the server received for `model`, in order. */
export function requestsOf(server: OpenAITestServer, model: string): ChatCompletionRequest[] {
  return server
    .chatRequests()
    .map((request) => request.body)
    .filter((body): body is ChatCompletionRequest => body?.model === model);
}
