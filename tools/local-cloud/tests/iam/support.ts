import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { lambdaModuleFactory } from '../../src/services/lambda';
import { createSqsModule } from '../../src/services/sqs';
import { createSsmModule } from '../../src/services/ssm';
import { createStsModule } from '../../src/services/sts';
import type { FixtureStack } from '../lambda/support';

/** A local cloud with IAM enforced and the modules the Lambda fixture stack uses, that stack applied. */
export async function startEnforcedFixtureCloud(stack: FixtureStack): Promise<LocalCloud> {
  const cloud = await startLocalCloud({
    inMemory: true,
    dataDir: join(stack.root, 'data'),
    iam: 'enforce',
    modules: [createSsmModule, createDynamoDbModule, createSqsModule, createEventBridgeModule, lambdaModuleFactory({ runtimes: { fetchMissing: true } }), createStsModule],
  });
  await cloud.applyStacks([stack.stackDir]);
  return cloud;
}

/** Signs like an SDK would, independently of the verifier's own canonicalisation for the simple case. */
export function sign(accessKeyId: string, secret: string, body: string, extraHeaders: Record<string, string> = {}, date = '20261207T060000Z') {
  const hash = (text: string) => createHash('sha256').update(text).digest('hex');
  const headers: Record<string, string> = { host: 'localhost:4566', 'x-amz-date': date, 'x-amz-target': 'DynamoDB_20120810.GetItem' };
  const signedHeaders = 'host;x-amz-date;x-amz-target';
  const canonical = ['POST', '/', '', ...Object.keys(headers).sort().map((name) => `${name}:${headers[name]}`), '', signedHeaders, hash(body)].join('\n');
  const scope = `${date.slice(0, 8)}/eu-west-1/dynamodb/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, hash(canonical)].join('\n');
  let key: Buffer | string = `AWS4${secret}`;
  for (const part of [date.slice(0, 8), 'eu-west-1', 'dynamodb', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return { ...headers, ...extraHeaders, authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` };
}
