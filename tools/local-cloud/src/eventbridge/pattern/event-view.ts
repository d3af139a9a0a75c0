import { parseIp, type IpBytes } from './ip';
import { toMicros } from './numbers';

export type LeafValue = string | number | boolean | null;

/**
 * Which element of which event array a value came from. Two values may only be combined in one
 * match when they agree on every array they share (EventBridge's array-consistent matching: the
 * fields a rule matches inside an array of objects must come from the same element).
 */
export type Membership = readonly (readonly [array: readonly unknown[], index: number])[];

const NOT_YET = Symbol('not computed');

/** A leaf value of the event at some path, with lazily derived numeric and IP forms. */
export class Leaf {
  private microsCache: number | undefined | typeof NOT_YET = NOT_YET;
  private ipCache: IpBytes | undefined | typeof NOT_YET = NOT_YET;

  constructor(
    readonly value: LeafValue,
    readonly membership: Membership,
  ) {}

  /** The value in millionths when it is a number EventBridge can compare numerically. */
  get micros(): number | undefined {
    if (this.microsCache === NOT_YET) {
      this.microsCache = typeof this.value === 'number' ? toMicros(this.value)?.micros : undefined;
    }
    return this.microsCache;
  }

  /** The address bytes when the value is a string holding an IP literal. */
  get ip(): IpBytes | undefined {
    if (this.ipCache === NOT_YET) {
      this.ipCache = typeof this.value === 'string' ? parseIp(this.value) : undefined;
    }
    return this.ipCache;
  }
}

const NO_MEMBERSHIP: Membership = [];

/**
 * An event prepared for matching against many patterns: the leaves found at each path are
 * computed once and cached, so a bus can match one event against all its rules cheaply.
 *
 * @example
 * ```ts
 * const view = new EventView(event);
 * const targets = rules.filter((rule) => rule.pattern.matches(view));
 * ```
 */
export class EventView {
  private readonly cache = new Map<string, readonly Leaf[]>();

  constructor(readonly event: object) {}

  /** Leaves at `path`, with arrays anywhere along the way expanded (objects are not leaves). */
  leaves(path: readonly string[], cacheKey: string): readonly Leaf[] {
    let found = this.cache.get(cacheKey);
    if (!found) {
      const collected: Leaf[] = [];
      collect(this.event, path, 0, NO_MEMBERSHIP, collected);
      found = collected;
      this.cache.set(cacheKey, found);
    }
    return found;
  }
}

function collect(node: unknown, path: readonly string[], depth: number, membership: Membership, out: Leaf[]): void {
  if (Array.isArray(node)) {
    for (let index = 0; index < node.length; index++) {
      collect(node[index], path, depth, [...membership, [node, index]], out);
    }
    return;
  }
  if (depth === path.length) {
    if (node === null || typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      out.push(new Leaf(node, membership));
    }
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  // Names are dot-joined keys (event-ruler's flattening), so an event key `a.b` is the field a → b
  // as much as a nested `a: { b }` is: try the next key alone, then joined with the ones after it.
  let key = path[depth] as string;
  for (let end = depth + 1; end <= path.length; end++) {
    if (Object.prototype.hasOwnProperty.call(record, key)) collect(record[key], path, end, membership, out);
    if (end < path.length) key += `.${path[end] as string}`;
  }
}

/** True when `leaf` comes from the same element of every array it shares with `chosen`. */
export function isConsistent(chosen: Membership, leaf: Membership): boolean {
  if (chosen.length === 0 || leaf.length === 0) return true;
  for (const [array, index] of leaf) {
    for (const [otherArray, otherIndex] of chosen) {
      if (array === otherArray && index !== otherIndex) return false;
    }
  }
  return true;
}
