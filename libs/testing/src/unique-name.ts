import { randomBytes } from 'node:crypto';

let counter = 0;

/**
 * A name unique across test files, workers and repeated runs against a shared local
 * service: `<prefix>-<pid>-<counter>-<random>`. Only characters DynamoDB, S3 and SQS
 * all accept are used.
 *
 * @example
 * ```ts
 * uniqueName('customers'); // 'customers-41233-1-9f2c1a'
 * ```
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  const safePrefix = prefix.replace(/[^a-zA-Z0-9-]/g, '-');
  return `${safePrefix}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}
