/**
 * Loads the legacy store's export into the `legacy-users` table before migration starts.
 * Input: JSON Lines, one user per line: { email, passwordHash (scrypt$N$r$p$salt$hash),
 * givenName?, familyName?, locale?, emailVerified }. Every line is validated first; nothing is
 * written if any line is invalid (the report names each bad line and field).
 *
 *   npx tsx apps/identity/scripts/load-legacy-users.ts export.jsonl kestrel-staging-identity-legacy-users
 *   (credentials and region from the environment; AWS_ENDPOINT_URL for the local cloud)
 */
import { readFileSync } from 'node:fs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../src/adapters/aws-clients';
import { legacyUsers } from '../src/adapters/legacy-users';
import { normalizeEmail } from '../src/domain/email';
import { parseScryptHash } from '../src/domain/legacy-password';
import { legacyUserSchema } from '../src/domain/migration';
import type { LegacyUser } from '../src/domain/migration';

const [file, tableName] = process.argv.slice(2);
if (!file || !tableName) {
  console.error('usage: load-legacy-users.ts <export.jsonl> <table name>');
  process.exit(2);
}

const users: LegacyUser[] = [];
const problems: string[] = [];
readFileSync(file, 'utf8')
  .split('\n')
  .forEach((line, index) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1}: not JSON`);
      return;
    }
    const parsed = legacyUserSchema.safeParse({ ...(raw as object), email: normalizeEmail(String((raw as { email?: unknown }).email ?? '')) });
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => `line ${index + 1}: ${issue.path.join('.')}: ${issue.message}`));
      return;
    }
    try {
      parseScryptHash(parsed.data.passwordHash);
    } catch (error) {
      problems.push(`line ${index + 1}: passwordHash: ${(error as Error).message}`);
      return;
    }
    users.push(parsed.data);
  });
if (problems.length > 0) {
  console.error(`Nothing written; ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const documents = documentClient();
for (let i = 0; i < users.length; i += 25) {
  let items: Record<string, unknown>[] = users.slice(i, i + 25).map((user) => ({ PutRequest: { Item: legacyUsers.toItem(user) } }));
  // BatchWriteItem may leave items unprocessed under throttling: resend them until none are left.
  for (let attempt = 0; items.length > 0; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
    const result = await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: items } }));
    items = (result.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
  }
}
console.log(`Loaded ${users.length} legacy user(s) into ${tableName}.`);
documents.destroy();
