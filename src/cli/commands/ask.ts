import { dirname } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import type { AIMessageChunk } from "@langchain/core/messages";
import { pyramidFromConfig } from "../../config/build.js";
import { findPyramidConfig, loadPyramidConfig } from "../../config/load.js";
import { disposeLlamaCppEngines } from "../../config/providers/llamacpp.js";
import { disposeConfigBudgets } from "../../config/budget.js";
import { PyramidConfigError, ReplayMissError } from "../../errors/index.js";
import { recordedPrompt } from "./recorded_prompt.js";
import type { PyramidMetadata } from "../../graph/result.js";
import { parseCommandArgs } from "../args.js";
import { type CliOptions, optionsHelp } from "../options.js";
import type { CliCommand } from "../main.js";
import { messageText } from "../../cost/usage.js";

/** The flags of `ask`: parsed by `parseArgs` and listed by `--help` from this one definition. */
const OPTIONS = {
  config: {
    type: "string",
    value: "<file>",
    help: "config file (default ./pyramid.config.yaml, .yml or .json; see pyramid-moa init)",
  },
  recorded: {
    type: "string",
    value: "<id>",
    help: "ask the recorded question with this id (e.g. gsm8k/test/0), from the recorded file of the config's replay members: replayed models answer only the prompts they were recorded on",
  },
  json: { type: "boolean", help: "print one JSON object: { question, answer, toolCalls, model, usage, pyramid }" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies CliOptions;

const USAGE = `Usage: pyramid-moa ask "question" [--config file] [--json]
       pyramid-moa ask --recorded <id> [--config file] [--json]

Asks the pyramid of a config file one question and prints the answer and the routing trace: the tier
reached, P_fail and the threshold at each tier boundary, every member's answer (or error), the cost
and what the Oracle alone would have cost.

${optionsHelp(OPTIONS)}`;

function usd(value: number): string {
  return `$${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 4)}`;
}

function num(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : "n/a";
}

function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** The routing trace of an answer as human-readable lines. */
export function formatTrace(pyramid: PyramidMetadata): string[] {
  const lines: string[] = [];
  lines.push(
    `Answered by tier ${pyramid.tier} "${pyramid.tierName}"${pyramid.escalated ? " (escalated)" : " (not escalated)"}`,
  );
  if (pyramid.degraded)
    lines.push(`  degraded: the apex failed (${pyramid.error ?? "unknown error"}); a lower tier answered`);
  for (const d of pyramid.decisions) {
    const op = d.pFail > d.threshold ? ">" : "<=";
    lines.push(
      `  after tier ${d.tier} "${d.tierName}": P_fail ${num(d.pFail)} ${op} threshold ${num(d.threshold)} -> ${d.escalated ? "escalate" : "stop"}${d.reason ? ` (${d.reason})` : ""}`,
    );
  }
  lines.push("Members:");
  const nameWidth = Math.max(...pyramid.candidates.map((c) => c.model.length), 4);
  for (const c of pyramid.candidates) {
    const answer =
      c.error !== undefined
        ? `error: ${oneLine(c.error, 80)}`
        : c.answer === null
          ? "(no answer extracted)"
          : oneLine(c.answer, 60);
    lines.push(
      `  [tier ${c.tier}] ${c.model.padEnd(nameWidth)}  ${answer}  (${usd(c.costUsd)}, ${Math.round(c.latencyMs)} ms)`,
    );
  }
  const saving =
    pyramid.cost.oracleOnly > 0
      ? ` (${Math.round((1 - pyramid.cost.total / pyramid.cost.oracleOnly) * 100)}% saved)`
      : "";
  lines.push(
    `Cost: ${usd(pyramid.cost.total)}; Oracle only: ${usd(pyramid.cost.oracleOnly)}${pyramid.cost.oracleOnlyEstimated ? " (estimated)" : ""}${saving}${pyramid.cost.tokensEstimated ? "; some token counts estimated" : ""}`,
  );
  return lines;
}

function answerText(message: AIMessageChunk): string {
  return messageText(message);
}

/** `pyramid-moa ask`: one question through the pyramid of a config file. */
export const askCommand: CliCommand = {
  summary: "ask the pyramid of a config file one question; print the answer and the routing trace",
  options: OPTIONS,
  async run(argv) {
    const parsed = parseCommandArgs("ask", {
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const path = findPyramidConfig(values.config);
    const config = loadPyramidConfig(path);
    const prompt = values.recorded !== undefined ? recordedPrompt(config, path, values.recorded) : undefined;
    const question = prompt ? messageText(prompt[prompt.length - 1]) : positionals.join(" ");
    if (question.trim().length === 0) {
      throw new PyramidConfigError("no question given", {
        field: "pyramid-moa ask",
        fix: 'pyramid-moa ask "What is 17 * 23?"',
      });
    }
    try {
      const model = await pyramidFromConfig(config, { baseDir: dirname(path) });
      const message = await model.invoke(prompt ?? [new HumanMessage(question)]).catch((error: unknown) => {
        if (!(error instanceof ReplayMissError)) throw error;
        // Replayed members answer recorded prompts only: say how to ask one from the command line.
        throw new ReplayMissError(error.message.split(" Fix: ")[0], {
          fix: `ask a recorded question by its id: pyramid-moa ask --recorded gsm8k/test/0${values.config ? ` --config ${values.config}` : ""}`,
        });
      });
      const pyramid = message.response_metadata.pyramid as PyramidMetadata;
      const answer = answerText(message);
      const toolCalls = (message.tool_calls ?? []).map((call) => ({ name: call.name, args: call.args }));
      if (values.json) {
        console.log(
          JSON.stringify({
            question,
            answer,
            toolCalls,
            model: message.response_metadata.model_name,
            usage: message.usage_metadata,
            pyramid,
          }),
        );
      } else {
        const body =
          answer.length > 0
            ? answer
            : toolCalls.map((c) => `tool call: ${c.name}(${JSON.stringify(c.args)})`).join("\n");
        console.log([body, "", ...formatTrace(pyramid)].join("\n"));
      }
      return 0;
    } finally {
      await disposeLlamaCppEngines();
      await disposeConfigBudgets();
    }
  },
};
