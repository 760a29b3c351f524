import type { ChatWrapper, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import { ModelCallError } from "../../errors/index.js";
import { resolveModelSource } from "./model_source.js";
import { disposeLlamaRuntime, getLlamaRuntime, loadNodeLlamaCpp } from "./runtime.js";

/** Options of a `LlamaCppEngine`. */
export interface LlamaCppEngineOptions {
  /** A GGUF file path or a model URI (`hf:user/repo:quant`). */
  modelPath: string;
  /** Folder for downloaded model URIs (default: node-llama-cpp's `~/.node-llama-cpp/models`). */
  cacheDir?: string;
  /** Milliseconds a model URI's server has to answer before the download is given up (default 30 000). */
  downloadTimeoutMs?: number;
  /** Layers to offload to a GPU: `"auto"` (default), `"max"` or a count. */
  gpuLayers?: "auto" | "max" | number;
}

/** What a `LlamaCppEngine` needs to hand out a context sequence. */
export interface SequenceRequest {
  /** Tokens per sequence. */
  contextSize: number;
  /** Sequences in the context (how many calls can generate at the same time). */
  parallel: number;
  /** CPU threads of the context (undefined: node-llama-cpp's default). */
  threads?: number;
  /** The prompt about to be evaluated: the free sequence sharing the longest prefix with it is chosen. */
  tokens?: readonly Token[];
  /** Gives up waiting for a free sequence. */
  signal?: AbortSignal;
}

/** A context sequence lent to one generation; `release()` gives it back (exactly once). */
export interface SequenceLease {
  /** The sequence, for this generation only. */
  sequence: LlamaContextSequence;
  /** Returns the sequence to its pool. */
  release(): void;
}

interface Waiter {
  tokens?: readonly Token[];
  resolve(sequence: LlamaContextSequence): void;
  reject(error: unknown): void;
}

/** The sequences of one llama.cpp context. */
class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiters: Waiter[] = [];
  private created = 0;

  constructor(
    readonly context: LlamaContext,
    private readonly size: number,
  ) {}

  acquire(tokens: readonly Token[] | undefined, signal: AbortSignal | undefined): Promise<LlamaContextSequence> {
    if (this.free.length > 0) return Promise.resolve(this.takeFree(tokens));
    if (this.created < this.size) {
      this.created++;
      return Promise.resolve(this.context.getSequence());
    }
    return new Promise<LlamaContextSequence>((resolve, reject) => {
      const waiter: Waiter = {
        tokens,
        resolve: (sequence) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(sequence);
        },
        reject,
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.resolve(sequence);
    else this.free.push(sequence);
  }

  rejectWaiters(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }

  private takeFree(tokens: readonly Token[] | undefined): LlamaContextSequence {
    let best = this.free.length - 1;
    if (tokens !== undefined && tokens.length > 0) {
      let bestShared = -1;
      for (let i = 0; i < this.free.length; i++) {
        const shared = this.free[i]!.compareContextTokens(tokens as Token[]).firstDifferentIndex;
        if (shared > bestShared) {
          bestShared = shared;
          best = i;
        }
      }
    }
    return this.free.splice(best, 1)[0]!;
  }
}

/**
 * One loaded GGUF model shared by several `LlamaCppChatModel`s: the weights are loaded once; each call
 * borrows its own context sequence, and calls on the same context are decoded together in one batch,
 * so crowd members on one model file run in parallel. Contexts are created per (contextSize, parallel, threads).
 *
 * Use `LlamaCppEngine.shared({ modelPath })` to get the process-wide engine of a model file, and
 * `LlamaCppEngine.disposeAll()` (or `engine.dispose()`) to free native memory.
 */
export class LlamaCppEngine {
  private static readonly registry = new Map<string, LlamaCppEngine>();

  /** The engine of `modelPath` shared by everyone in this process (created on first request). */
  static shared(options: LlamaCppEngineOptions): LlamaCppEngine {
    const key = `${options.modelPath}\u0000${options.cacheDir ?? ""}\u0000${String(options.gpuLayers ?? "auto")}`;
    let engine = LlamaCppEngine.registry.get(key);
    if (engine === undefined || engine.disposed) {
      engine = new LlamaCppEngine(options);
      LlamaCppEngine.registry.set(key, engine);
    }
    return engine;
  }

  /** Disposes every shared engine and the llama.cpp runtime. */
  static async disposeAll(): Promise<void> {
    const engines = [...LlamaCppEngine.registry.values()];
    LlamaCppEngine.registry.clear();
    await Promise.all(engines.map((engine) => engine.dispose()));
    await disposeLlamaRuntime();
  }

  /** The model path or URI this engine was created with. */
  readonly modelPath: string;
  private readonly options: LlamaCppEngineOptions;
  private modelPromise?: Promise<LlamaModel>;
  private chatWrapper?: ChatWrapper;
  private readonly pools = new Map<string, Promise<SequencePool>>();
  private active = 0;
  private peak = 0;
  private isDisposed = false;

  constructor(options: LlamaCppEngineOptions) {
    this.options = { ...options };
    this.modelPath = options.modelPath;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Number of sequences currently lent out (generations in flight). */
  get activeSequences(): number {
    return this.active;
  }

  /** Highest number of generations in flight at once since creation or `resetPeak()`. */
  get peakActiveSequences(): number {
    return this.peak;
  }

  /** Resets `peakActiveSequences` to the current number in flight. */
  resetPeak(): void {
    this.peak = this.active;
  }

  /** The loaded model (loads it on first call). */
  loadModel(): Promise<LlamaModel> {
    this.ensureNotDisposed();
    this.modelPromise ??= (async () => {
      const path = await resolveModelSource(this.options.modelPath, {
        cacheDir: this.options.cacheDir,
        ...(this.options.downloadTimeoutMs !== undefined ? { timeoutMs: this.options.downloadTimeoutMs } : {}),
      });
      const llama = await getLlamaRuntime();
      try {
        return await llama.loadModel({ modelPath: path, gpuLayers: this.options.gpuLayers ?? "auto" });
      } catch (cause) {
        throw new ModelCallError(this.options.modelPath, "llama.cpp could not load the model file", {
          fix: "Check that the file is a complete GGUF model supported by this node-llama-cpp version.",
          cause,
        });
      }
    })().catch((error: unknown) => {
      this.modelPromise = undefined;
      throw error;
    });
    return this.modelPromise;
  }

  /** The chat wrapper matching the model's own chat template (resolved once). */
  async getChatWrapper(): Promise<ChatWrapper> {
    const model = await this.loadModel();
    if (this.chatWrapper === undefined) {
      const { resolveChatWrapper } = await loadNodeLlamaCpp();
      this.chatWrapper = resolveChatWrapper(model);
    }
    return this.chatWrapper;
  }

  /** Borrows a context sequence (waits while all `parallel` sequences of the context are busy). */
  async acquireSequence(request: SequenceRequest): Promise<SequenceLease> {
    const pool = await this.getPool(request.contextSize, request.parallel, request.threads);
    this.ensureNotDisposed();
    const sequence = await pool.acquire(request.tokens, request.signal);
    this.active++;
    if (this.active > this.peak) this.peak = this.active;
    let released = false;
    return {
      sequence,
      release: () => {
        if (released) return;
        released = true;
        this.active--;
        if (!this.isDisposed && !sequence.disposed) pool.release(sequence);
      },
    };
  }

  /** Frees the contexts and the model weights. Later calls fail. */
  async dispose(): Promise<void> {
    if (this.isDisposed) return;
    this.isDisposed = true;
    const pools = await Promise.allSettled([...this.pools.values()]);
    this.pools.clear();
    for (const settled of pools) {
      if (settled.status !== "fulfilled") continue;
      settled.value.rejectWaiters(new ModelCallError(this.modelPath, "the engine was disposed"));
      await settled.value.context.dispose();
    }
    const model = await this.modelPromise?.catch(() => undefined);
    if (model !== undefined && !model.disposed) await model.dispose();
  }

  private getPool(contextSize: number, parallel: number, threads: number | undefined): Promise<SequencePool> {
    this.ensureNotDisposed();
    const key = `${contextSize}:${parallel}:${threads ?? "default"}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = (async () => {
        const model = await this.loadModel();
        try {
          const context = await model.createContext({
            contextSize,
            sequences: parallel,
            ...(threads === undefined ? {} : { threads }),
          });
          return new SequencePool(context, parallel);
        } catch (cause) {
          throw new ModelCallError(
            this.modelPath,
            `could not create a context of ${contextSize} tokens x ${parallel} sequences`,
            {
              fix: "Lower contextSize or parallel.",
              cause,
            },
          );
        }
      })().catch((error: unknown) => {
        this.pools.delete(key);
        throw error;
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  private ensureNotDisposed(): void {
    if (this.isDisposed)
      throw new ModelCallError(this.modelPath, "the engine was disposed", { fix: "Create a new LlamaCppEngine." });
  }
}
