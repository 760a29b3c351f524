import { z } from "zod";

/** Price of a model in USD per one million tokens. */
export interface Price {
  /** USD per 1M input (prompt) tokens. */
  readonly input: number;
  /** USD per 1M output (completion) tokens. */
  readonly output: number;
}

/** zod schema of {@link Price}. */
export const priceSchema = z.object({
  input: z.number().nonnegative("must be a number >= 0 (USD per 1M input tokens)"),
  output: z.number().nonnegative("must be a number >= 0 (USD per 1M output tokens)"),
});

/** USD per 1M tokens per billion parameters used by {@link defaultPriceFor} (0.875 USD per 1M for a 70B model). */
export const USD_PER_MTOK_PER_BILLION_PARAMS = 0.0125;

/**
 * A default price for a model whose price was not given, proportional to the parameter count read from its
 * name (`Meta-Llama-3.1-70B-Instruct` -> 70B, `mixtral-8x7b` -> 56B): 0.0125 USD per 1M tokens per billion
 * parameters, input and output alike. Returns `undefined` when the name carries no parameter count.
 */
export function defaultPriceFor(modelName: string): Price | undefined {
  const moe = /(\d+)x(\d+(?:\.\d+)?)b/i.exec(modelName);
  const dense = /(?:^|[^\d.])(\d+(?:\.\d+)?)b(?![a-z])/i.exec(modelName);
  const billions = moe ? Number(moe[1]) * Number(moe[2]) : dense ? Number(dense[1]) : undefined;
  if (billions === undefined || !Number.isFinite(billions) || billions <= 0) return undefined;
  const usd = billions * USD_PER_MTOK_PER_BILLION_PARAMS;
  return { input: usd, output: usd };
}
