/**
 * Where an EventBridge event came from, checked before a consumer creates data
 * from it. The bus policy already refuses `kestrel.*` sources from any other
 * account (infra/platform), but `source` is a string the publisher chooses: a
 * consumer that creates a profile from `UserRegistered` also requires that the
 * event was put by a principal of its own account (EventBridge sets `account`
 * to the publisher's account; nobody can choose it), which is where identity
 * publishes from.
 */

/** The event was put on the bus by another AWS account than the consumer's own. */
export class ForeignEventError extends Error {
  override readonly name = 'ForeignEventError';
}

/** The account id of a Lambda function's ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). */
export function accountOfFunction(invokedFunctionArn: string): string {
  const account = invokedFunctionArn.split(':')[4];
  if (account === undefined || !/^\d{12}$/.test(account)) throw new Error(`Cannot read the account id from the function ARN "${invokedFunctionArn}"`);
  return account;
}

/**
 * Refuses an event whose `account` is not the consumer's own.
 *
 * @throws {@link ForeignEventError} naming both accounts and the event.
 * @example
 * ```ts
 * assertPublishedByOwnAccount(raw, context.invokedFunctionArn);
 * ```
 */
export function assertPublishedByOwnAccount(event: unknown, invokedFunctionArn: string): void {
  const own = accountOfFunction(invokedFunctionArn);
  const { account, source, id } = (event ?? {}) as { account?: unknown; source?: unknown; id?: unknown };
  if (account !== own) {
    throw new ForeignEventError(`Event ${String(id)} (source ${String(source)}) was put by account ${String(account)}, not by this account (${own}): refused`);
  }
}
