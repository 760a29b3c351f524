import { MissingDependencyError } from "../../errors/index.js";
import { assertSandboxAvailable, BWRAP_FIX } from "../../sandbox/isolation.js";
import type { Candidate } from "../../core/types.js";
import type { FeatureContext, FeatureGroup } from "../group.js";
import {
  behaviourAgreement,
  behaviourFeatureNames,
  behaviourFeatureValues,
  type BehaviourAgreement,
} from "./agreement.js";
import { defaultBehaviourPool, resolveCodeBehaviourOptions, type CodeBehaviourOptions } from "./options.js";
import { runCandidate, type CandidateBehaviour } from "./run.js";
import { mayHaveProbes, probeSource } from "./sources.js";

/** Name of the code behavioural agreement group. */
export const CODE_BEHAVIOUR_GROUP = "code_behaviour";

/**
 * Runs every candidate on the probe inputs found in the candidates' own usage examples and in the prompt, in
 * the sandbox, and measures how they agree (`behaviourAgreement`). Uses nothing the user lacks at inference
 * time. Never rejects: past `budgetMs`, on `signal`'s abort or on a sandbox error the result is NaN (a candidate's
 * own timeout or crash counts it as failed instead).
 */
export async function measureCodeBehaviour(
  candidates: readonly Candidate[],
  context: FeatureContext,
  options: CodeBehaviourOptions = {},
): Promise<BehaviourAgreement> {
  const resolved = resolveCodeBehaviourOptions(options);
  const unknown = (): BehaviourAgreement => behaviourAgreement(candidates.map(() => ({ kind: "absent" })));
  if (context.signal?.aborted) return unknown();
  const sources = [
    ...candidates.map((c) => probeSource(c.error === undefined ? c.text : "")),
    probeSource(context.prompt),
  ];
  if (!mayHaveProbes(sources)) {
    return behaviourAgreement(
      candidates.map((c) =>
        c.error === undefined ? { kind: "ran", probes: [], results: [], claims: [] } : { kind: "absent" },
      ),
    );
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(context.signal?.reason);
  context.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new Error("code behaviour budget exceeded")), resolved.budgetMs);
  try {
    const pool = resolved.pool ?? (await defaultBehaviourPool());
    const behaviours: CandidateBehaviour[] = await Promise.all(
      candidates.map((candidate, position) =>
        runCandidate(candidate, sources, pool, resolved, controller.signal, position),
      ),
    );
    return behaviourAgreement(behaviours);
  } catch (error) {
    // A refused sandbox is the deployment's problem, said once and loudly; anything else leaves the features unknown.
    if (error instanceof MissingDependencyError && error.field === "sandbox.isolation") throw error;
    return unknown();
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener("abort", onAbort);
    if (!controller.signal.aborted) controller.abort();
  }
}

/**
 * The code behavioural agreement as a {@link FeatureGroup} (features {@link behaviourFeatureNames}); the pyramid
 * adds it for `task: "code"`. Options are validated here, so a bad option fails when the pyramid is built.
 */
export function codeBehaviourGroup(options: CodeBehaviourOptions = {}): FeatureGroup {
  const { claims, pool, unsafeAllowUnsandboxedCode } = resolveCodeBehaviourOptions(options);
  // Refused when the pyramid is built, not on every query: no OS sandbox and no explicit unsafe opt-in.
  if (!pool)
    assertSandboxAvailable(
      { unsafeAllowUnsandboxedCode },
      `${BWRAP_FIX}, or turn the features off with codeBehaviour: false`,
    );
  return {
    name: CODE_BEHAVIOUR_GROUP,
    names: (members) => behaviourFeatureNames(members, claims),
    compute: async (candidates, context) =>
      behaviourFeatureValues(await measureCodeBehaviour(candidates, context, options), claims),
  };
}
