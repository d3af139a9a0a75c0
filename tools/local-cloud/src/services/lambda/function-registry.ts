/**
 * The functions of the local cloud by name, how callers name them (name,
 * ARN, partial ARN, each with an optional `:qualifier`), and the concurrency
 * gate: a function with reserved concurrency gets exactly that many
 * environments (0 = always throttled); the others share a local pool.
 */
import type { LocalFunction } from './local-function';

export interface FunctionReference {
  name: string;
  qualifier?: string;
}

const FULL_ARN = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::([\w$-]+))?$/;
const PARTIAL_ARN = /^\d{12}:function:([A-Za-z0-9_-]+)(?::([\w$-]+))?$/;
const NAME = /^([A-Za-z0-9_-]+)(?::([\w$-]+))?$/;

/**
 * Splits what a caller passed as `FunctionName` into name and qualifier.
 *
 * @example
 * parseFunctionReference('arn:aws:lambda:us-east-1:000000000000:function:orders:$LATEST') // { name: 'orders', qualifier: '$LATEST' }
 * parseFunctionReference('orders') // { name: 'orders' }
 */
export function parseFunctionReference(reference: string): FunctionReference | undefined {
  const match = FULL_ARN.exec(reference) ?? PARTIAL_ARN.exec(reference) ?? NAME.exec(reference);
  if (!match) return undefined;
  return match[2] ? { name: match[1] as string, qualifier: match[2] } : { name: match[1] as string };
}

export type AcquireOutcome = 'acquired' | 'reserved-limit' | 'pool-limit';

export class FunctionRegistry {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly releaseListeners: Array<() => void> = [];

  constructor(
    /** Concurrent environments shared by functions without reserved concurrency. */
    readonly unreservedPoolSize: number,
  ) {}

  get(name: string): LocalFunction | undefined {
    return this.functions.get(name);
  }

  set(fn: LocalFunction): void {
    this.functions.set(fn.name, fn);
  }

  delete(name: string): void {
    this.functions.delete(name);
  }

  all(): LocalFunction[] {
    return [...this.functions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The function a name or ARN refers to, if deployed. */
  lookup(reference: string): { fn: LocalFunction; qualifier?: string } | undefined {
    const parsed = parseFunctionReference(reference);
    const fn = parsed && this.functions.get(parsed.name);
    return fn && parsed ? { fn, qualifier: parsed.qualifier } : undefined;
  }

  private unreservedInFlight(): number {
    let total = 0;
    for (const fn of this.functions.values()) if (fn.settings.reservedConcurrency === undefined) total += fn.inFlight;
    return total;
  }

  /** Takes a concurrency slot for one invocation, or says which limit refused it. */
  tryAcquire(fn: LocalFunction): AcquireOutcome {
    const reserved = fn.settings.reservedConcurrency;
    if (reserved !== undefined) {
      if (fn.inFlight >= reserved) return 'reserved-limit';
    } else if (this.unreservedInFlight() >= this.unreservedPoolSize) {
      return 'pool-limit';
    }
    fn.inFlight += 1;
    return 'acquired';
  }

  release(fn: LocalFunction): void {
    fn.inFlight = Math.max(0, fn.inFlight - 1);
    for (const listener of this.releaseListeners) listener();
  }

  /** Called after every release (the async queue waits for free slots). */
  onRelease(listener: () => void): void {
    this.releaseListeners.push(listener);
  }
}
