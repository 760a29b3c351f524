import {
  escapeXml,
  FONT_FAMILY,
  linearScale,
  niceRange,
  niceTicks,
  PALETTE,
  polyline,
  textWidth,
  tickLabel,
} from "./svg.js";

/**
 * What the profile plot reads of each point of a performance profile (an evaluation's `ProfilePoint` is one):
 * the threshold, the accuracy and the cost saving versus Oracle alone there.
 */
export interface ProfilePlotPoint {
  readonly threshold: number;
  readonly accuracy: number;
  readonly costSaving: number;
}

/** Options of {@link performanceProfileSvg}. */
export interface ProfilePlotOptions {
  /** Accuracy of the Oracle alone (a horizontal reference line). */
  oracleAccuracy: number;
  /** Accuracy of the crowd's majority vote (a horizontal reference line). */
  crowdAccuracy: number;
  title?: string;
  width?: number;
  height?: number;
}

/**
 * The performance profile (the paper's Figure 5) as SVG: accuracy (left axis) and cost saving
 * versus Oracle alone (right axis) against the escalation threshold t, with horizontal lines for
 * the Oracle alone and the crowd majority, a legend, axis titles and ticks.
 */
export function performanceProfileSvg(profile: readonly ProfilePlotPoint[], options: ProfilePlotOptions): string {
  const width = options.width ?? 900;
  const height = options.height ?? 540;
  const m = { left: 80, right: 90, top: 56, bottom: 120 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const x = linearScale([0, 1], [m.left, m.left + plotW]);
  const accValues = [...profile.map((p) => p.accuracy), options.oracleAccuracy, options.crowdAccuracy].filter(
    Number.isFinite,
  );
  const [a0, a1] = niceRange(Math.min(...accValues), Math.max(...accValues), 6);
  const yA = linearScale([a0, a1], [m.top + plotH, m.top]);
  const savings = profile.map((p) => p.costSaving).filter(Number.isFinite);
  const [s0, s1] = niceRange(Math.min(0, ...savings), Math.max(1, ...savings), 5);
  const yS = linearScale([s0, s1], [m.top + plotH, m.top]);
  const accColor = PALETTE[0];
  const saveColor = PALETTE[1];
  const oracleColor = PALETTE[2];
  const crowdColor = PALETTE[3];
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="30" text-anchor="middle" font-size="18" font-weight="bold">${escapeXml(options.title ?? "Performance profile")}</text>`,
  );
  // grid and left ticks
  parts.push(`<g id="axis-left" font-size="13">`);
  for (const v of niceTicks(a0, a1, 6)) {
    const yy = yA(v);
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${yy.toFixed(2)}" y2="${yy.toFixed(2)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${(yy + 4).toFixed(2)}" text-anchor="end" fill="${accColor}">${tickLabel(v, true)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(22 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="15" fill="${accColor}">Accuracy</text>`,
    `</g>`,
  );
  parts.push(`<g id="axis-right" font-size="13">`);
  for (const v of niceTicks(s0, s1, 5)) {
    const yy = yS(v);
    parts.push(
      `<line x1="${m.left + plotW}" x2="${m.left + plotW + 5}" y1="${yy.toFixed(2)}" y2="${yy.toFixed(2)}" stroke="${saveColor}"/>`,
      `<text x="${m.left + plotW + 9}" y="${(yy + 4).toFixed(2)}" text-anchor="start" fill="${saveColor}">${tickLabel(v, true)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(${width - 20} ${m.top + plotH / 2}) rotate(90)" text-anchor="middle" font-size="15" fill="${saveColor}">Cost saving vs. Oracle alone</text>`,
    `</g>`,
  );
  parts.push(`<g id="axis-bottom" font-size="13">`);
  for (const v of niceTicks(0, 1, 10)) {
    const xx = x(v);
    parts.push(
      `<line x1="${xx.toFixed(2)}" x2="${xx.toFixed(2)}" y1="${m.top + plotH}" y2="${m.top + plotH + 5}" stroke="#333"/>`,
      `<text x="${xx.toFixed(2)}" y="${m.top + plotH + 20}" text-anchor="middle">${tickLabel(v, false)}</text>`,
    );
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 44}" text-anchor="middle" font-size="15">Escalation threshold t (escalate iff P_fail &gt; t)</text>`,
    `</g>`,
  );
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  // reference lines
  const hline = (v: number, color: string, id: string): void => {
    if (!Number.isFinite(v)) return;
    parts.push(
      `<line id="${id}" x1="${m.left}" x2="${m.left + plotW}" y1="${yA(v).toFixed(2)}" y2="${yA(v).toFixed(2)}" stroke="${color}" stroke-width="2" stroke-dasharray="8 5"/>`,
    );
  };
  hline(options.oracleAccuracy, oracleColor, "line-oracle");
  hline(options.crowdAccuracy, crowdColor, "line-crowd");
  // series
  const accPts = profile.map((p) => [x(p.threshold), yA(p.accuracy)] as [number, number]);
  const savePts = profile
    .filter((p) => Number.isFinite(p.costSaving))
    .map((p) => [x(p.threshold), yS(p.costSaving)] as [number, number]);
  parts.push(
    `<path id="series-accuracy" d="${polyline(accPts)}" fill="none" stroke="${accColor}" stroke-width="2.5"/>`,
  );
  for (const [px, py] of accPts)
    parts.push(`<circle cx="${px.toFixed(2)}" cy="${py.toFixed(2)}" r="3.5" fill="${accColor}"/>`);
  parts.push(
    `<path id="series-saving" d="${polyline(savePts)}" fill="none" stroke="${saveColor}" stroke-width="2.5"/>`,
  );
  for (const [px, py] of savePts) {
    parts.push(
      `<rect x="${(px - 3.5).toFixed(2)}" y="${(py - 3.5).toFixed(2)}" width="7" height="7" fill="${saveColor}"/>`,
    );
  }
  // legend, below the x-axis title
  const legend: { label: string; color: string; dash: boolean }[] = [
    { label: "Pyramid accuracy (left)", color: accColor, dash: false },
    { label: "Cost saving (right)", color: saveColor, dash: false },
    { label: `Oracle alone ${tickLabel(options.oracleAccuracy, true)}`, color: oracleColor, dash: true },
    { label: `Crowd majority ${tickLabel(options.crowdAccuracy, true)}`, color: crowdColor, dash: true },
  ];
  const ly = m.top + plotH + 78;
  const widths = legend.map((l) => 34 + textWidth(l.label, 13) + 24);
  const total = widths.reduce((a, b) => a + b, 0);
  let lx = Math.max(8, m.left + (plotW - total) / 2);
  parts.push(`<g id="legend" font-size="13">`);
  legend.forEach((l, i) => {
    if (i > 0) lx += widths[i - 1];
    parts.push(
      `<line x1="${lx.toFixed(2)}" x2="${(lx + 28).toFixed(2)}" y1="${ly}" y2="${ly}" stroke="${l.color}" stroke-width="2.5"${l.dash ? ' stroke-dasharray="8 5"' : ""}/>`,
      `<text x="${(lx + 34).toFixed(2)}" y="${ly + 4}">${escapeXml(l.label)}</text>`,
    );
  });
  parts.push(`</g>`, `</svg>`);
  return `${parts.join("\n")}\n`;
}
