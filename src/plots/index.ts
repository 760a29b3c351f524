export { performanceProfileSvg, type ProfilePlotOptions, type ProfilePlotPoint } from "./profile_plot.js";
export { frontierSvg, type FrontierSeries, type FrontierPlotOptions } from "./frontier_plot.js";
export { svgToPng, FONT_DIRS } from "./png.js";
export { niceTicks, niceRange, escapeXml, PALETTE } from "./svg.js";
export { reliabilitySvg, type ReliabilityPlotOptions, type ReliabilityPlotData } from "./reliability_plot.js";
