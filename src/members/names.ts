import type { Member } from "./member.js";

/**
 * Gives members that were not named (`name` absent, so named after their model) and share that name with another
 * member of the pyramid a distinct one: `<name>#1`, `<name>#2`, ... in pyramid order (tier by tier), so that three
 * unnamed `FakeListChatModel`s appear as `FakeListChatModel#1`, `#2`, `#3` in traces, costs and feature positions.
 * Explicit names are kept; prices were resolved from the original name and are kept too.
 */
export function distinctMemberNames(tiers: readonly (readonly Member[])[]): Member[][] {
  const counts = new Map<string, number>();
  const explicit = new Set<string>();
  for (const members of tiers) {
    for (const member of members) {
      counts.set(member.name, (counts.get(member.name) ?? 0) + 1);
      if (member.input.name !== undefined) explicit.add(member.name);
    }
  }
  const next = new Map<string, number>();
  const taken = new Set(counts.keys());
  return tiers.map((members) =>
    members.map((member) => {
      if (member.input.name !== undefined || (counts.get(member.name) ?? 0) < 2) return member;
      let n = next.get(member.name) ?? 0;
      let name: string;
      do {
        n += 1;
        name = `${member.name}#${n}`;
      } while (taken.has(name) || explicit.has(name));
      next.set(member.name, n);
      taken.add(name);
      return { ...member, name };
    }),
  );
}
