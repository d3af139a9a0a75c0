import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserRegisteredV1 } from '@kestrel/contracts';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { environment } from '@kestrel/infra-constructs/environments';
import { ServiceStack } from '@kestrel/infra-constructs/service/service-stack';
import { defineService } from '@kestrel/service-manifest';

/**
 * A service with one subscription delivered directly and one through a queue, both consuming
 * UserRegistered v1 (it carries personal data, so inspect's redaction shows), for the repair
 * tools' tests and the game day. Its two consumers are real bundles: while `<dir>/<function>.broken`
 * exists (each its own switch) they fail (throw, or return the message as a batch item failure):
 * every event, or when the file reads `poison:<eventId>,…` only those (a poison event the code
 * can't handle until a fix is deployed); otherwise each appends the events' `eventId`s to
 * `<dir>/<function>.log`.
 */
export const drillManifest = defineService({
  name: 'ops-drill',
  description: 'Fixture: consumers that fail on demand, for the repair tools.',
  owner: { team: 'team-platform' },
  functions: {
    'on-user-registered': {
      description: 'Records each event it is given, or throws while broken.',
      handler: 'src/handlers/on-user-registered.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered' }],
    },
    'on-user-registered-batch': {
      description: 'Records each queued event, or returns every message while broken.',
      handler: 'src/handlers/on-user-registered-batch.ts',
      triggers: [{ kind: 'event', subscription: 'user-registered-batches' }],
      timeoutSeconds: 10,
    },
  },
  tables: {},
  publishes: [],
  consumes: [
    {
      name: 'user-registered',
      description: 'Delivered directly: one async invocation per event.',
      events: [UserRegisteredV1],
      target: 'on-user-registered',
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
    },
    {
      name: 'user-registered-batches',
      description: 'Delivered through a queue in batches.',
      events: [UserRegisteredV1],
      target: 'on-user-registered-batch',
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 3600 },
      delivery: { kind: 'queue', batchSize: 10, maximumBatchingWindowSeconds: 0, maxReceiveCount: 2, visibilityTimeoutSeconds: 10 },
    },
  ],
});

/** The file whose presence makes one consumer fail. */
export const brokenSwitch = (dir: string, functionName: string) => join(dir, `${functionName}.broken`);

function consumerBundle(dir: string, functionName: string): string {
  const switchFile = JSON.stringify(brokenSwitch(dir, functionName));
  const logFile = JSON.stringify(join(dir, `${functionName}.log`));
  return `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
export const handler = async (event) => {
  const batch = Array.isArray(event.Records);
  const items = batch ? event.Records.map((r) => ({ id: r.messageId, event: JSON.parse(r.body) })) : [{ event }];
  const broken = existsSync(${switchFile}) ? readFileSync(${switchFile}, 'utf8') : undefined;
  const poison = broken?.startsWith('poison:') ? broken.slice('poison:'.length).trim().split(',') : undefined;
  const refuses = (item) => broken !== undefined && (poison === undefined || poison.includes(item.event.detail.metadata.eventId));
  const refused = items.filter(refuses);
  if (refused.length > 0 && !batch) throw new Error('consumer broken on purpose');
  for (const item of items.filter((item) => !refuses(item))) appendFileSync(${logFile}, item.event.detail.metadata.eventId + '\\n');
  return batch ? { batchItemFailures: refused.map((item) => ({ itemIdentifier: item.id })) } : {};
};
`;
}

/** Synthesizes the drill service's staging stack under `dir`; returns the stack folder to apply. */
export function synthDrillStack(dir: string): string {
  const bundlesDir = join(dir, 'bundles');
  for (const name of Object.keys(drillManifest.functions)) {
    mkdirSync(join(bundlesDir, name), { recursive: true });
    writeFileSync(join(bundlesDir, name, 'index.mjs'), consumerBundle(dir, name));
  }
  const outdir = join(dir, 'cdktf.out');
  const app = createKestrelApp({ outdir });
  new ServiceStack(app, { manifest: drillManifest, env: environment('staging'), bundlesDir });
  app.synth();
  const [stack] = readdirSync(join(outdir, 'stacks'));
  return join(outdir, 'stacks', stack as string);
}
