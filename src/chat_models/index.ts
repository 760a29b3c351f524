export { PyramidChatModel } from "./pyramid.js";
export type { PyramidChatModelInput, PyramidChatModelCallOptions } from "./pyramid.js";
