import { escapeXml, FONT_FAMILY, linearScale, niceRange, niceTicks, PALETTE, polyline, tickLabel } from "./svg.js";

/** One named series of the frontier plot: a curve (e.g. a threshold sweep) or a single point. */
export interface FrontierSeries {
  name: string;
  /** (cost, accuracy) points; cost in the unit of `xLabel`. */
  points: { x: number; y: number }[];
  /** `line`: a curve through the points (sorted by x); `points`: markers only. Default: `line` when several points. */
  kind?: "line" | "points";
}

/** Options of {@link frontierSvg}. */
export interface FrontierPlotOptions {
  title?: string;
  /** X axis title, e.g. `Cost (% of Oracle alone)`. */
  xLabel?: string;
  /** Y axis title (default `Accuracy`; the y values are fractions shown as percentages). */
  yLabel?: string;
  /** X values are fractions to show as percentages. */
  xPercent?: boolean;
  width?: number;
  height?: number;
}

/**
 * The accuracy/cost frontier as SVG: accuracy (y) against cost (x) for named series, e.g. the
 * learned router's threshold sweep as a curve and each baseline as a marker, with a legend.
 */
export function frontierSvg(series: readonly FrontierSeries[], options: FrontierPlotOptions = {}): string {
  const width = options.width ?? 900;
  const height = options.height ?? 560;
  const legendW = 270;
  const m = { left: 80, right: 24 + legendW, top: 56, bottom: 70 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x)).filter(Number.isFinite);
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter(Number.isFinite);
  const [x0, x1] = niceRange(Math.min(0, ...xs), Math.max(...xs), 6);
  const [y0, y1] = niceRange(Math.min(...ys), Math.max(...ys), 6);
  const x = linearScale([x0, x1], [m.left, m.left + plotW]);
  const y = linearScale([y0, y1], [m.top + plotH, m.top]);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${m.left + plotW / 2}" y="30" text-anchor="middle" font-size="18" font-weight="bold">${escapeXml(options.title ?? "Accuracy vs. cost")}</text>`,
    `<g id="axis-left" font-size="13">`,
  ];
  for (const v of niceTicks(y0, y1, 6)) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(2)}" text-anchor="end">${tickLabel(v, true)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(22 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="15">${escapeXml(options.yLabel ?? "Accuracy")}</text>`,
    `</g>`,
    `<g id="axis-bottom" font-size="13">`,
  );
  for (const v of niceTicks(x0, x1, 6)) {
    parts.push(
      `<line x1="${x(v).toFixed(2)}" x2="${x(v).toFixed(2)}" y1="${m.top}" y2="${m.top + plotH}" stroke="#f0f0f0"/>`,
      `<text x="${x(v).toFixed(2)}" y="${m.top + plotH + 20}" text-anchor="middle">${tickLabel(v, options.xPercent ?? false)}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 46}" text-anchor="middle" font-size="15">${escapeXml(options.xLabel ?? "Cost (USD)")}</text>`,
    `</g>`,
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  );
  const markers = ["circle", "square", "diamond", "triangle"] as const;
  const marker = (kind: (typeof markers)[number], cx: number, cy: number, color: string, r = 5.5): string => {
    if (kind === "circle")
      return `<circle cx="${cx.toFixed(2)}" cy="${cy.toFixed(2)}" r="${r}" fill="${color}" stroke="#fff"/>`;
    if (kind === "square")
      return `<rect x="${(cx - r).toFixed(2)}" y="${(cy - r).toFixed(2)}" width="${2 * r}" height="${2 * r}" fill="${color}" stroke="#fff"/>`;
    if (kind === "diamond")
      return `<path d="M${cx.toFixed(2)} ${(cy - r - 1).toFixed(2)} L${(cx + r + 1).toFixed(2)} ${cy.toFixed(2)} L${cx.toFixed(2)} ${(cy + r + 1).toFixed(2)} L${(cx - r - 1).toFixed(2)} ${cy.toFixed(2)} Z" fill="${color}" stroke="#fff"/>`;
    return `<path d="M${cx.toFixed(2)} ${(cy - r - 1).toFixed(2)} L${(cx + r + 1).toFixed(2)} ${(cy + r).toFixed(2)} L${(cx - r - 1).toFixed(2)} ${(cy + r).toFixed(2)} Z" fill="${color}" stroke="#fff"/>`;
  };
  const legend: string[] = [`<g id="legend" font-size="13">`];
  const kindOf = (s: FrontierSeries): "line" | "points" => s.kind ?? (s.points.length > 1 ? "line" : "points");
  // Curves first, markers on top; the legend keeps the given order.
  const drawOrder = series
    .map((s, i) => ({ s, i }))
    .sort((a, b) => Number(kindOf(a.s) === "points") - Number(kindOf(b.s) === "points"));
  const style = (i: number) => ({
    color: PALETTE[i % PALETTE.length],
    // 11 colors x 4 shapes: (color, shape) pairs are distinct for the first 44 series.
    shape: markers[i % markers.length],
  });
  for (const { s, i } of drawOrder) {
    const { color, shape } = style(i);
    const kind = kindOf(s);
    const id = `series-${i}`;
    const pts = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    parts.push(`<g id="${id}" data-name="${escapeXml(s.name)}">`);
    if (kind === "line") {
      const sorted = [...pts].sort((a, b) => a.x - b.x);
      parts.push(
        `<path d="${polyline(sorted.map((p) => [x(p.x), y(p.y)]))}" fill="none" stroke="${color}" stroke-width="2.5"/>`,
      );
      for (const p of sorted)
        parts.push(`<circle cx="${x(p.x).toFixed(2)}" cy="${y(p.y).toFixed(2)}" r="2.5" fill="${color}"/>`);
    } else {
      for (const p of pts) parts.push(marker(shape, x(p.x), y(p.y), color));
    }
    parts.push(`</g>`);
  }
  series.forEach((s, i) => {
    const { color, shape } = style(i);
    const kind = kindOf(s);
    const ly = m.top + 14 + i * 24;
    const lx = m.left + plotW + 18;
    legend.push(
      kind === "line"
        ? `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.5"/>`
        : marker(shape, lx + 13, ly, color),
      `<text x="${lx + 34}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  legend.push(`</g>`);
  parts.push(...legend, `</svg>`);
  return `${parts.join("\n")}\n`;
}
