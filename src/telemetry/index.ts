export {
  TRACER_NAME,
  PYRAMID_ATTRIBUTES,
  startQuerySpan,
  startTierSpan,
  endTierSpan,
  traceMemberCall,
  endQuerySpan,
} from "./spans.js";
export type { QuerySpanSummary } from "./spans.js";
