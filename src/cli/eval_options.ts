import { TASK_TEXT_FORMS } from "../answers/task_text.js";
import { EVAL_BENCHMARKS } from "../eval/run/benchmark_graders.js";
import { DEFAULT_EXPERIMENTS } from "../eval/run/run_eval.js";
import type { CliOptions, CliValues } from "./options.js";

/**
 * The flags of `pyramid-moa eval` (two-tier and deep runs alike): parsed by `parseArgs` and listed by `--help` from
 * this one definition.
 */
export const EVAL_OPTIONS = {
  benchmark: {
    type: "string",
    value: "<name>",
    help: `${EVAL_BENCHMARKS.join(", ")} (required); picks the grader and the answer extractor`,
  },
  out: { type: "string", value: "<dir>", help: "output folder (required)" },
  recorded: {
    type: "string",
    multiple: true,
    value: "<file>",
    help: `recorded outputs, any file of the shared line schema (default <data>/recorded/<benchmark>.jsonl,
      math: math-l5.jsonl; data = $PYRAMID_DATA_DIR or ../shared/data); repeatable: a model's
      outputs may come from any of the files`,
  },
  tiers: {
    type: "string",
    value: "<spec>",
    help: `a pyramid of any number of tiers: "a,b,c;d;e" (tiers separated by ";", members by ",",
      cheapest first; the last is the apex), or "deep": gsm8k and math's 8B crowd -> 70B -> 405B
      (recorded default: the benchmark's file and its -405b file). Every tier is evaluated on every
      item; reported per boundary and per tier in summary.md (see docs/deep-pyramids.md)`,
  },
  config: {
    type: "string",
    value: "<file>",
    help: `evaluate the pyramid of a config file (replay members: their models, files, prices, routers,
      policy and task)`,
  },
  crowd: {
    type: "string",
    value: "<m1,m2,...>",
    help: `crowd models (default: gsm8k and math ${DEFAULT_EXPERIMENTS.gsm8k.crowd.join(",")};
      required for mmlu, humaneval, custom)`,
  },
  oracle: {
    type: "string",
    value: "<m>",
    help: `Oracle model (default: gsm8k and math ${DEFAULT_EXPERIMENTS.gsm8k.oracle})`,
  },
  task: {
    type: "string",
    value: "<kind>",
    help: `answer key of the vote: ${TASK_TEXT_FORMS}
      (default per benchmark: math-latex for math, choice for mmlu, code for mbpp/humaneval, text for custom); json[:field] votes on a JSON field
      of the outputs (default field "answer"), regex:<pattern> on its first capture group`,
  },
  similarity: {
    type: "string",
    value: "<s>",
    help: "text and short-answer: lexical (cluster answers by token F1 and vote by meaning) or exact",
  },
  router: {
    type: "string",
    multiple: true,
    value: "<file>",
    help: `router bundle to evaluate (with --tiers: once per boundary, in order; default the shipped
      per-boundary routers when the members match); one trained on another benchmark measures zero-shot
      transfer (e.g. --benchmark math --router routers/gsm8k-llama8b-gemma9b-qwen7b.json); refused when
      it was trained for other crowd members (its bundle's metadata.members must equal the
      crowd's names, in order)`,
  },
  "allow-router-member-mismatch": {
    type: "boolean",
    help: "evaluate --router even though it was trained for other members",
  },
  train: { type: "boolean", help: "train a router on the train part, evaluate on the holdout part" },
  holdout: { type: "string", value: "<f>", help: "holdout fraction with --train (default 0.3)" },
  seed: { type: "string", value: "<n>", help: "seed of the split, training and random baseline (default 1)" },
  policy: {
    type: "string",
    value: "<preset>",
    help: "economy | balanced | baseline-match (default baseline-match when the router has presets)",
  },
  threshold: { type: "string", value: "<t>", help: "fixed threshold instead of a preset" },
  grader: {
    type: "string",
    value: "<g>",
    help: `ours: this library's grader of the benchmark (default; gsm8k number, math LaTeX equivalence,
      mmlu letter, mbpp/humaneval tests in the sandbox); reference: the lines' reference.correct;
      or the path of an ES module exporting grade({ output, gold, id, model, question }) -> boolean
      (custom needs reference or a module)`,
  },
  limit: { type: "string", value: "<n>", help: "only the first n items (quick runs)" },
  concurrency: { type: "string", value: "<n>", help: "queries at once (default 8)" },
  strict: {
    type: "boolean",
    help: "stop at the first bad line of the recorded file (default: report it and skip it)",
  },
  "no-code-behaviour": {
    type: "boolean",
    help: "mbpp: leave out the code behavioural agreement features (sandboxed probe runs)",
  },
  "unsafe-allow-unsandboxed-code": {
    type: "boolean",
    help: `mbpp/humaneval: grade and probe code even without bubblewrap (UNSAFE: no OS sandbox;
      default: refuse, see docs/sandbox.md)`,
  },
  "code-claims": {
    type: "boolean",
    help: "mbpp: add their claim features (code vs the outputs its member wrote down)",
  },
  schedule: {
    type: "string",
    value: "<s>",
    help: `also replay the recordings under a crowd schedule (parallel | anytime | waves) with a
      latency model, and report every rule and preset's accuracy, saving and p50/p95 latency
      next to parallel's (schedule.md, schedule.json; two-tier pyramids; see docs/anytime.md)`,
  },
  "latency-model": {
    type: "string",
    value: "<file>",
    help: `JSON per-model speeds for --schedule: { "default"?: { "ttftMs", "tokensPerSecond" },
      "models"?: { "<name>": {...} } } (default: <= 20B 150 ms + 150 tokens/s, larger 300 ms + 45)`,
  },
  "no-png": { type: "boolean", help: "write SVG only" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies CliOptions;

/** The parsed `pyramid-moa eval` flags, typed from {@link EVAL_OPTIONS}. */
export type EvalFlags = CliValues<typeof EVAL_OPTIONS>;
