import type { CharsElement, Grammar, GrammarSequence, RestElement } from "./grammar.js";
import { matchesChar } from "./grammar.js";

/** A position inside an alternative, with the frames to return to once it is matched. */
interface Frame {
  readonly sequence: GrammarSequence;
  readonly position: number;
  readonly next: Frame | null;
}

/** A parse in progress: the frame whose element comes next, or null when the text is complete. */
type Stack = Frame | null;

const MAX_EXPANSION_DEPTH = 2000;

/** Ids of sequences (for de-duplicating stacks). */
const sequenceIds = new WeakMap<GrammarSequence, number>();
let nextSequenceId = 1;

function sequenceId(sequence: GrammarSequence): number {
  let id = sequenceIds.get(sequence);
  if (id === undefined) {
    id = nextSequenceId++;
    sequenceIds.set(sequence, id);
  }
  return id;
}

function stackKey(stack: Stack): string {
  let key = "";
  for (let frame = stack; frame !== null; frame = frame.next) key += `${sequenceId(frame.sequence)}.${frame.position};`;
  return key;
}

/** The frame after the current element (tail frames are dropped, so right recursion keeps stacks short). */
function advance(frame: Frame): Stack {
  return frame.position + 1 < frame.sequence.length
    ? { sequence: frame.sequence, position: frame.position + 1, next: frame.next }
    : frame.next;
}

/**
 * Where a grammar-constrained text stands: the set of parses (llama.cpp-style stacks) still compatible with
 * the text so far. Immutable: `step` and `advance` return new states, so a state can be tried with many
 * candidate tokens. Texts are read as UTF-16 code units.
 */
export class GrammarState {
  private constructor(
    private readonly grammar: Grammar,
    private readonly stacks: readonly Stack[],
  ) {}

  /** The state before any text. */
  static initial(grammar: Grammar): GrammarState {
    const stacks: Stack[] = [];
    expandRule(grammar, grammar.root, null, stacks, 0);
    return new GrammarState(grammar, dedupe(stacks));
  }

  /** Whether the text so far is a complete match (the output may end here). */
  get accepting(): boolean {
    return this.stacks.some((stack) => stack === null || stack.sequence[stack.position]!.kind === "rest");
  }

  /** Whether the text so far is complete and nothing may follow it. */
  get done(): boolean {
    return this.stacks.every((stack) => stack === null);
  }

  /** Whether any text at all may follow (a free-text branch was entered): the grammar constrains nothing more. */
  get free(): boolean {
    return this.stacks.some((stack) => stack !== null && stack.sequence[stack.position]!.kind === "rest");
  }

  /** The state after code unit `unit`, or null when the grammar does not allow it here. */
  step(unit: number): GrammarState | null {
    const next: Stack[] = [];
    for (const stack of this.stacks) {
      if (stack === null) continue;
      const element = stack.sequence[stack.position] as CharsElement | RestElement;
      if (element.kind === "rest") next.push(stack);
      else if (matchesChar(element, unit)) expand(this.grammar, advance(stack), next, 0);
    }
    if (next.length === 0) return null;
    return new GrammarState(this.grammar, next.length > 1 ? dedupe(next) : next);
  }

  /** The state after `text`, or null when the grammar does not allow it here. */
  advance(text: string): GrammarState | null {
    let state: GrammarState | null = this;
    for (let i = 0; i < text.length && state !== null; i++) state = state.step(text.charCodeAt(i));
    return state;
  }
}

/** Pushes onto `out` the stacks `stack` turns into once every leading rule reference is expanded. */
function expand(grammar: Grammar, stack: Stack, out: Stack[], depth: number): void {
  if (stack === null) {
    out.push(null);
    return;
  }
  const element = stack.sequence[stack.position]!;
  if (element.kind !== "ref") {
    out.push(stack);
    return;
  }
  expandRule(grammar, element.rule, advance(stack), out, depth + 1);
}

function expandRule(grammar: Grammar, rule: number, continuation: Stack, out: Stack[], depth: number): void {
  if (depth > MAX_EXPANSION_DEPTH) {
    throw new RangeError(`grammar rule "${grammar.names[rule]}" is left-recursive or nested too deeply`);
  }
  for (const alternative of grammar.rules[rule]!) {
    if (alternative.length === 0) expand(grammar, continuation, out, depth);
    else expand(grammar, { sequence: alternative, position: 0, next: continuation }, out, depth);
  }
}

function dedupe(stacks: readonly Stack[]): Stack[] {
  const seen = new Set<string>();
  const unique: Stack[] = [];
  for (const stack of stacks) {
    const key = stackKey(stack);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(stack);
  }
  return unique;
}
