/**
 * A context-free grammar over UTF-16 code units, in the spirit of llama.cpp's GBNF: rules are lists of
 * alternatives, an alternative is a sequence of elements, and repetition is written with (right-)recursive
 * rules. It constrains generated text character by character (`GrammarState`).
 */

/** Matches one code unit in (or, when `negated`, outside) the inclusive `ranges` (flat `[lo, hi, lo, hi, ...]`). */
export interface CharsElement {
  readonly kind: "chars";
  readonly ranges: readonly number[];
  readonly negated: boolean;
}

/** Expands to one of the alternatives of rule `rule`. */
export interface RefElement {
  readonly kind: "ref";
  readonly rule: number;
}

/**
 * Any text at all, up to the end of the output (zero or more code units of any value). Only valid where
 * nothing may follow: at the end of an alternative that ends the whole text.
 */
export interface RestElement {
  readonly kind: "rest";
}

/** One element of an alternative. */
export type GrammarElement = CharsElement | RefElement | RestElement;

/** A sequence of elements; the empty sequence matches the empty text. */
export type GrammarSequence = readonly GrammarElement[];

/** A finished grammar: `rules[i]` lists the alternatives of rule `i`; `names[i]` names it (for messages). */
export interface Grammar {
  readonly rules: readonly (readonly GrammarSequence[])[];
  readonly names: readonly string[];
  readonly root: number;
}

/** The element matching any text up to the end of the output. */
export const REST: RestElement = { kind: "rest" };

/** A character class over inclusive code-unit ranges given as `[lo, hi]` pairs (or single code units). */
export function charClass(ranges: readonly (number | readonly [number, number])[], negated = false): CharsElement {
  const flat: number[] = [];
  for (const range of ranges) {
    if (typeof range === "number") flat.push(range, range);
    else flat.push(range[0], range[1]);
  }
  return { kind: "chars", ranges: flat, negated };
}

/** A class of the given characters (each code unit of `chars`), or all others when `negated`. */
export function charsOf(chars: string, negated = false): CharsElement {
  const units: number[] = [];
  for (let i = 0; i < chars.length; i++) units.push(chars.charCodeAt(i));
  return charClass(units, negated);
}

/** The elements matching exactly `text`. */
export function literal(text: string): GrammarElement[] {
  const elements: GrammarElement[] = [];
  for (let i = 0; i < text.length; i++) elements.push(charClass([text.charCodeAt(i)]));
  return elements;
}

/** Whether code unit `unit` is matched by `element`. */
export function matchesChar(element: CharsElement, unit: number): boolean {
  const ranges = element.ranges;
  let inside = false;
  for (let i = 0; i < ranges.length; i += 2) {
    if (unit >= ranges[i]! && unit <= ranges[i + 1]!) {
      inside = true;
      break;
    }
  }
  return inside !== element.negated;
}

/** Builds a `Grammar` rule by rule; rules can be reserved first and defined later (for recursion). */
export class GrammarBuilder {
  private readonly rules: (GrammarSequence[] | undefined)[] = [];
  private readonly names: string[] = [];
  private readonly shared = new Map<string, RefElement>();

  /** Reserves a rule named `name` (a number is appended when the name is taken) and returns a reference to it. */
  reserve(name: string): RefElement {
    let unique = name;
    for (let n = 2; this.names.includes(unique); n++) unique = `${name}-${n}`;
    this.rules.push(undefined);
    this.names.push(unique);
    return { kind: "ref", rule: this.rules.length - 1 };
  }

  /** Sets the alternatives of a reserved rule. */
  define(ref: RefElement, alternatives: readonly GrammarSequence[]): RefElement {
    if (this.rules[ref.rule] !== undefined)
      throw new RangeError(`grammar rule "${this.names[ref.rule]}" is already defined`);
    this.rules[ref.rule] = alternatives.map((alternative) => [...alternative]);
    return ref;
  }

  /** Reserves and defines a rule at once. */
  rule(name: string, alternatives: readonly GrammarSequence[]): RefElement {
    return this.define(this.reserve(name), alternatives);
  }

  /** The rule registered under `key`, created by `make` on first use (for rules shared by several schemas). */
  sharedRule(key: string, make: (ref: RefElement) => readonly GrammarSequence[]): RefElement {
    let ref = this.shared.get(key);
    if (ref === undefined) {
      ref = this.reserve(key);
      this.shared.set(key, ref);
      this.define(ref, make(ref));
    }
    return ref;
  }

  /** A rule matching `element` zero or more times. */
  star(name: string, element: GrammarElement): RefElement {
    const ref = this.reserve(name);
    return this.define(ref, [[element, ref], []]);
  }

  /** A rule matching `element` between zero and `max` times. */
  upTo(name: string, element: GrammarElement, max: number): RefElement {
    let next = this.rule(`${name}-0`, [[]]);
    for (let count = 1; count <= max; count++) next = this.rule(`${name}-${count}`, [[element, next], []]);
    return next;
  }

  /** The finished grammar with `root` as its start rule; throws when a reserved rule was never defined. */
  build(root: RefElement): Grammar {
    const rules = this.rules.map((alternatives, index) => {
      if (alternatives === undefined)
        throw new RangeError(`grammar rule "${this.names[index]}" was reserved but never defined`);
      return alternatives;
    });
    return { rules, names: [...this.names], root: root.rule };
  }
}

interface ExclusionNode {
  children: Map<number, ExclusionNode>;
  excluded: boolean;
}

/**
 * A rule matching any text (including the empty text) that does not start with one of `excluded`:
 * text that follows an excluded string while it can still become one, and is free as soon as it leaves them.
 */
export function textNotStartingWith(builder: GrammarBuilder, name: string, excluded: readonly string[]): RefElement {
  const root: ExclusionNode = { children: new Map(), excluded: false };
  for (const text of excluded) {
    let node = root;
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      let child = node.children.get(unit);
      if (child === undefined) {
        child = { children: new Map(), excluded: false };
        node.children.set(unit, child);
      }
      node = child;
    }
    node.excluded = true;
  }
  const build = (node: ExclusionNode): RefElement => {
    const alternatives: GrammarSequence[] = [[]];
    alternatives.push([charClass([...node.children.keys()], true), REST]);
    for (const [unit, child] of node.children) {
      if (!child.excluded) alternatives.push([charClass([unit]), build(child)]);
    }
    return builder.rule(name, alternatives);
  };
  return build(root);
}
