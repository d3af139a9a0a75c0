/**
 * A trigger's deliberate "no": Cognito shows `message` to the app (as
 * `UserLambdaValidationException: <Trigger> failed with error <message>.`), so
 * it is written for the person using the app. `field` names the attribute at
 * fault for logs and tests; it never carries the submitted value.
 */
export class TriggerRejection extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'TriggerRejection';
  }
}

/** True for a {@link TriggerRejection} (also across bundles, where `instanceof` may not hold). */
export function isTriggerRejection(error: unknown): error is TriggerRejection {
  return error instanceof TriggerRejection || (error instanceof Error && error.name === 'TriggerRejection');
}
