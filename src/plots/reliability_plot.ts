import { escapeXml, FONT_FAMILY, linearScale, niceTicks, PALETTE, tickLabel } from "./svg.js";

/**
 * What the reliability diagram draws (the shape of the router layer's `ReliabilityReport`, declared here so that the
 * plots import nothing from the layers above them).
 */
export interface ReliabilityPlotData {
  /** Number of predictions. */
  readonly count: number;
  /** Confidence level of the bins' intervals. */
  readonly level: number;
  /** Expected calibration error. */
  readonly ece: number;
  /** The bins, ascending: edges, count, mean predicted value, observed rate and its interval. */
  readonly bins: readonly {
    readonly lower: number;
    readonly upper: number;
    readonly count: number;
    readonly meanPredicted: number;
    readonly observedRate: number;
    readonly observedLower: number;
    readonly observedUpper: number;
  }[];
}

/** Options of {@link reliabilitySvg}. */
export interface ReliabilityPlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

/**
 * The reliability diagram of `P_fail` as SVG: for each non-empty bin, the observed crowd error rate (y, with its
 * Wilson interval as an error bar) against the mean predicted `P_fail` (x), marker area proportional to the bin's
 * queries, with the diagonal of perfect calibration; below it, the share of queries per bin; ECE in the legend.
 */
export function reliabilitySvg(report: ReliabilityPlotData, options: ReliabilityPlotOptions = {}): string {
  const width = options.width ?? 760;
  const height = options.height ?? 760;
  const m = { left: 84, right: 30, top: 56, bottom: 96 };
  const histH = 120;
  const gap = 40;
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom - histH - gap;
  const x = linearScale([0, 1], [m.left, m.left + plotW]);
  const y = linearScale([0, 1], [m.top + plotH, m.top]);
  const histTop = m.top + plotH + gap;
  const maxShare = Math.max(1e-9, ...report.bins.map((b) => b.count / Math.max(1, report.count)));
  const yHist = linearScale([0, maxShare], [histTop + histH, histTop]);
  const pointColor = PALETTE[0];
  const diagColor = PALETTE[8];
  const barColor = PALETTE[5];
  const maxCount = Math.max(1, ...report.bins.map((b) => b.count));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="30" text-anchor="middle" font-size="18" font-weight="bold">${escapeXml(options.title ?? "Reliability of P_fail")}</text>`,
    `<g id="axis-left" font-size="13">`,
  ];
  for (const v of niceTicks(0, 1, 5)) {
    parts.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${y(v).toFixed(2)}" y2="${y(v).toFixed(2)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(2)}" text-anchor="end">${tickLabel(v, true)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(22 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="15">Observed crowd error rate</text>`,
    `</g>`,
    `<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
    `<line id="diagonal" x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="${diagColor}" stroke-width="2" stroke-dasharray="8 5"/>`,
    `<g id="bins">`,
  );
  for (const b of report.bins) {
    if (b.count === 0) continue;
    const cx = x(b.meanPredicted);
    const r = 4 + 10 * Math.sqrt(b.count / maxCount);
    parts.push(
      `<line x1="${cx.toFixed(2)}" x2="${cx.toFixed(2)}" y1="${y(b.observedLower).toFixed(2)}" y2="${y(b.observedUpper).toFixed(2)}" stroke="${pointColor}" stroke-width="1.5"/>`,
      `<circle cx="${cx.toFixed(2)}" cy="${y(b.observedRate).toFixed(2)}" r="${r.toFixed(2)}" fill="${pointColor}" fill-opacity="0.55" stroke="${pointColor}"><title>${escapeXml(
        `P_fail ${b.lower.toFixed(2)}-${b.upper.toFixed(2)}: ${b.count} queries, predicted ${(100 * b.meanPredicted).toFixed(1)}%, observed ${(100 * b.observedRate).toFixed(1)}%`,
      )}</title></circle>`,
    );
  }
  parts.push(`</g>`, `<g id="histogram" font-size="13">`);
  for (const b of report.bins) {
    if (b.count === 0) continue;
    const share = b.count / Math.max(1, report.count);
    const x0 = x(b.lower) + 1;
    const w = Math.max(1, x(b.upper) - x(b.lower) - 2);
    parts.push(
      `<rect x="${x0.toFixed(2)}" y="${yHist(share).toFixed(2)}" width="${w.toFixed(2)}" height="${(histTop + histH - yHist(share)).toFixed(2)}" fill="${barColor}"/>`,
    );
  }
  for (const v of niceTicks(0, maxShare, 2)) {
    parts.push(
      `<text x="${m.left - 8}" y="${(yHist(v) + 4).toFixed(2)}" text-anchor="end">${tickLabel(v, true)}</text>`,
    );
  }
  parts.push(
    `<rect x="${m.left}" y="${histTop}" width="${plotW}" height="${histH}" fill="none" stroke="#333"/>`,
    `<text transform="translate(22 ${histTop + histH / 2}) rotate(-90)" text-anchor="middle" font-size="15">Queries</text>`,
    `</g>`,
    `<g id="axis-bottom" font-size="13">`,
  );
  for (const v of niceTicks(0, 1, 10)) {
    parts.push(
      `<line x1="${x(v).toFixed(2)}" x2="${x(v).toFixed(2)}" y1="${histTop + histH}" y2="${histTop + histH + 5}" stroke="#333"/>`,
      `<text x="${x(v).toFixed(2)}" y="${histTop + histH + 20}" text-anchor="middle">${tickLabel(v, false)}</text>`,
    );
  }
  const ece = Number.isFinite(report.ece) ? report.ece.toFixed(3) : "n/a";
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${histTop + histH + 44}" text-anchor="middle" font-size="15">Predicted P_fail (mean of the bin)</text>`,
    `</g>`,
    `<g id="legend" font-size="13">`,
    `<line x1="${m.left + 12}" x2="${m.left + 40}" y1="${m.top + 18}" y2="${m.top + 18}" stroke="${diagColor}" stroke-width="2" stroke-dasharray="8 5"/>`,
    `<text x="${m.left + 46}" y="${m.top + 22}">perfect calibration</text>`,
    `<circle cx="${m.left + 26}" cy="${m.top + 42}" r="7" fill="${pointColor}" fill-opacity="0.55" stroke="${pointColor}"/>`,
    `<text x="${m.left + 46}" y="${m.top + 46}">${escapeXml(`bins (area ~ queries, bar = ${Math.round(report.level * 100)}% interval)`)}</text>`,
    `<text x="${m.left + 12}" y="${m.top + 70}">${escapeXml(`ECE ${ece}, ${report.count} queries`)}</text>`,
    `</g>`,
    `</svg>`,
  );
  return `${parts.join("\n")}\n`;
}
