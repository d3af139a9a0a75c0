/**
 * Latency budget of the ten Cognito triggers (Cognito allows 5 s and retries
 * up to three times; the targets are cold module load <= 60 ms and warm
 * duration <= 50 ms excluding network). For each trigger's production bundle:
 *
 * - size: raw, gzip, largest package (esbuild metafile);
 * - cold: module load in a fresh Node process (median of `runs`), and that
 *   process's first invocation (SDK clients built, first connections);
 * - warm: per-invocation duration after the first (p50/p95/p99 of `warm` calls),
 *   with real event shapes. Stateful triggers talk to DynamoDB Local on
 *   loopback (so "excluding network" means: a loopback round trip of ~1 ms
 *   each is included); Cognito's AdminAddUserToGroup, SES SendEmail and SSM
 *   GetParameter (the one-time-code key) go to a loopback stand-in that answers
 *   immediately.
 *
 * Writes bench-results/triggers.json. Run: npx nx run identity:bench [runs] [warm]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { bundleService } from '@kestrel/bundle';
import { validity, writeBenchJson } from '@kestrel/bundle/bench-record';
import { createTableInput, standardTable, TTL } from '@kestrel/table-keys';
import { createLocalDocumentClient, createLocalDynamoDbClient, createTestTable, localAwsConfig, startDynamoDbLocal } from '@kestrel/testing/dynamodb-local';
import manifest from '../service';
import { legacyUsers } from '../src/adapters/legacy-users';
import { hashLegacyPassword } from '../src/domain/legacy-password';
import * as events from '../tests/fixtures/cognito-events';

const runs = Number(process.argv[2] ?? 9);
const warm = Number(process.argv[3] ?? 200);
const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const measurer = fileURLToPath(new URL('./measure-bundle.mjs', import.meta.url));
const TARGETS = { coldImportMs: 60, warmP50Ms: 50 };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const round = (value: number) => Math.round(value * 100) / 100;

// Loopback stand-in for Cognito (AdminAddUserToGroup), SES (SendEmail) and SSM (GetParameter of the
// one-time-code key, read once per execution environment): answers at once, keeps the mails.
const mails: string[] = [];
const ONE_TIME_CODE_KEY_PARAMETER = '/kestrel/bench/identity/one-time-code-key';
const oneTimeCodeKey = randomBytes(32).toString('base64');
const standIn = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (request.url?.startsWith('/v2/email/outbound-emails')) {
      mails.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: `bench-${mails.length}` }));
    } else if (request.headers['x-amz-target'] === 'AmazonSSM.GetParameter') {
      const parameter = { Name: ONE_TIME_CODE_KEY_PARAMETER, Type: 'SecureString', Value: oneTimeCodeKey, Version: 1 };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ Parameter: parameter }));
    } else response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
  });
});
await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
const standInEndpoint = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;

const dynamo = await startDynamoDbLocal();
const client = createLocalDynamoDbClient(dynamo.endpoint);
const documents = createLocalDocumentClient(client);
const plain = { ...standardTable, globalSecondaryIndexes: [] };
const identityTable = await createTestTable(client, { ...createTableInput(plain, 'identity'), StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } }, { timeToLiveAttribute: TTL });
const legacyTable = await createTestTable(client, createTableInput(plain, 'legacy-users'));
const PASSWORD = 'bench password 1';
await documents.send(
  new PutCommand({
    TableName: legacyTable.tableName,
    Item: legacyUsers.toItem({ email: 'legacy@example.com', passwordHash: await hashLegacyPassword(PASSWORD, randomBytes(16)), givenName: 'Lea', emailVerified: true }),
  }),
);

const env = {
  PATH: process.env.PATH,
  NODE_NO_WARNINGS: '1',
  NODE_OPTIONS: '--enable-source-maps',
  AWS_REGION: localAwsConfig.region,
  AWS_ACCESS_KEY_ID: localAwsConfig.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localAwsConfig.credentials.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: standInEndpoint,
  AWS_ENDPOINT_URL_SESV2: standInEndpoint,
  AWS_ENDPOINT_URL_SSM: standInEndpoint,
  ONE_TIME_CODE_KEY_PARAMETER,
  TABLE_NAME_IDENTITY: identityTable.tableName,
  TABLE_NAME_LEGACY_USERS: legacyTable.tableName,
  BLOCKED_EMAIL_DOMAINS: 'spam.example',
  ONE_TIME_CODE_FROM_ADDRESS: 'Kestrel <no-reply@kestrel.example>',
};

const uuid = () => globalThis.crypto.randomUUID();
let batch = 0;
/** Events for `count` invocations of one trigger, on the path a real sign-up or sign-in takes. */
function eventsFor(functionName: string, count: number): unknown[] {
  batch += 1;
  return Array.from({ length: count }, (_, i) => {
    const sub = uuid();
    switch (functionName) {
      case 'cognito-pre-sign-up':
        return events.preSignUp(events.attributes({ sub }));
      case 'cognito-custom-message':
        return events.customMessage('CustomMessage_SignUp');
      case 'cognito-post-confirmation':
        return events.postConfirmation(events.attributes({ sub }));
      case 'cognito-pre-authentication':
        return events.preAuthentication(sub);
      case 'cognito-post-authentication':
        return events.postAuthentication(sub, events.attributes({ sub }));
      case 'cognito-pre-token-generation':
        return events.preTokenGenerationV2(['customers']);
      case 'cognito-user-migration':
        return events.userMigration('legacy@example.com', PASSWORD);
      case 'cognito-define-auth-challenge':
        return events.defineAuthChallenge([]);
      case 'cognito-create-auth-challenge':
        return events.createAuthChallenge([], { userName: `b${batch}-${i}`, userAttributes: events.attributes({ email: `b${batch}-${i}@example.com` }) });
      default:
        throw new Error(`no bench events for ${functionName}`);
    }
  });
}

interface Measured {
  importMs: number;
  durations: number[];
  responses: Array<Record<string, Record<string, string>>>;
  errors: string[];
  errorCount: number;
}

// Asynchronous on purpose: the loopback stand-in lives in this process and must keep answering while a child runs.
const run = promisify(execFile);

const eventsDir = mkdtempSync(join(tmpdir(), 'identity-bench-events-'));
let eventFiles = 0;

async function measure(bundle: string, eventList: unknown[], keepResponses = false, sourceMaps = true): Promise<Measured> {
  eventFiles += 1;
  const file = join(eventsDir, `events-${eventFiles}.json`);
  writeFileSync(file, JSON.stringify(eventList));
  const { stdout } = await run(process.execPath, [measurer, bundle, file, ...(keepResponses ? ['--keep-responses'] : [])], {
    encoding: 'utf8',
    env: sourceMaps ? env : { ...env, NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Measured;
}

/** Verify events need live challenges: create them through the create bundle, read the codes from the mails. */
async function verifyEvents(createBundle: string, count: number): Promise<unknown[]> {
  const creates = eventsFor('cognito-create-auth-challenge', count) as Array<{ userName: string; request: { userAttributes: { email: string } } }>;
  const before = mails.length;
  const created = await measure(createBundle, creates, true);
  return creates.map((create, i) => {
    const mail = mails.slice(before).find((body) => body.includes(create.request.userAttributes.email));
    const code = mail?.match(/sign-in code is (\d{6})/)?.[1];
    if (!code) throw new Error(`no code mailed for ${create.userName}`);
    return events.verifyAuthChallenge(code, created.responses[i]?.privateChallengeParameters ?? {}, { userName: create.userName });
  });
}

const outDir = mkdtempSync(join(tmpdir(), 'identity-bench-bundles-'));
const bundles = await bundleService({ serviceDir, outDir });
const results = [];
for (const bundle of bundles) {
  const name = bundle.functionName;
  const make = async (count: number) => (name === 'cognito-verify-auth-challenge' ? verifyEvents(join(outDir, 'cognito-create-auth-challenge', 'index.mjs'), count) : eventsFor(name, count));
  const colds: Measured[] = [];
  const coldsWithoutMaps: Measured[] = [];
  for (let i = 0; i < runs; i += 1) {
    colds.push(await measure(bundle.file, await make(1)));
    coldsWithoutMaps.push(await measure(bundle.file, await make(1), false, false));
  }
  // Migration runs scrypt at production cost on every call; fewer calls keep the bench short.
  const warmCount = name === 'cognito-user-migration' ? Math.min(warm, 40) : warm;
  const warmRun = await measure(bundle.file, await make(warmCount + 1));
  const failures = [...colds, ...coldsWithoutMaps, warmRun].reduce((sum, run) => sum + run.errorCount, 0);
  if (failures > 0) throw new Error(`${name}: ${failures} invocations failed, e.g. ${[...colds, warmRun].flatMap((run) => run.errors)[0]}`);
  const warmDurations = warmRun.durations.slice(1);
  const coldImport = colds.map((run) => run.importMs);
  const firstInvoke = colds.map((run) => run.durations[0] as number);
  const trigger = manifest.functions[name as keyof typeof manifest.functions].triggers[0];
  results.push({
    function: name,
    trigger: trigger?.kind === 'cognito' ? trigger.trigger : undefined,
    bundle: { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, largestPackage: bundle.byPackage[0] },
    coldImportMs: { median: round(percentile(coldImport, 50)), min: round(Math.min(...coldImport)), max: round(Math.max(...coldImport)) },
    coldImportWithoutSourceMapsMs: { median: round(percentile(coldsWithoutMaps.map((run) => run.importMs), 50)) },
    firstInvocationMs: { median: round(percentile(firstInvoke, 50)) },
    warmMs: { p50: round(percentile(warmDurations, 50)), p95: round(percentile(warmDurations, 95)), p99: round(percentile(warmDurations, 99)), calls: warmDurations.length },
    withinTargets: percentile(coldImport, 50) <= TARGETS.coldImportMs && percentile(warmDurations, 50) <= TARGETS.warmP50Ms,
  });
  console.log(`${name.padEnd(32)} ${(bundle.bytes / 1024).toFixed(0).padStart(5)} KB  cold ${round(percentile(coldImport, 50)).toFixed(1).padStart(6)} ms  first ${round(percentile(firstInvoke, 50)).toFixed(1).padStart(6)} ms  warm p50 ${round(percentile(warmDurations, 50)).toFixed(2).padStart(6)} ms  p99 ${round(percentile(warmDurations, 99)).toFixed(2).padStart(6)} ms`);
}

await identityTable.delete();
await legacyTable.delete();
client.destroy();
await dynamo.stop();
standIn.close();
rmSync(eventsDir, { recursive: true, force: true });
rmSync(outDir, { recursive: true, force: true });

const resultsDir = join(serviceDir, 'bench-results');
mkdirSync(resultsDir, { recursive: true });
writeBenchJson(
  join(resultsDir, 'triggers.json'),
  'identity-triggers',
  validity([]),
    {
      method: 'production bundles (esbuild, minified, --enable-source-maps as deployed); cold = module load in a fresh process (median of runs); warm = per-call duration after the first call; DynamoDB Local on loopback; Cognito, SES and SSM answered by a loopback stand-in',
      runs,
      targets: TARGETS,
      triggers: results,
    },
);
console.log(`wrote ${join(resultsDir, 'triggers.json')}`);

