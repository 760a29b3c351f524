export { PyramidChatModel } from "./pyramid.js";
export type { PyramidChatModelInput } from "./pyramid.js";
export type { PyramidChatModelCallOptions } from "./call_options.js";
export type { PyramidStructuredOutputConfig } from "./structured_output.js";
export { pyramidCacheIdentity } from "./cache_identity.js";
