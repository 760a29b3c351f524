import { redactSecrets } from "../security/redact.js";
import { summarizeModelError } from "../security/summarize.js";
import type { TrafficLine } from "./schema.js";

function redacted(text: string | null): string | null {
  return text === null ? null : redactSecrets(text);
}

/**
 * A trace line as it may be written: every text a model or a provider produced has the secrets masked (answers,
 * `crowdAnswer`, `apexAnswer`, `finalAnswer`, decision reasons, the recorded prompt and answer), and model errors
 * are reduced to their summary (`HTTP 500: the provider failed`, no upstream body: no internal host, path or key).
 * The whole (redacted) error belongs in the server's log only.
 */
export function sanitizeTraceLine(line: TrafficLine): TrafficLine {
  if (line.type === "feedback") return line;
  if (line.type === "shadow") {
    return {
      ...line,
      apexAnswer: redacted(line.apexAnswer),
      ...(line.error !== undefined ? { error: summarizeModelError(line.error) } : {}),
      ...(line.skipped !== undefined ? { skipped: redactSecrets(line.skipped) } : {}),
    };
  }
  return {
    ...line,
    candidates: line.candidates.map((candidate) => ({
      ...candidate,
      answer: redacted(candidate.answer),
      ...(candidate.error !== undefined ? { error: summarizeModelError(candidate.error) } : {}),
    })),
    crowdAnswer: redacted(line.crowdAnswer),
    apexAnswer: redacted(line.apexAnswer),
    finalAnswer: redacted(line.finalAnswer),
    decisions: line.decisions.map((decision) => ({
      ...decision,
      ...(decision.reason !== undefined ? { reason: redactSecrets(decision.reason) } : {}),
    })),
    ...(line.content
      ? { content: { prompt: redactSecrets(line.content.prompt), answer: redactSecrets(line.content.answer) } }
      : {}),
  };
}
