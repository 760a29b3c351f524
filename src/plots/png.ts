import { existsSync } from "node:fs";
import { MissingDependencyError } from "../errors/index.js";

/** Font folders searched for the plots' text (Debian: fonts-dejavu-core installs the first). */
export const FONT_DIRS = [
  "/usr/share/fonts/truetype/dejavu",
  "/usr/share/fonts/TTF",
  "/usr/share/fonts/dejavu",
  "/Library/Fonts",
  "C:\\Windows\\Fonts",
];

/**
 * Renders an SVG to PNG bytes with @resvg/resvg-js (an optional dependency: `npm install
 * @resvg/resvg-js`). resvg draws no text without fonts: system fonts are loaded, plus the known
 * DejaVu folders, with DejaVu Sans as the default family. On a machine without any font, text is
 * missing from the PNG (the SVG is unaffected): install `fonts-dejavu-core` (Debian/Ubuntu).
 */
export async function svgToPng(svg: string, options: { width?: number } = {}): Promise<Buffer> {
  let mod: typeof import("@resvg/resvg-js");
  try {
    mod = await import("@resvg/resvg-js");
  } catch (error) {
    throw new MissingDependencyError("@resvg/resvg-js is needed to write PNG plots", {
      fix: "npm install @resvg/resvg-js (the SVG files are written without it)",
      cause: error,
    });
  }
  const resvg = new mod.Resvg(svg, {
    background: "#ffffff",
    fitTo: options.width ? { mode: "width", value: options.width } : { mode: "original" },
    font: {
      loadSystemFonts: true,
      fontDirs: FONT_DIRS.filter((d) => existsSync(d)),
      defaultFontFamily: "DejaVu Sans",
    },
  });
  return Buffer.from(resvg.render().asPng());
}
