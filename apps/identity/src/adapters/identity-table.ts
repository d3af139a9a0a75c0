/**
 * The `identity` table (single-table design, keys from @kestrel/table-keys):
 *
 * | item | PK | SK | notes |
 * | --- | --- | --- | --- |
 * | Registration | `USER#<sub>` | `REGISTRATION` | one per user, created with its outbox item in one transaction: the idempotency record of UserRegistered |
 * | SignIn | `USER#<sub>` | `SIGNIN#<time>#<eventId>` | audit, kept 400 days (TTL) |
 * | OneTimeCodeChallenge | `SIGNIN#<userName>` | `CHALLENGE` | the current code's hash, salt, expiry, attempts; TTL a day after expiry |
 * | FailureWindow | `SIGNIN#<userName>` | `FAILURES#<window start>` | reserved failure slots of one 15-minute window; TTL a day after |
 * | Suspension | `SIGNIN#<userName>` | `SUSPENSION` | written by support (runbook); blocks sign-in |
 * | OutboxEvent | `OUTBOX#<eventId>` | `EVENT` | `source`, `detailType`, `detail` (JSON), from @kestrel/table-keys: the pipe publishes each insert; TTL 7 days |
 *
 * Sign-in guard items are keyed by the user name Cognito passes, which is
 * the sub for existing users and whatever was typed for unknown ones, so an
 * unknown user accumulates failures and locks exactly like a real one.
 */
import * as z from 'zod';
import { buildPutEventsEntry, UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import type { AnyEventContract, EventDataInput } from '@kestrel/contracts';
import {
  AlreadyExistsError,
  createItem,
  defineEntity,
  defineItemCodec,
  isConditionalCheckFailed,
  outboxItem as tableOutboxItem,
  transactionFailure,
  transactWriteInput,
  ttlAfter,
  ttlAt,
} from '@kestrel/table-keys';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OneTimeCodeChallenge } from '../domain/one-time-code';
import { failureWindow, OTP_POLICY } from '../domain/one-time-code';
import type { GuardState } from '../domain/sign-in-guard';
import type { UserRegistered } from '../domain/registration';

export const PRODUCER = 'identity';
const DAY = 86_400;
export const SIGN_IN_AUDIT_TTL_SECONDS = 400 * DAY;

const Registration = defineEntity({
  name: 'Registration',
  key: ({ userId }: { userId: string }) => ({ PK: ['USER', userId], SK: ['REGISTRATION'] }),
});
const registrationSchema = z.object({ userId: z.string(), eventId: z.string(), registeredAt: z.string(), origin: z.string() });
const registrations = defineItemCodec(Registration, registrationSchema);

const SignIn = defineEntity({
  name: 'SignIn',
  key: ({ userId, signedInAt, eventId }: { userId: string; signedInAt: string; eventId: string }) => ({ PK: ['USER', userId], SK: ['SIGNIN', signedInAt, eventId] }),
});
const signInSchema = z.object({ userId: z.string(), signedInAt: z.string(), eventId: z.string(), clientId: z.string(), method: z.string(), newDevice: z.boolean() });
const signIns = defineItemCodec(SignIn, signInSchema);

const Challenge = defineEntity({
  name: 'OneTimeCodeChallenge',
  key: ({ userName }: { userName: string }) => ({ PK: ['SIGNIN', userName], SK: ['CHALLENGE'] }),
});
const challengeSchema = z.object({
  userName: z.string(),
  challengeId: z.string(),
  codeHash: z.string().optional(),
  salt: z.string(),
  expiresAt: z.string(),
  attempts: z.number().int().min(0),
  answeredAt: z.string().optional(),
});
const challenges = defineItemCodec(Challenge, challengeSchema);

const FailureWindow = defineEntity({
  name: 'FailureWindow',
  key: ({ userName, windowStartsAt }: { userName: string; windowStartsAt: string }) => ({ PK: ['SIGNIN', userName], SK: ['FAILURES', windowStartsAt] }),
});
const Suspension = defineEntity({
  name: 'Suspension',
  key: ({ userName }: { userName: string }) => ({ PK: ['SIGNIN', userName], SK: ['SUSPENSION'] }),
});
const suspensionSchema = z.object({ userName: z.string(), reason: z.string(), since: z.string() });
export const suspensions = defineItemCodec(Suspension, suspensionSchema);

export type SignInMethod = 'password' | 'one-time-code' | 'migration';

/**
 * The outbox item of one event: the entry is built by the contracts library
 * (validated against the contract, envelope filled, size-checked); the pipe
 * decides the bus, so the entry's bus name is a placeholder.
 */
function outboxItem<C extends AnyEventContract>(
  contract: C,
  data: EventDataInput<C>,
  meta: { eventId: string; occurredAt: string; correlationId: string; causationId: string; subject: string },
) {
  const { subject, ...metadata } = meta;
  const entry = buildPutEventsEntry(contract, data, { ...metadata, producer: PRODUCER }, { eventBusName: 'outbox', includeTime: false });
  return tableOutboxItem(entry, { eventId: meta.eventId, occurredAt: meta.occurredAt, subject });
}

/**
 * Reads and writes of the identity context, each one DynamoDB call (the
 * 5-second trigger budget has room for a few of them, not for round trips of
 * read-modify-write).
 */
export class IdentityTable {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly newId: () => string = () => globalThis.crypto.randomUUID(),
  ) {}

  /**
   * Records the registration and its UserRegistered outbox item in one
   * transaction, unless the user is registered already: whatever Cognito
   * retries, one registration and one event per `sub`.
   */
  async registerOnce(registration: UserRegistered, causationId: string): Promise<'registered' | 'already-registered'> {
    const eventId = this.newId();
    const writes = [
      createItem({ tableName: this.tableName, item: registrations.toItem({ userId: registration.userId, eventId, registeredAt: registration.registeredAt, origin: registration.origin }) }),
      createItem({
        tableName: this.tableName,
        item: outboxItem(UserRegisteredV1, registration, {
          eventId,
          occurredAt: registration.registeredAt,
          correlationId: `user-${registration.userId}`,
          causationId,
          subject: registration.userId,
        }),
      }),
    ];
    try {
      await this.documents.send(new TransactWriteCommand(transactWriteInput(writes)));
      return 'registered';
    } catch (error) {
      const mapped = transactionFailure(error, writes);
      if (mapped instanceof AlreadyExistsError && mapped.key.SK === 'REGISTRATION') return 'already-registered';
      throw mapped;
    }
  }

  /** True when the user's registration exists (strongly consistent). */
  async isRegistered(userId: string): Promise<boolean> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: Registration.key({ userId }), ConsistentRead: true, ProjectionExpression: 'PK' }));
    return Item !== undefined;
  }

  /** The sign-in audit item and its UserSignedIn outbox item, in one transaction. */
  async recordSignIn(signIn: { userId: string; clientId: string; method: SignInMethod; newDevice: boolean; signedInAt: string }, causationId: string): Promise<string> {
    const eventId = this.newId();
    const writes = [
      createItem({ tableName: this.tableName, item: signIns.toItem({ ...signIn, eventId }, { ttl: ttlAfter(SIGN_IN_AUDIT_TTL_SECONDS, new Date(signIn.signedInAt)) }) }),
      createItem({
        tableName: this.tableName,
        item: outboxItem(
          UserSignedInV1,
          { userId: signIn.userId, clientId: signIn.clientId, method: signIn.method, signedInAt: signIn.signedInAt },
          { eventId, occurredAt: signIn.signedInAt, correlationId: `sign-in-${eventId}`, causationId, subject: signIn.userId },
        ),
      }),
    ];
    await this.documents.send(new TransactWriteCommand(transactWriteInput(writes))).catch((error: unknown) => {
      throw transactionFailure(error, writes);
    });
    return eventId;
  }

  /** Suspension and this window's failures for a user name: one strongly consistent Query of its partition. */
  async guardState(userName: string, now: Date): Promise<GuardState> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': Challenge.key({ userName }).PK },
        ConsistentRead: true,
      }),
    );
    const state: GuardState = {};
    const window = failureWindow(now);
    for (const item of Items) {
      if (item.SK === Suspension.key({ userName }).SK) {
        const suspension = suspensions.fromItem(item);
        state.suspension = { reason: suspension.reason, since: suspension.since };
      } else if (item.SK === FailureWindow.key({ userName, windowStartsAt: window.startsAt }).SK && typeof item.failures === 'number') {
        state.failures = { windowStartsAt: window.startsAt, count: item.failures };
      }
    }
    return state;
  }

  /**
   * Takes one failure slot of the current window before an answer is judged;
   * false when none is left (the user name is locked until the window ends).
   * Atomic: parallel answers cannot share a slot.
   */
  async reserveFailureSlot(userName: string, now: Date): Promise<boolean> {
    const window = failureWindow(now);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: FailureWindow.key({ userName, windowStartsAt: window.startsAt }),
          UpdateExpression: 'ADD failures :one SET #type = :type, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(failures) OR failures < :max',
          ExpressionAttributeNames: { '#type': 'type', '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':one': 1, ':max': OTP_POLICY.failuresPerWindow, ':type': FailureWindow.name, ':ttl': ttlAt(new Date(Date.parse(window.endsAt) + DAY * 1000)) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Gives back the slot a correct answer reserved. */
  async releaseFailureSlot(userName: string, now: Date): Promise<void> {
    const window = failureWindow(now);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: FailureWindow.key({ userName, windowStartsAt: window.startsAt }),
          UpdateExpression: 'ADD failures :minusOne',
          ConditionExpression: 'failures > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        }),
      );
    } catch (error) {
      // The window rolled over between reserve and release: nothing to give back.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Stores a new challenge for the user name, replacing any earlier one. */
  async saveChallenge(userName: string, challenge: OneTimeCodeChallenge): Promise<void> {
    const item = challenges.toItem({ userName, ...challenge }, { ttl: ttlAfter(DAY, new Date(challenge.expiresAt)) });
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item }));
  }

  /** The user name's current challenge (strongly consistent). */
  async challenge(userName: string): Promise<OneTimeCodeChallenge | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: Challenge.key({ userName }), ConsistentRead: true }));
    return Item ? withoutUserName(challenges.fromItem(Item)) : undefined;
  }

  /**
   * Counts one answer against the challenge, atomically, and returns the
   * challenge as it is after counting; undefined when the id does not match
   * (another session replaced it) or the challenge is gone.
   */
  async countAttempt(userName: string, challengeId: string): Promise<OneTimeCodeChallenge | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Challenge.key({ userName }),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'challengeId = :id',
          ExpressionAttributeValues: { ':one': 1, ':id': challengeId },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? withoutUserName(challenges.fromItem(Attributes)) : undefined;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /** Marks the challenge answered and drops its hash, so the code works once. */
  async markAnswered(userName: string, challengeId: string, now: Date): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: Challenge.key({ userName }),
        UpdateExpression: 'SET answeredAt = :now REMOVE codeHash',
        ConditionExpression: 'challengeId = :id',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':id': challengeId },
      }),
    );
  }
}

function withoutUserName(challenge: OneTimeCodeChallenge & { userName: string }): OneTimeCodeChallenge {
  const { userName: _userName, ...rest } = challenge;
  return rest;
}
