import { seededRandom } from "../../utils/random.js";

/**
 * Splits ids into a training part and a holdout part of `fraction` of them, by a seeded shuffle: the same
 * ids, fraction and seed always give the same split. Both parts keep the ids' original order.
 */
export function splitHoldout(
  ids: readonly string[],
  fraction: number,
  seed: number,
): { train: string[]; holdout: string[] } {
  const random = seededRandom(seed);
  const order = ids.map((id, index) => ({ id, index, key: random() }));
  order.sort((a, b) => a.key - b.key);
  const holdoutCount = Math.round(ids.length * fraction);
  const holdout = new Set(order.slice(0, holdoutCount).map((entry) => entry.id));
  return { train: ids.filter((id) => !holdout.has(id)), holdout: ids.filter((id) => holdout.has(id)) };
}

/** Items split as {@link splitHoldout} splits their ids: the training items and the holdout items, in order. */
export function splitItems<T extends { readonly id: string }>(
  items: readonly T[],
  fraction: number,
  seed: number,
): { train: T[]; holdout: T[] } {
  const trainIds = new Set(
    splitHoldout(
      items.map((item) => item.id),
      fraction,
      seed,
    ).train,
  );
  return {
    train: items.filter((item) => trainIds.has(item.id)),
    holdout: items.filter((item) => !trainIds.has(item.id)),
  };
}
