/**
 * What every trigger handler shares: parse the event with its schema, run
 * the trigger's logic, return the event with the new `response`, and turn
 * every failure into a deliberate, clear message. Cognito shows a Lambda
 * error's message to the app (`<Trigger> failed with error <message>.`), so:
 *
 * - a malformed or hostile event is refused as "Invalid request: <path>: <problem>";
 * - a domain rejection carries the words written for the person;
 * - anything unexpected is logged with its details and answered with a
 *   generic "please try again" (Cognito retries, and the next try usually works),
 *   never a stack trace or an internal message.
 */
import type * as z from 'zod/mini';
import { currentObservability } from '@kestrel/observability';
import { isTriggerRejection } from '../domain/rejection';

export const TEMPORARY_FAILURE_MESSAGE = 'Sorry, something went wrong on our side. Please try again.';

/** The Lambda context fields triggers use. */
export interface InvocationContext {
  awsRequestId?: string;
}

/** Correlation, causation and trace ids for an event this invocation publishes. */
export interface PublishedEventIds {
  correlationId: string;
  causationId: string;
  traceparent?: string;
}

/** What a trigger's logic receives besides the parsed event. */
export interface TriggerInvocation {
  /** The Lambda request id: the causation id of events this invocation produces. */
  requestId: string;
  now: Date;
  /**
   * Ids for the events this invocation publishes (from `withObservability` when the handler is
   * wrapped): causation = the request id, `traceparent` = this invocation's span, correlation =
   * the app's `ClientMetadata.correlationId` when it sent one, else `flowId` when given (and the
   * rest of the invocation then logs under it), else the request id.
   *
   * @example
   * await table.registerOnce(registration, eventIds(`user-${registration.userId}`));
   */
  eventIds(flowId?: string): PublishedEventIds;
}

/** A trigger refused the invocation; Cognito shows `message` to the app. */
export class CognitoTriggerError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid-event' | 'rejected' | 'failed',
  ) {
    super(message);
    this.name = kind === 'failed' ? 'TemporaryFailure' : 'Rejected';
  }
}

type Log = (line: Record<string, unknown>) => void;

/** Through the wrapper's logger when wrapped (the line gets correlation and trace ids), else one JSON line. */
const defaultLog: Log = (line) => {
  const logger = currentObservability()?.logger;
  if (!logger) {
    console.log(JSON.stringify(line));
    return;
  }
  // The wrapper's `trigger` key says `cognito`; which Cognito trigger this is goes under its own name.
  const { level, trigger, ...rest } = line;
  const fields = { cognito_trigger: trigger, ...rest };
  const message = `trigger ${String(rest.outcome)}`;
  if (level === 'ERROR') logger.error(message, fields);
  else if (level === 'WARN') logger.warn(message, fields);
  else logger.info(message, fields);
};

/**
 * For a Cognito trigger the wrapper's correlation id is the app's `ClientMetadata.correlationId`,
 * or else the request id (its cause id): only in the second case does `flowId` take over.
 */
function eventIdsOf(requestId: string): (flowId?: string) => PublishedEventIds {
  return (flowId) => {
    const observability = currentObservability();
    if (!observability) return { correlationId: flowId ?? requestId, causationId: requestId };
    const ids = observability.eventMetadata();
    const appSentOne = observability.correlationId !== observability.causeId;
    if (flowId === undefined || appSentOne) return { correlationId: ids.correlationId, causationId: ids.causationId, ...(ids.traceparent ? { traceparent: ids.traceparent } : {}) };
    observability.logger.setCorrelationId(flowId);
    return { correlationId: flowId, causationId: ids.causationId, ...(ids.traceparent ? { traceparent: ids.traceparent } : {}) };
  };
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : 'event'}: ${issue.message}`)
    .join('; ');
}

export interface TriggerOptions {
  log?: Log;
  clock?: () => Date;
  /**
   * Answer (or refuse) no sooner than this many milliseconds after the event
   * arrived, whatever the outcome: the sign-in paths of known and unknown
   * users then take the same time (see SIGN_IN_ANSWER_FLOOR_MS).
   */
  answerFloorMs?: number;
  /** Waits; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic milliseconds; replaced in tests. */
  monotonicMs?: () => number;
}

/**
 * The floor of the two triggers a password sign-in meets first: pre
 * authentication (a user Cognito knows) and user migration (one it does not,
 * which spends a scrypt verification against the legacy store or a dummy
 * hash). Without it an unknown email answered ~100 ms slower than a wrong
 * password, which told who has an account. Above the migration's scrypt cost
 * (N=16384, r=8: tens of milliseconds) with room for a slow invocation.
 */
export const SIGN_IN_ANSWER_FLOOR_MS = 250;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps one trigger's logic as a Lambda handler.
 *
 * @example
 * export const handler = cognitoTrigger('PreSignUp', preSignUpEvent, async (event) => {
 *   decideSignUp(…); // throws TriggerRejection to refuse
 *   return { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
 * });
 */
export function cognitoTrigger<S extends z.ZodMiniType<{ triggerSource: string }>, R>(
  trigger: string,
  schema: S,
  run: (event: z.output<S>, invocation: TriggerInvocation) => Promise<R> | R,
  options: TriggerOptions = {},
): (raw: unknown, context?: InvocationContext) => Promise<Record<string, unknown> & { response: R }> {
  const log = options.log ?? defaultLog;
  const clock = options.clock ?? (() => new Date());
  const monotonic = options.monotonicMs ?? (() => performance.now());
  const sleep = options.sleep ?? realSleep;
  const floored = async <T>(startedAt: number, outcome: () => Promise<T>): Promise<T> => {
    try {
      return await outcome();
    } finally {
      const remaining = (options.answerFloorMs ?? 0) - (monotonic() - startedAt);
      if (remaining > 0) await sleep(remaining);
    }
  };
  return async (raw, context) => floored(monotonic(), async () => {
    const started = Date.now();
    const parsed = schema.safeParse(raw);
    const triggerSource = typeof (raw as { triggerSource?: unknown })?.triggerSource === 'string' ? String((raw as { triggerSource: string }).triggerSource).slice(0, 64) : undefined;
    if (!parsed.success) {
      const detail = describeIssues(parsed.error);
      log({ level: 'WARN', trigger, triggerSource, outcome: 'invalid-event', detail });
      throw new CognitoTriggerError(`Invalid request: ${detail}`, 'invalid-event');
    }
    try {
      const requestId = context?.awsRequestId ?? currentObservability()?.causeId ?? `local-${globalThis.crypto.randomUUID()}`;
      const response = await run(parsed.data, { requestId, now: clock(), eventIds: eventIdsOf(requestId) });
      log({ level: 'INFO', trigger, triggerSource, outcome: 'ok', durationMs: Date.now() - started });
      return { ...(raw as Record<string, unknown>), response };
    } catch (error) {
      if (isTriggerRejection(error)) {
        log({ level: 'INFO', trigger, triggerSource, outcome: 'rejected', field: error.field, reason: error.message });
        // Cognito refuses only when the trigger throws, so Lambda's Errors metric counts this: the
        // wrapper records it as outcome:rejected instead, outside the error rate and the SLOs.
        currentObservability()?.markRejected({ cognito_trigger: trigger, field: error.field });
        throw new CognitoTriggerError(error.message, 'rejected');
      }
      log({
        level: 'ERROR',
        trigger,
        triggerSource,
        outcome: 'failed',
        error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
      });
      throw new CognitoTriggerError(TEMPORARY_FAILURE_MESSAGE, 'failed');
    }
  });
}

/** A required environment variable, or a failure naming it (surfaces at cold start, in the logs). */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set`);
  return value;
}
