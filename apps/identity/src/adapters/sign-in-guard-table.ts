/**
 * Sign-in guard items of the `identity` table (see identity-table.ts for the
 * whole layout): one-time-code challenges, failure windows and suspensions,
 * all in the partition `SIGNIN#<userName>`. Kept apart from the outbox
 * writers so the pre-authentication and challenge bundles carry no event
 * contracts.
 */
import * as z from 'zod/mini';
import { defineEntity, defineItemCodec, isConditionalCheckFailed, ttlAfter, ttlAt } from '@kestrel/table-keys';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OneTimeCodeChallenge } from '../domain/one-time-code';
import { failureWindow, OTP_POLICY } from '../domain/one-time-code';
import type { GuardState } from '../domain/sign-in-guard';

const DAY = 86_400;

const Challenge = defineEntity({
  name: 'OneTimeCodeChallenge',
  key: ({ userName }: { userName: string }) => ({ PK: ['SIGNIN', userName], SK: ['CHALLENGE'] }),
});
const challengeSchema = z.object({
  userName: z.string(),
  challengeId: z.string(),
  codeHash: z.optional(z.string()),
  salt: z.string(),
  expiresAt: z.string(),
  attempts: z.int().check(z.minimum(0)),
  answeredAt: z.optional(z.string()),
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

/**
 * Reads and writes of sign-in guards, each one DynamoDB call (the 5-second
 * trigger budget has room for a few, not for read-modify-write round trips).
 */
export class SignInGuardTable {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Suspension, this window's failures and the current challenge of a user name: one strongly consistent Query of its partition. */
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
      } else if (item.SK === Challenge.key({ userName }).SK) {
        state.challenge = withoutUserName(challenges.fromItem(item));
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
