import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environment } from '@kestrel/infra-constructs/environments';
import { ServiceStack } from '@kestrel/infra-constructs/service/service-stack';
import { synthStack, testApp } from '@kestrel/infra-constructs/testing';
import { defineService } from '@kestrel/service-manifest';
import { stackFromJson, type LoadedStack, type TerraformJson } from '../../src/stack';

/**
 * A service using every trigger kind the stack construct knows (HTTP, subscription delivered
 * directly and through an SQS queue, schedule, Cognito, DynamoDB stream, outbox), so the walker meets every watched resource type it produces;
 * two HTTP functions, one with two routes (public and JWT) on one integration.
 * Named `customers` because monitor generation needs an ownership entry.
 */
export const everyTriggerManifest = defineService({
  name: 'customers',
  description: 'Fixture exercising every trigger kind for monitor generation.',
  owner: { team: 'customer-experience' },
  functions: {
    'http-get-thing': {
      description: 'Answers one HTTP route.',
      handler: 'src/handlers/http-get-thing.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/things/{id}', auth: 'jwt' }],
      timeoutSeconds: 6,
      access: { tables: [{ table: 'things', mode: 'read' }] },
    },
    'http-list-things': {
      description: 'Answers two routes (one public) through one integration.',
      handler: 'src/handlers/http-list-things.ts',
      triggers: [
        { kind: 'http', method: 'GET', path: '/things', auth: 'jwt' },
        { kind: 'http', method: 'GET', path: '/public/things', auth: 'none' },
      ],
      access: { tables: [{ table: 'things', mode: 'read' }] },
    },
    'on-user-registered': {
      description: 'Consumes one contract version.',
      handler: 'src/handlers/on-user-registered.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered' }],
      access: { tables: [{ table: 'things', mode: 'write' }] },
    },
    'on-user-registered-batch': {
      description: 'Consumes the same contract in batches from an SQS queue.',
      handler: 'src/handlers/on-user-registered-batch.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered-batches' }],
      timeoutSeconds: 30,
    },
    'schedule-sweep': {
      description: 'Runs on a schedule every hour.',
      handler: 'src/handlers/schedule-sweep.ts',
      triggers: [{ kind: 'schedule', expression: 'rate(1 hour)' }],
    },
    'cognito-pre-sign-up': {
      description: 'A Cognito trigger with a 5 s budget.',
      handler: 'src/handlers/cognito-pre-sign-up.ts',
      triggers: [{ kind: 'cognito', trigger: 'PreSignUp' }],
    },
    'stream-audit': {
      description: 'Reads the table stream for auditing.',
      handler: 'src/handlers/stream-audit.ts',
      triggers: [{ kind: 'stream', table: 'things' }],
    },
  },
  tables: { things: { description: 'Things and their outbox.', globalIndexes: ['GSI1'], stream: true, ttl: true } },
  publishes: [{ event: { source: 'kestrel.customers', detailType: 'CustomerCreated', version: 1 }, via: 'outbox', table: 'things' }],
  consumes: [
    {
      name: 'user-registered',
      description: 'A person finished signing up.',
      events: [
        { source: 'kestrel.identity', detailType: 'UserRegistered', version: 1 },
        { source: 'kestrel.identity', detailType: 'UserRegistered', version: 2 },
      ],
      target: 'on-user-registered',
      retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
    },
    {
      name: 'user-registered-batches',
      description: 'The same contract, gathered in batches through a queue.',
      events: [{ source: 'kestrel.identity', detailType: 'UserRegistered', version: 2 }],
      target: 'on-user-registered-batch',
      retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
      // Visibility timeout defaults to 6 × 30 s + 10 s = 190 s.
      delivery: { kind: 'queue', batchSize: 100, maximumBatchingWindowSeconds: 10, maxReceiveCount: 5 },
    },
  ],
});

function bundles(): string {
  const dir = join(tmpdir(), `kestrel-monitors-fixture-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  for (const name of Object.keys(everyTriggerManifest.functions)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
  return dir;
}

/** The fixture synthesized in memory for one environment. */
export function synthFixture(env: 'staging' | 'production' = 'production'): LoadedStack {
  const stack = new ServiceStack(testApp(), {
    manifest: everyTriggerManifest,
    env: environment(env),
    bundlesDir: bundles(),
    cognitoUserPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Fixture',
  });
  return stackFromJson(synthStack(stack) as TerraformJson, `fixture customers-${env}`);
}
