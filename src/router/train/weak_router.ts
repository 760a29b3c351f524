import type { RouterBundle } from "../bundle.js";

/** Out-of-fold (or validation) AUC below which a trained router is reported as no better than chance. */
export const MIN_USEFUL_AUC = 0.55;

/**
 * Why a trained router is no better than a constant: validation AUC near 0.5 (below {@link MIN_USEFUL_AUC}) or not
 * measurable, no tree split on any feature, or at most one boosting round kept. Such a router's presets are
 * meaningless (a `baseline-match` threshold of 0 escalates everything). Returns an empty list for a usable router.
 * Typical causes: too few traces, or traces that are not the router's training part.
 */
export function weakRouterReasons(bundle: RouterBundle): string[] {
  const reasons: string[] = [];
  const auc = bundle.metadata.validation.auc;
  if (typeof auc !== "number" || !Number.isFinite(auc))
    reasons.push("its validation AUC cannot be measured (one class only)");
  else if (auc < MIN_USEFUL_AUC)
    reasons.push(`its validation AUC is ${auc.toFixed(3)}, no better than chance (< ${MIN_USEFUL_AUC})`);
  if (Object.keys(bundle.metadata.importance).length === 0)
    reasons.push("no tree splits on any feature (it predicts a constant)");
  const rounds = bundle.metadata.rounds?.best;
  if (rounds !== undefined && rounds <= 1) reasons.push(`early stopping kept ${rounds} boosting round`);
  const zero = Object.entries(bundle.presets)
    .filter(([, t]) => t === 0)
    .map(([name]) => name);
  if (reasons.length > 0 && zero.length > 0)
    reasons.push(`preset ${zero.join(", ")} has threshold 0 (escalates every query)`);
  return reasons;
}
