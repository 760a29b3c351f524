/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** "Nice" tick values covering [min, max] (about `count` ticks, steps of 1, 2 or 5 x 10^k). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.1 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * mag;
  const start = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(12)));
  return ticks;
}

/**
 * A nice [min, max] range that contains the data and starts and ends on a tick of
 * `niceTicks(lo, hi, count)`, so both axis ends are labelled.
 */
export function niceRange(min: number, max: number, count = 5): [number, number] {
  let lo = min;
  let hi = max;
  for (let i = 0; i < 4; i += 1) {
    const ticks = niceTicks(lo, hi, count);
    if (ticks.length < 2) return [min, max > min ? max : min + 1];
    const step = ticks[1] - ticks[0];
    const first = ticks[0] > lo + 1e-12 ? ticks[0] - step : ticks[0];
    const last = ticks[ticks.length - 1] < hi - 1e-12 ? ticks[ticks.length - 1] + step : ticks[ticks.length - 1];
    const nextLo = Number(first.toFixed(12));
    const nextHi = Number(last.toFixed(12));
    if (nextLo === lo && nextHi === hi) break;
    lo = nextLo;
    hi = nextHi;
  }
  return [lo, hi];
}

/** A linear map from a data range to a pixel range. */
export function linearScale(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** A color-blind-friendly palette (Okabe-Ito, with yellow darkened, plus gray, brown, purple), cycled by index. */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#B8A000",
  "#8C8C8C",
  "#8B4513",
  "#6A3D9A",
];

/** Approximate rendered width of `text` in px at `fontSize` (DejaVu Sans averages ~0.6 em per character). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.6;
}

/** SVG path data through points (`M x y L x y ...`). */
export function polyline(points: readonly [number, number][]): string {
  return points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(2)} ${y.toFixed(2)}`).join(" ");
}

/** Formats a tick label: percentages as `45%`, others with up to 3 significant decimals. */
export function tickLabel(v: number, percent: boolean): string {
  if (percent) return `${Number((v * 100).toFixed(1))}%`;
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Number(v.toFixed(2)));
  return String(Number(v.toPrecision(3)));
}

/** The font family used in every plot (DejaVu Sans is bundled by most Linux distributions). */
export const FONT_FAMILY = "DejaVu Sans, Arial, Helvetica, sans-serif";
