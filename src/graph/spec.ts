import type { AnswerSimilarity } from "../features/semantic/similarity.js";
import type { AnswerTask } from "../answers/types.js";
import type { FeatureGroup } from "../features/group.js";
import type { Budget } from "../cost/budget_api.js";
import type { StructuredAnswerSpec } from "../answers/structured.js";
import type { Member } from "../members/member.js";
import type { Router } from "../router/types.js";
import type { GenerativePrompt } from "./nodes/generative_prompt.js";
import type { LookaheadOptions } from "../policy/lookahead.js";
import type { CrowdSchedule } from "./schedule/schedule.js";

export type { LookaheadOptions } from "../policy/lookahead.js";

/** How the upper tiers see the query: the original messages only, or with the lower tiers' candidates. */
export type PyramidMode = "routing" | "generative";

/** What to do when every member of the apex tier fails. */
export type ApexErrorPolicy = "crowd" | "throw";

/** When the cost cap or the budget refuses an escalation: keep the lower tier's answer, or throw `BudgetExceededError`. */
export type BudgetExceededPolicy = "answer" | "throw";

/** One tier with its resolved members and the router and threshold at the boundary after it. */
export interface TierSpec {
  /** Tier name, e.g. "crowd", "70B", "oracle". */
  readonly name: string;
  /** Members, in order (the order breaks voting ties and fixes feature positions). */
  readonly members: readonly Member[];
  /** Router judging this tier's answer (unused for the apex). */
  readonly router: Router;
  /** Escalation threshold after this tier (unused for the apex). */
  readonly threshold: number;
  /** How the tier calls its members (`parallel` for the apex, which always waits for every member). */
  readonly schedule: CrowdSchedule;
  /** Whether the next tier starts at this tier's first disagreement (speculative escalation; false for the apex). */
  readonly speculative: boolean;
}

/** Everything `buildPyramidGraph` needs, already validated and resolved. */
export interface PyramidSpec {
  /** Tiers from the cheapest (crowd) to the apex (Oracle); at least two. */
  readonly tiers: readonly TierSpec[];
  /** Routing or generative mode. */
  readonly mode: PyramidMode;
  /** Answer extractor for voting. */
  readonly task: AnswerTask;
  /** Free text voted by meaning: the similarity that clusters the candidates' answers (see `semanticVote`). */
  readonly similarity?: AnswerSimilarity;
  /** Feature groups appended to the base features at every boundary (e.g. code behavioural agreement). */
  readonly featureGroups: readonly FeatureGroup[];
  /** Prompt that frames lower tiers' candidates for upper tiers in generative mode. */
  readonly generativePrompt: GenerativePrompt;
  /** Ask members for a self-reported confidence. */
  readonly askConfidence: boolean;
  /** Apex failure handling. */
  readonly onApexError: ApexErrorPolicy;
  /** Never escalate when the query's estimated cost would exceed this (USD). */
  readonly maxCostPerQuery?: number;
  /** Shared budget across queries: stop escalating once it is spent. */
  readonly budget?: Budget;
  /** When the cost cap or the budget refuses an escalation: keep the lower tier's answer (`answer`) or throw. */
  readonly onBudgetExceeded: BudgetExceededPolicy;
  /** Look-ahead decisions over the remaining tiers instead of each boundary's threshold. */
  readonly lookahead?: LookaheadOptions;
  /** Set by `withStructuredOutput`: members' answers are the objects they give, validated and canonicalized. */
  readonly structured?: StructuredAnswerSpec;
  /** Default deadline of a query, in milliseconds from its start (see `deadlineMs`). */
  readonly deadlineMs?: number;
}
