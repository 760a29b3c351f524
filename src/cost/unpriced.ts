import type { BaseMessage } from "@langchain/core/messages";
import type { Price } from "./price.js";

const warned = new Set<string>();

/**
 * Warns once per member name and process (through `process.emitWarning`, type `PyramidMoaWarning`) when a call is
 * counted as $0 because the member has no price, its name carries no parameter count (`70B`, `8x7b`) and the
 * model reported no cost (`response_metadata.cost_usd`): costs and savings would otherwise be wrong in silence.
 */
export function warnIfUnpriced(member: { readonly name: string; readonly price?: Price }, output: BaseMessage): void {
  if (member.price !== undefined || warned.has(member.name)) return;
  const reported = (output.response_metadata as Record<string, unknown> | undefined)?.cost_usd;
  if (typeof reported === "number" && Number.isFinite(reported)) return;
  warned.add(member.name);
  process.emitWarning(
    `member "${member.name}" has no price and no parameter count in its name, so its calls count as $0. ` +
      `Fix: give it price: { input, output } (USD per 1M tokens; 0 for a free local model) or prices["${member.name}"].`,
    { type: "PyramidMoaWarning", code: "PYRAMID_MOA_UNPRICED" },
  );
}
