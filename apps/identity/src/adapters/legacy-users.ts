/**
 * The legacy user store's export: one item per user, keyed by normalised
 * email (`LEGACY_USER#<email>` / `PROFILE`). Only the migration trigger may
 * read it; nothing in this service writes it (the export is loaded once by
 * `scripts/load-legacy-users.ts` before migration starts).
 */
import { defineEntity, defineItemCodec } from '@kestrel/table-keys';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { legacyUserSchema } from '../domain/migration';
import type { LegacyUser } from '../domain/migration';

export const LegacyUserEntity = defineEntity({
  name: 'LegacyUser',
  key: ({ email }: { email: string }) => ({ PK: ['LEGACY_USER', email], SK: ['PROFILE'] }),
});
export const legacyUsers = defineItemCodec(LegacyUserEntity, legacyUserSchema);

export class LegacyUsersTable {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** The legacy user with this normalised email, if any. A malformed record counts as none (and is logged by the caller's failure path only if it throws). */
  async find(email: string): Promise<LegacyUser | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: LegacyUserEntity.key({ email }) }));
    if (!Item) return undefined;
    const parsed = legacyUserSchema.safeParse(Object.fromEntries(Object.entries(Item).filter(([name]) => !['PK', 'SK', 'type', 'version', 'ttl'].includes(name))));
    return parsed.success ? parsed.data : undefined;
  }
}
