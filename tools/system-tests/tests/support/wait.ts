/**
 * Polls `probe` until it returns a value (not `undefined`), or throws after `timeoutMs` with
 * `describe()`'s account of what was last seen, so a failed wait says what was missing.
 *
 * @example
 * const profile = await waitFor(() => getProfile(), { timeoutMs: 30_000, what: 'the customer profile', describe: () => lastStatus });
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  options: { timeoutMs: number; intervalMs?: number; what: string; describe?: () => string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Gave up waiting for ${options.what} after ${options.timeoutMs} ms${options.describe ? `: ${options.describe()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
  }
}
