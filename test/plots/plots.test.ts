import { describe, expect, it } from "vitest";
import { frontierSvg, performanceProfileSvg, svgToPng, niceTicks } from "../../src/plots/index.js";
import type { ProfilePoint } from "../../src/eval/metrics/index.js";

const profile: ProfilePoint[] = [0.1, 0.3, 0.5, 0.7, 0.9].map((t, i) => ({
  name: `pyramid (t=${t})`,
  threshold: t,
  accuracy: 0.95 - 0.01 * i,
  escalationRate: 0.5 - 0.1 * i,
  cost: 10 - i,
  costPerQuery: 0.1,
  costFraction: 0.6 - 0.1 * i,
  costSaving: 0.4 + 0.1 * i,
  recall: 0.9 - 0.1 * i,
}));

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe("performance profile plot", () => {
  const svg = performanceProfileSvg(profile, { oracleAccuracy: 0.944, crowdAccuracy: 0.901, title: "Profile <test>" });

  it("has both series, both reference lines, both axis titles and a legend", () => {
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain('id="series-accuracy"');
    expect(svg).toContain('id="series-saving"');
    expect(svg).toContain('id="line-oracle"');
    expect(svg).toContain('id="line-crowd"');
    expect(svg).toContain(">Accuracy</text>");
    expect(svg).toContain(">Cost saving vs. Oracle alone</text>");
    expect(svg).toContain("Escalation threshold t");
    expect(svg).toContain("Oracle alone 94.4%");
    expect(svg).toContain("Crowd majority 90.1%");
    expect(svg).toContain("Profile &lt;test&gt;");
    // one marker per threshold on each series
    expect(svg.match(/<circle /g)?.length).toBe(profile.length);
    // the accuracy path passes through 5 points
    const path = /id="series-accuracy" d="([^"]+)"/.exec(svg)![1];
    expect(path.split(/[ML]/).filter((s) => s.trim()).length).toBe(5);
  });

  it("renders to a PNG of the SVG's size, with text drawn", async () => {
    const png = await svgToPng(svg);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(pngSize(png)).toEqual({ width: 900, height: 540 });
    // Text must render: the same plot without any text is a smaller file.
    const noText = await svgToPng(svg.replace(/<text[\s\S]*?<\/text>/g, ""));
    expect(png.length).toBeGreaterThan(noText.length + 2000);
    const wide = await svgToPng(svg, { width: 1800 });
    expect(pngSize(wide)).toEqual({ width: 1800, height: 1080 });
  });
});

describe("frontier plot", () => {
  it("draws every named series and the legend", async () => {
    const svg = frontierSvg(
      [
        {
          name: "learned router",
          points: [
            { x: 0.3, y: 0.9 },
            { x: 0.5, y: 0.94 },
            { x: 1, y: 0.95 },
          ],
        },
        { name: "Oracle alone", points: [{ x: 1, y: 0.944 }] },
        { name: "escalate unless unanimous", points: [{ x: 0.66, y: 0.949 }] },
      ],
      { xLabel: "Cost (% of Oracle alone)", xPercent: true },
    );
    expect(svg).toContain('data-name="learned router"');
    expect(svg).toContain('data-name="Oracle alone"');
    expect(svg).toContain('data-name="escalate unless unanimous"');
    expect(svg).toContain(">Cost (% of Oracle alone)</text>");
    expect(svg).toContain(">Accuracy</text>");
    expect(svg).toContain(">100%</text>");
    const png = await svgToPng(svg);
    expect(pngSize(png)).toEqual({ width: 900, height: 560 });
  });

  it("nice ticks", () => {
    expect(niceTicks(0, 1, 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(0.9, 0.95, 5)).toEqual([0.9, 0.91, 0.92, 0.93, 0.94, 0.95]);
  });
});
