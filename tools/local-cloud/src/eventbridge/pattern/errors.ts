/**
 * The error EventBridge reports for a malformed event pattern (`InvalidEventPatternException`).
 *
 * `message` follows the AWS shape (`Event pattern is not valid. Reason: ...`); `reason` is the bare
 * reason and `path` names the offending place in the pattern (for example `detail.state[0]`), so
 * callers can report field-level errors without parsing the message.
 *
 * @example
 * ```ts
 * try {
 *   compileEventPattern({ source: [] });
 * } catch (error) {
 *   if (error instanceof InvalidEventPatternError) console.log(error.reason, error.path);
 *   // "Empty arrays are not allowed" "source"
 * }
 * ```
 */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';

  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`Event pattern is not valid. Reason: ${reason}${path ? `\n at [path: ${path}]` : ''}`);
  }
}
