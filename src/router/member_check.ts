import { RouterModelError } from "../errors/index.js";
import type { Router } from "./types.js";

/**
 * Checks that a router was trained for these members: the names it records (`memberNames`, from its bundle) must be
 * the tier's member names, in the same order (per-member features are positional). Unless `allowMismatch` is set, a
 * router trained for other members is refused with an error listing both; routers that record no names pass.
 *
 * @throws RouterModelError listing the router's members and the tier's.
 */
export function checkRouterMembers(
  router: Router,
  names: readonly string[],
  field: string,
  allowMismatch: boolean,
): void {
  const trained = router.memberNames;
  if (!trained || allowMismatch) return;
  if (trained.length === names.length && trained.every((name, i) => name === names[i])) return;
  const sameSet =
    trained.length === names.length && [...trained].sort().join("\u0000") === [...names].sort().join("\u0000");
  const what = sameSet ? "the same members in another order" : "other members";
  throw new RouterModelError(
    `the router was trained for ${what}: it expects [${trained.join(", ")}] but this tier has [${names.join(", ")}]`,
    {
      field,
      fix: sameSet
        ? "list the members in the order the router was trained with (per-member features are positional)"
        : "use a router trained for these members (pyramid-moa train), name the members as the router does, or set " +
          "allowRouterMemberMismatch: true (CLI: --allow-router-member-mismatch) to use it anyway",
    },
  );
}
