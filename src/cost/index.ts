export type { Price } from "./price.js";
export { priceSchema, defaultPriceFor, USD_PER_MTOK_PER_BILLION_PARAMS } from "./price.js";
export type { TokenUsage } from "./usage.js";
export { estimateTokens, usageOf, costOf, messageText, contentText, CHARS_PER_TOKEN } from "./usage.js";
