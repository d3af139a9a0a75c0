/**
 * A deterministic random source (mulberry32): the same seed gives the same
 * sequence, so fault injection in tests and benchmark workloads repeat exactly.
 *
 * @example
 * const next = seededRandom(42);
 * next(); // a number in [0, 1), the same on every run
 */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
