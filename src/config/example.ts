import { availableParallelism } from "node:os";

/**
 * The commented example config written by `pyramid-moa init`: a crowd of three small models served by
 * Ollama and an OpenAI Oracle, with every field explained and the other providers shown in comments.
 */
export const EXAMPLE_CONFIG_YAML = `# pyramid-moa configuration (reference: docs/config.md).
# A crowd of cheap models answers every query; a router estimates P_fail, the probability that the
# crowd's majority answer is wrong; the query goes up to the next tier only when P_fail > threshold.
# Relative paths (modelPath, recordedFile, router) are resolved against this file's folder.

# Tiers, from the cheapest (the crowd) to the apex (the Oracle). At least two.
tiers:
  - name: crowd                    # shown in traces and costs
    members:
      # provider: openai | ollama | llamacpp | replay
      #   ollama   - Ollama's OpenAI-compatible API (default baseURL http://127.0.0.1:11434/v1), with logprobs
      #   openai   - any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Together, Groq, ...)
      #   llamacpp - a GGUF file run in-process by node-llama-cpp (modelPath), with real token logprobs
      #   replay   - what a real model answered, from a recorded JSONL file (offline, no model call)
      - provider: ollama
        model: llama3.1:8b           # the model id the endpoint knows
        price: { input: 0.1, output: 0.1 }   # USD per 1M tokens (default: guessed from "8b" in the name)
        timeoutMs: 60000             # per-call time limit
        retries: 1                   # retries on 429, 5xx, network errors and timeouts
        temperature: 0               # sampling temperature
        maxTokens: 1024              # answer length limit
      - provider: ollama
        model: gemma2:9b
        maxConcurrency: 2            # at most 2 calls of this member at once
      - provider: ollama
        model: qwen2:7b
      # An embedded GGUF model (several members may share one file; it is loaded once):
      # - provider: llamacpp
      #   model: qwen2.5-1.5b          # display name
      #   modelPath: models/qwen2.5-1.5b-instruct-q4_k_m.gguf
      #   seed: 1
      # A recorded model (GSM8K outputs under $PYRAMID_DATA_DIR/recorded/gsm8k.jsonl by default):
      # - provider: replay
      #   model: Meta-Llama-3.1-8B-Instruct
      #   recordedFile: ../shared/data/recorded/gsm8k.jsonl
    # policy: { threshold: 0.4 }     # optional: this tier's own escalation policy
    # router: routers/gsm8k.json     # optional: this tier's own router file
  - name: oracle
    members:
      - provider: openai
        model: gpt-4o
        # baseURL: https://api.openai.com/v1   # any OpenAI-compatible endpoint
        apiKeyEnv: OPENAI_API_KEY    # the NAME of the environment variable holding the key (never the key)
        price: { input: 2.5, output: 10 }

# Router file trained with \`pyramid-moa train\` (XGBoost). Without it, P_fail = 1 - the majority's vote share.
# router: routers/gsm8k.json

# When to escalate. One of:
#   { threshold: 0.5 }                            escalate iff P_fail > 0.5 (the default)
#   { costBarrier: 0.05, oracleAccuracy: 0.92 }   Equation 5: escalate iff P_fail > C_esc/U_correct + (1 - P_oracle)
#   balanced (or { preset: balanced })           a threshold calibrated and stored in the router file
policy: { threshold: 0.5 }

# How answers are compared for the vote: math | math-latex | choice | code | text
task: math

# routing: upper tiers see the user's messages; generative: they also see the crowd's candidate answers.
mode: routing

# Ask members for a self-reported confidence (a router feature). Default false.
askConfidence: false

# When every apex member fails: crowd (return the lower tier's answer, marked degraded) or throw.
onApexError: crowd

# Never escalate a query whose cost would exceed this many USD.
# maxCostPerQuery: 0.01
`;

/** The same example as JSON (JSON cannot hold comments; see docs/config.md for the fields). */
export const EXAMPLE_CONFIG_JSON = `${JSON.stringify(
  {
    tiers: [
      {
        name: "crowd",
        members: [
          {
            provider: "ollama",
            model: "llama3.1:8b",
            price: { input: 0.1, output: 0.1 },
            timeoutMs: 60000,
            retries: 1,
            temperature: 0,
            maxTokens: 1024,
          },
          { provider: "ollama", model: "gemma2:9b", maxConcurrency: 2 },
          { provider: "ollama", model: "qwen2:7b" },
        ],
      },
      {
        name: "oracle",
        members: [
          { provider: "openai", model: "gpt-4o", apiKeyEnv: "OPENAI_API_KEY", price: { input: 2.5, output: 10 } },
        ],
      },
    ],
    policy: { threshold: 0.5 },
    task: "math",
    mode: "routing",
    askConfidence: false,
    onApexError: "crowd",
  },
  null,
  2,
)}\n`;

/** Templates `pyramid-moa init --template` can write. */
export const INIT_TEMPLATES = ["ollama", "llamacpp", "replay"] as const;

/** A template name of `pyramid-moa init`. */
export type InitTemplate = (typeof INIT_TEMPLATES)[number];

/**
 * CPU threads per llama.cpp context written by `init --template llamacpp`: half the cores (at least 1, at most 8).
 * llama.cpp's default takes every core, and its threads spin when the cores are oversubscribed (several members on
 * a busy or 2-core machine), which can stall a tiny model for minutes.
 */
export function defaultLlamaCppThreads(cores: number = availableParallelism()): number {
  return Math.min(8, Math.max(1, Math.floor(cores / 2)));
}

/**
 * A fully local example: a crowd of three samplings (different seeds) of one GGUF model run in-process by
 * llama.cpp, and an Oracle on another (or the same) GGUF file, with bounded threads, context and answer length so
 * that a first `ask` answers in seconds. Paths are written as given (relative ones are resolved against the config
 * file's folder when it is loaded).
 */
export function llamaCppExampleYaml(
  modelPath: string,
  oraclePath: string,
  threads: number = defaultLlamaCppThreads(),
): string {
  const q = (value: string) => JSON.stringify(value);
  const limits = `contextSize: 1024, threads: ${threads}, price: { input: 0, output: 0 }`;
  return `# pyramid-moa configuration, fully local (reference: docs/config.md).
# The crowd: three samplings of one GGUF model run in-process by llama.cpp (node-llama-cpp). Members on the
# same file share one loaded model, each call on its own context sequence, so they run in parallel.
# threads: CPU threads of the shared context (${threads} = half of this machine's cores when this file was written;
#   llama.cpp's default takes every core and its threads spin when cores are oversubscribed).
# contextSize: tokens per sequence (prompt + answer); maxTokens: answer length limit. Raise both for long,
#   step-by-step answers of a bigger model. price: USD per 1M tokens (0: a local model costs nothing per call).
# Relative paths are resolved against this file's folder.
tiers:
  - name: crowd
    members:
      - { provider: llamacpp, model: crowd-a, modelPath: ${q(modelPath)}, temperature: 0.7, seed: 1, maxTokens: 192, ${limits} }
      - { provider: llamacpp, model: crowd-b, modelPath: ${q(modelPath)}, temperature: 0.7, seed: 2, maxTokens: 192, ${limits} }
      - { provider: llamacpp, model: crowd-c, modelPath: ${q(modelPath)}, temperature: 0.7, seed: 3, maxTokens: 192, ${limits} }
  - name: oracle
    members:
      # A bigger GGUF model answers the queries the router escalates (greedy decoding).
      - { provider: llamacpp, model: oracle, modelPath: ${q(oraclePath)}, temperature: 0, maxTokens: 384, ${limits} }
      # Or a remote Oracle:
      # - { provider: openai, model: gpt-4o, apiKeyEnv: OPENAI_API_KEY, price: { input: 2.5, output: 10 } }

# Escalate iff P_fail > threshold; without a router file, P_fail = 1 - the majority's vote share.
policy: { threshold: 0.5 }
# How answers are compared for the vote: math | math-latex | choice | code | text
task: math
`;
}

/**
 * An offline example: the paper's crowd and Oracle replayed from the recorded GSM8K outputs (answers only
 * recorded prompts), routed by the shipped GSM8K router when its path is given.
 */
export function replayExampleYaml(routerPath?: string): string {
  const policy = routerPath
    ? [
        "# The XGBoost router trained on these models' recorded outputs, and its calibrated preset.",
        `router: ${JSON.stringify(routerPath)}`,
        "policy: balanced",
      ].join("\n")
    : [
        "# Equation 5: escalate iff P_fail > C_esc/U_correct + (1 - P_oracle).",
        "policy: { costBarrier: 0.05, oracleAccuracy: 0.95 }",
      ].join("\n");
  return `# pyramid-moa configuration, offline (reference: docs/config.md).
# Every member replays what a real model answered on GSM8K, from $PYRAMID_DATA_DIR/recorded/gsm8k.jsonl
# (default ../shared/data). Replayed models answer only recorded prompts: ask a recorded question by its
# id, e.g. pyramid-moa ask --recorded gsm8k/test/0 (the id field of a line of that file).
tiers:
  - name: crowd
    members:
      - { provider: replay, model: Meta-Llama-3.1-8B-Instruct, price: { input: 0.1, output: 0.1 } }
      - { provider: replay, model: gemma-2-9b-it, price: { input: 0.1125, output: 0.1125 } }
      - { provider: replay, model: Qwen2-7B-Instruct, price: { input: 0.0875, output: 0.0875 } }
  - name: oracle
    members:
      - { provider: replay, model: Meta-Llama-3.1-70B-Instruct, price: { input: 0.875, output: 0.875 } }
${policy}
task: math
`;
}
