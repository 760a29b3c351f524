/** A token id with its raw (untruncated, temperature 1) logit. */
export interface TokenLogit<T extends number = number> {
  /** Token id. */
  token: T;
  /** Raw logit of the token. */
  logit: number;
}

/** Settings of `sampleToken`: the same cuts as llama.cpp's sampler chain (top-k, then top-p, then temperature). */
export interface SamplerSettings {
  /** Temperature; 0 picks the most likely token. */
  temperature: number;
  /** Keep the `topK` most likely candidates (0: keep all). */
  topK: number;
  /** Keep the smallest prefix whose renormalized probability reaches `topP` (1: keep all). */
  topP: number;
}

/**
 * A small seeded pseudo-random generator (mulberry32): `next()` returns a float in [0, 1).
 * Same seed, same sequence.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Picks the next token from candidates sorted by decreasing raw logit. With temperature 0 it returns
 * the first candidate; otherwise it applies top-k, then top-p on the renormalized probabilities, then the
 * temperature, and samples with `random`. Truncation only affects the choice, never the reported
 * log-probabilities (those come from the full distribution).
 */
export function sampleToken<T extends number>(
  sorted: readonly TokenLogit<T>[],
  settings: SamplerSettings,
  random: SeededRandom,
): T {
  const first = sorted[0];
  if (first === undefined) throw new RangeError("sampleToken: no candidates");
  if (settings.temperature === 0 || sorted.length === 1) return first.token;
  const k = settings.topK > 0 ? Math.min(settings.topK, sorted.length) : sorted.length;
  const maxLogit = first.logit;
  const weights = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < k; i++) {
    const w = Math.exp(sorted[i]!.logit - maxLogit);
    weights[i] = w;
    total += w;
  }
  let kept = k;
  if (settings.topP < 1) {
    let cumulative = 0;
    for (let i = 0; i < k; i++) {
      cumulative += weights[i]! / total;
      if (cumulative >= settings.topP) {
        kept = i + 1;
        break;
      }
    }
  }
  const scaled = new Float64Array(kept);
  let scaledTotal = 0;
  for (let i = 0; i < kept; i++) {
    const w = Math.exp((sorted[i]!.logit - maxLogit) / settings.temperature);
    scaled[i] = w;
    scaledTotal += w;
  }
  let r = random.next() * scaledTotal;
  for (let i = 0; i < kept; i++) {
    r -= scaled[i]!;
    if (r < 0) return sorted[i]!.token;
  }
  return sorted[kept - 1]!.token;
}
