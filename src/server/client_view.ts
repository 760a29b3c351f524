import type { PyramidMetadata } from "../graph/result.js";
import { redactSecrets } from "../security/redact.js";
import { summarizeModelError } from "../security/summarize.js";
import type { FeedbackIds } from "./feedback_ids.js";

/** How one response shows the pyramid's answer and trace to its client. */
export interface ClientView {
  /** The routing trace as the client sees it. */
  pyramid(pyramid: PyramidMetadata): PyramidMetadata;
  /** Answer text as the client sees it (secrets masked). */
  text(text: string): string;
}

/** What {@link clientView} needs: the request's tenant, the server's trace-id binder and its log. */
export interface ClientViewContext {
  readonly tenant: string;
  readonly feedbackIds: FeedbackIds;
  /** The server's log: receives each failed member's whole error (redacted of secrets), under `requestId`. */
  readonly errorLog: (line: string) => void;
  readonly requestId: string;
}

/**
 * The view of one response: the trace id becomes the tenant's feedback handle ({@link FeedbackIds.issue}), every
 * candidate's and the apex's error becomes its summary (status and a generic reason; the whole error, redacted,
 * goes to the server's log), and every answer, reason and note has the configured secrets masked.
 */
export function clientView(context: ClientViewContext): ClientView {
  const { tenant, feedbackIds, errorLog, requestId } = context;
  const summarize = (where: string, error: string): string => {
    errorLog(`request ${requestId}: ${where}: ${redactSecrets(error)}`);
    return summarizeModelError(error);
  };
  return {
    text: (text) => redactSecrets(text),
    pyramid: (pyramid) => ({
      ...pyramid,
      decisions: pyramid.decisions.map((decision) => ({
        ...decision,
        answer: decision.answer === null ? null : redactSecrets(decision.answer),
        ...(decision.reason !== undefined ? { reason: redactSecrets(decision.reason) } : {}),
      })),
      candidates: pyramid.candidates.map((candidate) => ({
        ...candidate,
        answer: candidate.answer === null ? null : redactSecrets(candidate.answer),
        ...(candidate.error !== undefined
          ? { error: summarize(`member ${candidate.model} (tier ${candidate.tier}) failed`, candidate.error) }
          : {}),
        ...(candidate.invalid !== undefined ? { invalid: redactSecrets(candidate.invalid) } : {}),
      })),
      ...(pyramid.error !== undefined ? { error: summarize("the apex failed", pyramid.error) } : {}),
      ...(pyramid.traceId !== undefined ? { traceId: feedbackIds.issue(pyramid.traceId, tenant) } : {}),
    }),
  };
}
