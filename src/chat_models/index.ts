export { PyramidChatModel } from "./pyramid.js";
export type { PyramidChatModelInput, PyramidChatModelCallOptions } from "./pyramid.js";
export type { PyramidStructuredOutputConfig } from "./structured_output.js";
export { pyramidCacheIdentity } from "./cache_identity.js";
