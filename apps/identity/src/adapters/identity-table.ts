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
 * Sign-in guard items (sign-in-guard-table.ts) are keyed by the user name Cognito passes, which is
 * the sub for existing users and whatever was typed for unknown ones, so an
 * unknown user accumulates failures and locks exactly like a real one.
 */
import * as z from 'zod/mini';
import { buildPutEventsEntry, UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import type { AnyEventContract, EventDataInput } from '@kestrel/contracts';
import {
  AlreadyExistsError,
  createItem,
  defineEntity,
  defineItemCodec,
  outboxItem as tableOutboxItem,
  transactionFailure,
  transactWriteInput,
  ttlAfter,
} from '@kestrel/table-keys';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { UserRegistered } from '../domain/registration';
import type { PublishedEventIds } from './trigger-runtime';

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

export type SignInMethod = 'password' | 'one-time-code' | 'migration';

/**
 * The outbox item of one event: the entry is built by the contracts library
 * (validated against the contract, envelope filled, size-checked); the pipe
 * decides the bus, so the entry's bus name is a placeholder.
 */
function outboxItem<C extends AnyEventContract>(
  contract: C,
  data: EventDataInput<C>,
  meta: PublishedEventIds & { eventId: string; occurredAt: string; subject: string },
) {
  const { subject, ...metadata } = meta;
  const entry = buildPutEventsEntry(contract, data, { ...metadata, producer: PRODUCER }, { eventBusName: 'outbox', includeTime: false });
  return tableOutboxItem(entry, { eventId: meta.eventId, occurredAt: meta.occurredAt, subject });
}

/** Registrations and sign-ins with their outbox items: each write one transaction, one DynamoDB call. */
export class IdentityTable {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly newId: () => string = () => globalThis.crypto.randomUUID(),
  ) {}

  /**
   * Records the registration and its UserRegistered outbox item in one
   * transaction, unless the user is registered already: whatever Cognito
   * retries, one registration and one event per `sub`. `ids`: correlation, causation and trace
   * ids of the event (the trigger's `eventIds`).
   */
  async registerOnce(registration: UserRegistered, ids: PublishedEventIds): Promise<'registered' | 'already-registered'> {
    const eventId = this.newId();
    const writes = [
      createItem({ tableName: this.tableName, item: registrations.toItem({ userId: registration.userId, eventId, registeredAt: registration.registeredAt, origin: registration.origin }) }),
      createItem({
        tableName: this.tableName,
        item: outboxItem(UserRegisteredV1, registration, { ...ids, eventId, occurredAt: registration.registeredAt, subject: registration.userId }),
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
  async recordSignIn(signIn: { userId: string; clientId: string; method: SignInMethod; newDevice: boolean; signedInAt: string }, ids: PublishedEventIds): Promise<string> {
    const eventId = this.newId();
    const writes = [
      createItem({ tableName: this.tableName, item: signIns.toItem({ ...signIn, eventId }, { ttl: ttlAfter(SIGN_IN_AUDIT_TTL_SECONDS, new Date(signIn.signedInAt)) }) }),
      createItem({
        tableName: this.tableName,
        item: outboxItem(
          UserSignedInV1,
          { userId: signIn.userId, clientId: signIn.clientId, method: signIn.method, signedInAt: signIn.signedInAt },
          { ...ids, eventId, occurredAt: signIn.signedInAt, subject: signIn.userId },
        ),
      }),
    ];
    await this.documents.send(new TransactWriteCommand(transactWriteInput(writes))).catch((error: unknown) => {
      throw transactionFailure(error, writes);
    });
    return eventId;
  }
}
