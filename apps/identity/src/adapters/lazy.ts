/**
 * A value built on first use and kept for the execution environment's life:
 * handler modules stay importable without configuration (tests build their
 * own dependencies), and production builds clients once, on the first call.
 */
export function lazy<T>(build: () => T): () => T {
  let value: { built: T } | undefined;
  return () => (value ??= { built: build() }).built;
}
