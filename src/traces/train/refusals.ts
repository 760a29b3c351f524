import { DataFormatError } from "../../errors/index.js";
import type { LabelledSample } from "../labels.js";

/** The least a traffic-trained router needs: labelled queries, and crowd errors among them. */
export interface LabelMinimum {
  readonly minLabels: number;
  readonly minCrowdErrors: number;
}

/**
 * Refuses to train on too few labels, saying how many more labelled queries (and how many more queries of traffic,
 * at the rate labels have been coming in) are needed.
 *
 * @throws DataFormatError naming the count and the gap.
 */
export function requireEnoughLabels(sample: LabelledSample, minimum: LabelMinimum, source: string): void {
  const n = sample.rows.length;
  const errors = sample.rows.filter((row) => row.crowdWrong).length;
  const errorRate = n > 0 ? errors / n : 0;
  const forErrors =
    errors >= minimum.minCrowdErrors
      ? 0
      : errorRate > 0
        ? Math.ceil((minimum.minCrowdErrors - errors) / errorRate)
        : Number.POSITIVE_INFINITY;
  const more = Math.max(minimum.minLabels - n, forErrors === Number.POSITIVE_INFINITY ? 0 : forErrors);
  if (n >= minimum.minLabels && errors >= minimum.minCrowdErrors) return;
  const rate = sample.queries > 0 ? n / sample.queries : 0;
  const queries = rate > 0 && Number.isFinite(more) ? Math.ceil(more / rate) : undefined;
  const gap =
    forErrors === Number.POSITIVE_INFINITY
      ? "no crowd error has been labelled yet, so there is nothing to learn"
      : `about ${more} more labelled queries are needed${queries !== undefined ? ` (about ${queries} more queries of traffic at the current rate of ${(100 * rate).toFixed(1)}% labelled)` : ""}`;
  throw new DataFormatError(
    `too few labels to train a router: ${n} labelled queries (${errors} crowd errors) of ${sample.queries} queries, at least ${minimum.minLabels} labelled and ${minimum.minCrowdErrors} crowd errors are needed; ${gap}`,
    {
      field: "--traces",
      fix:
        source === "feedback"
          ? "send more feedback (POST /v1/feedback), or use --labels auto"
          : "keep serving with a shadow rate (serve --shadow-rate 0.2) until enough queries are labelled, or raise the rate",
    },
  );
}
