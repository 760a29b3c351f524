import type { Price } from "../../cost/price.js";
import type { LatencyModel } from "./latency_model.js";

/**
 * USD of a call of `model` cut `elapsedMs` after it started (a cancelled crowd member, a cancelled speculative
 * Oracle): its input tokens and the output tokens it had streamed by then under `latency`
 * ({@link LatencyModel.streamedTokens}); 0 without a price.
 */
export function cutCallCost(
  latency: LatencyModel,
  model: string,
  price: Price | undefined,
  usage: { readonly input: number; readonly output: number },
  elapsedMs: number,
): number {
  if (!price) return 0;
  const streamed = latency.streamedTokens(model, usage.output, elapsedMs);
  return (usage.input * price.input + streamed * price.output) / 1e6;
}
