import { z } from "zod";

/** One chat message as recorded: the role and the plain text that was sent. */
export const recordedMessageSchema = z.object({
  role: z.string(),
  content: z.string(),
});

/**
 * One line of a recorded-outputs JSONL file (the schema of `../shared/data/README.md`).
 *
 * Only `model`, `messages` and `output` are needed to replay; the other fields describe the
 * benchmark item and upstream's verdict, and are optional so that users can record their own
 * models on their own prompts. Unknown extra fields are kept.
 */
export const recordedLineSchema = z.looseObject({
  /** Benchmark name, e.g. `gsm8k`; `custom` for user recordings without one. */
  benchmark: z.string().optional(),
  /** Item id, e.g. `gsm8k/test/17`. */
  id: z.string().optional(),
  /** Data split, e.g. `dev`. */
  split: z.string().optional(),
  /** The model's name (the key under which it is replayed). */
  model: z.string().min(1),
  /** Hugging Face id of the model, when known. */
  generator: z.string().optional(),
  /** The bare question / task text. */
  question: z.string().optional(),
  /** The chat messages that were sent. */
  messages: z.array(recordedMessageSchema).min(1),
  /** The model's raw completion. */
  output: z.string(),
  /** The gold answer: a string (GSM8K) or a structured object (MBPP tests). */
  gold: z.unknown().optional(),
  /** Upstream's own verdict on `output`. */
  reference: z.looseObject({ correct: z.boolean() }).optional(),
  /** Dollar cost of the call, when the source has it. */
  cost_usd: z.number().optional(),
  /** Token counts of the call, when the recorder saw them (never present in the shared data). */
  usage: z
    .object({ input_tokens: z.number().int().nonnegative(), output_tokens: z.number().int().nonnegative() })
    .optional(),
  /** Decoding settings used. */
  decoding: z.record(z.string(), z.unknown()).optional(),
});

/** One recorded model answer; see {@link recordedLineSchema}. */
export type RecordedLine = z.infer<typeof recordedLineSchema>;

/** One recorded chat message; see {@link recordedMessageSchema}. */
export type RecordedMessage = z.infer<typeof recordedMessageSchema>;
