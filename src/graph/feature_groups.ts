import type { AnswerTask } from "../answers/types.js";
import { codeBehaviourGroup } from "../features/behaviour/group.js";
import { BEHAVIOUR_CLAIMS_PREFIX, behaviourFeatureNames } from "../features/behaviour/agreement.js";
import type { CodeBehaviourOptions } from "../features/behaviour/options.js";
import type { FeatureGroup } from "../features/group.js";
import type { Router } from "../router/types.js";

/** Whether a router was trained without the code behaviour features (so it could not use them). */
function trainedWithout(router: Router): boolean {
  return router.featureNames !== undefined && !router.featureNames.includes(behaviourFeatureNames(0)[0]);
}

/**
 * Whether a pyramid computes the code behaviour features when `codeBehaviour` is not given: for `task: "code"`,
 * unless a router at a tier boundary was trained without them.
 */
export function codeBehaviourByDefault(task: AnswerTask | undefined, routers: readonly Router[]): boolean {
  return task === "code" && !routers.some(trainedWithout);
}

/** Whether a router was trained with the code behaviour claim features. */
function trainedWithClaims(router: Router): boolean {
  return router.featureNames?.some((name) => name.startsWith(BEHAVIOUR_CLAIMS_PREFIX)) ?? false;
}

/**
 * Whether the code behaviour group computes its claim features when `codeBehaviour.claims` is not given: when a
 * router at a tier boundary was trained with them.
 */
export function codeClaimsByDefault(routers: readonly Router[]): boolean {
  return routers.some(trainedWithClaims);
}

/**
 * The feature groups of a pyramid. Code behavioural agreement ({@link codeBehaviourGroup}): `codeBehaviour: true` or
 * an options object turns it on, `false` off; by default it is on for `task: "code"`, except when a router at a
 * tier boundary was trained without it (its sandbox runs would be wasted, and the router refuses extra features).
 * Its claim features follow `codeBehaviour.claims` when given, else they are on when a router at a tier boundary
 * was trained with them.
 */
export function resolveFeatureGroups(
  options: {
    readonly task?: AnswerTask;
    readonly codeBehaviour?: boolean | CodeBehaviourOptions;
    readonly unsafeAllowUnsandboxedCode?: boolean;
  },
  routers: readonly Router[],
): FeatureGroup[] {
  const setting = options.codeBehaviour;
  const on = setting === undefined ? codeBehaviourByDefault(options.task, routers) : setting !== false;
  if (!on) return [];
  const given = typeof setting === "object" ? setting : {};
  const claims = given.claims ?? codeClaimsByDefault(routers);
  const unsafe = given.unsafeAllowUnsandboxedCode ?? options.unsafeAllowUnsandboxedCode;
  return [
    codeBehaviourGroup({ ...given, claims, ...(unsafe !== undefined ? { unsafeAllowUnsandboxedCode: unsafe } : {}) }),
  ];
}
