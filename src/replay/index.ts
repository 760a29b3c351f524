export { recordedLineSchema, recordedMessageSchema, type RecordedLine, type RecordedMessage } from "./schema.js";
export { readJsonlFile, type ReadJsonlOptions, type JsonlReadResult } from "./jsonl.js";
export { messageText, promptKey, promptPreview } from "./prompt_key.js";
export { estimateTokens } from "./token_estimate.js";
export { RecordedOutputs, recordedOutputsOptionsSchema, type RecordedOutputsOptions } from "./recorded_outputs.js";
export { ReplayChatModel, type ReplayChatModelFields, type ReplayChatModelCallOptions } from "./replay_chat_model.js";
export type { RecordedLookup } from "./lookup.js";
export {
  RecordingChatModel,
  recordingChatModelFieldsSchema,
  type RecordingChatModelFields,
  type RecordingChatModelCallOptions,
  type RecordingItemInfo,
} from "./recording_chat_model.js";
export { getRecordedItems, recordedItemIds, itemsAnsweredByAll, type RecordedItem } from "./items.js";
