// What can go wrong in a use case, independent of how it was invoked (HTTP or event). Each
// adapter maps these to its own terms (HTTP status, retry or not).

/** No profile has this id. */
export class CustomerNotFoundError extends Error {
  constructor(readonly customerId: string) {
    super(`No customer ${customerId}`);
    this.name = 'CustomerNotFoundError';
  }
}

/** The actor may not do this; `reason` says why (safe to show). */
export class ForbiddenError extends Error {
  constructor(readonly reason: string) {
    super(`Forbidden: ${reason}`);
    this.name = 'ForbiddenError';
  }
}

/** The caller's precondition (If-Match) names another version than the current one. */
export class PreconditionFailedError extends Error {
  constructor(
    readonly customerId: string,
    readonly currentVersion: number,
  ) {
    super(`Customer ${customerId} is at version ${currentVersion}, not the one the request was based on`);
    this.name = 'PreconditionFailedError';
  }
}

/** A profile with this id already exists. */
export class CustomerExistsError extends Error {
  constructor(readonly customerId: string) {
    super(`Customer ${customerId} already exists`);
    this.name = 'CustomerExistsError';
  }
}

/** Other writers kept changing the customer while this request retried; nothing was written. */
export class ConcurrentModificationError extends Error {
  constructor(
    readonly customerId: string,
    readonly attempts: number,
  ) {
    super(`Customer ${customerId} changed concurrently ${attempts} times; nothing was written`);
    this.name = 'ConcurrentModificationError';
  }
}
