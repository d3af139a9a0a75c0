// One customer sign-up, followed across three services on one local cloud that runs the
// synthesized staging stacks of the platform, identity, customers and analytics-ingest (their
// real bundles, triggers, outboxes, pipes, rules, queues and Firehose stream):
//
//   Cognito sign-up → confirm → identity's post-confirmation trigger → UserRegistered (outbox →
//   stream → pipe → bus) → customers' on-user-registered → profile + CustomerCreated → bus →
//   analytics' queue → ingest (batches) → Firehose → S3 raw zone
//
// Every service is a black box here: users sign up through Cognito with the real SDK, the profile
// is read through customers' HTTP API with the user's own token, the events through the lake's
// objects, and the flow through each function's log file. Two sign-ups run side by side (so their
// events share the analytics batches, as on a busy day): one app sends a correlation id in
// ClientMetadata when confirming, which Cognito hands to the trigger; the other sends none, and
// the flow is named by identity.
// Needs the four stacks synthesized (the Nx `test` target depends on their `synth`).
import { randomBytes, randomUUID } from 'node:crypto';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { startLocalCloud, type LocalCloud } from '@kestrel/local-cloud';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inFlow, structuredLogLines, type StructuredLogLine } from './support/function-logs';
import { flushFirehose, lakeRows, type LakeRow } from './support/lake';
import { signUpAndSignIn } from './support/sign-up';
import { stackDirs } from './support/stacks';
import { waitFor } from './support/wait';

const ENV = 'staging';
const PASSWORD = 'correct horse battery 1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** The three functions a sign-up passes through, by their deployed names (`kestrel-<env>-<service>-<function>`). */
const HOPS = {
  identity: { functionName: `kestrel-${ENV}-identity-cognito-post-confirmation`, service: 'identity', fn: 'cognito-post-confirmation' },
  customers: { functionName: `kestrel-${ENV}-customers-on-user-registered`, service: 'customers', fn: 'on-user-registered' },
  analytics: { functionName: `kestrel-${ENV}-analytics-ingest-ingest`, service: 'analytics-ingest', fn: 'ingest' },
} as const;
type Hop = keyof typeof HOPS;

// The analytics subscription gathers batches for up to 20 s (its manifest's batching window), and
// two events of one flow can land in two batches: allow a few windows, well inside the test timeout.
const PIPELINE_WAIT_MS = 75_000;

let cloud: LocalCloud;
let s3: S3Client;
let apiUrl: string;
let bucket: string;

/** One person's sign-up and what it produced, for the assessments. */
interface Journey {
  title: string;
  /** The id the app sends in ClientMetadata when confirming; without one, identity names the flow. */
  clientCorrelationId?: string;
  email: string;
  sub: string;
  idToken: string;
}

const journeys: Journey[] = [
  { title: 'the app names the flow (ClientMetadata.correlationId)', clientCorrelationId: `sign-up-${randomUUID()}`, email: '', sub: '', idToken: '' },
  { title: 'the app sends no correlation id (identity names the flow)', email: '', sub: '', idToken: '' },
].map((journey) => ({ ...journey, email: `ada-${randomBytes(4).toString('hex')}@example.com` }));

const sameUser = (journey: Journey) => (row: LakeRow) => (row.data.userId ?? row.data.customerId) === journey.sub;

/** Every lake row, after asking Firehose to deliver its buffer. */
async function currentLake(): Promise<LakeRow[]> {
  await flushFirehose(cloud.endpoint);
  return lakeRows(s3, bucket);
}

/**
 * The journey's correlation id: the app's, or else the one identity put on the UserRegistered it
 * published, as the lake (a third party) recorded it.
 */
async function correlationIdOf(journey: Journey): Promise<string> {
  if (journey.clientCorrelationId) return journey.clientCorrelationId;
  return waitFor(async () => (await currentLake()).find((row) => row.zone === 'raw' && row.detailType === 'UserRegistered' && sameUser(journey)(row))?.correlationId, {
    timeoutMs: PIPELINE_WAIT_MS,
    intervalMs: 1_000,
    what: `the UserRegistered of ${journey.sub} in the raw zone`,
  });
}

function flowLines(hop: Hop, correlationId: string): StructuredLogLine[] {
  return structuredLogLines(cloud.dataDir, HOPS[hop].functionName).filter((line) => inFlow(line, correlationId));
}

/** Which correlation ids each function has logged so far: what a broken hop carried instead. */
function correlationIdsLogged(): string {
  return (Object.keys(HOPS) as Hop[])
    .map((hop) => {
      const ids = new Set(structuredLogLines(cloud.dataDir, HOPS[hop].functionName).flatMap((line) => [line.correlation_id, ...(line.correlation_ids ?? [])]));
      return `${hop}: ${ids.size === 0 ? 'no structured lines' : [...ids].join(', ')}`;
    })
    .join('; ');
}

beforeAll(async () => {
  // prepare: the four stacks applied in order (the pseudonymisation key is generated by the local cloud, as on `npm start`)
  const stacks = stackDirs(['platform', 'identity', 'customers', 'analyticsIngest']);
  cloud = await startLocalCloud({ inMemory: true });
  const config = { endpoint: cloud.endpoint, region: cloud.context.region, credentials };
  await cloud.applyStacks(stacks);
  const outputs = (stack: string) => cloud.stacks().find((state) => state.name === stack)?.outputs ?? {};
  const poolId = String(outputs(`identity-${ENV}`)['user-pool-id']);
  const clientId = String(outputs(`identity-${ENV}`)['mobile-client-id']);
  apiUrl = String(outputs(`customers-${ENV}`)['http-api-url']).replace(/\/$/, '');
  bucket = String(outputs(`analytics-ingest-${ENV}`)['raw-zone-bucket']);
  s3 = new S3Client({ ...config, forcePathStyle: true });

  // act: two people sign up in the mobile app, are confirmed, and sign in
  const cognito = new CognitoIdentityProviderClient(config);
  for (const journey of journeys) {
    const { sub, idToken } = await signUpAndSignIn(cognito, {
      poolId,
      clientId,
      email: journey.email,
      password: PASSWORD,
      attributes: [
        { Name: 'given_name', Value: 'Ada' },
        { Name: 'locale', Value: 'en-GB' },
      ],
      ...(journey.clientCorrelationId ? { clientMetadata: { correlationId: journey.clientCorrelationId } } : {}),
    });
    Object.assign(journey, { sub, idToken });
  }
  cognito.destroy();
}, 300_000);

// IAM is enforced at the edge: a call a function's role may not make fails the test naming the
// permission, with the smallest statement that would allow it.
afterEach(() => {
  expect(cloud.iamDenials()).toEqual([]);
});

afterAll(async () => {
  s3?.destroy();
  await cloud?.stop();
}, 60_000);

describe.each(journeys)('one customer sign-up across identity → customers → analytics, when $title', (journey) => {
  it('customers creates the profile from identity’s UserRegistered; the new customer reads it through the customers HTTP API', async () => {
    // act: the app asks for the profile until the event has been handled
    let last = 'no response yet';
    const profile = await waitFor(
      async () => {
        const response = await fetch(`${apiUrl}/customers/${journey.sub}`, { headers: { authorization: `Bearer ${journey.idToken}` } });
        const body = (await response.json()) as Record<string, unknown>;
        last = `${response.status} ${JSON.stringify(body)}`;
        return response.status === 200 ? body : undefined;
      },
      { timeoutMs: 30_000, what: `GET /customers/${journey.sub} to answer 200`, describe: () => `last answer ${last}` },
    );

    // assess
    expect(profile).toMatchObject({ customerId: journey.sub, email: journey.email, givenName: 'Ada', locale: 'en-GB', origin: 'registration', version: 1 });
  });

  it('UserRegistered and CustomerCreated reach the raw zone with one correlation id, CustomerCreated caused by UserRegistered', async () => {
    // act: read the lake until both events are there
    let rows: LakeRow[] = [];
    const about = (detailType: string) => rows.filter((row) => row.zone === 'raw' && row.detailType === detailType && sameUser(journey)(row));
    await waitFor(
      async () => {
        rows = await currentLake();
        return about('UserRegistered').length > 0 && about('CustomerCreated').length > 0 ? true : undefined;
      },
      {
        timeoutMs: PIPELINE_WAIT_MS,
        intervalMs: 1_000,
        what: 'UserRegistered and CustomerCreated in the raw zone',
        describe: () => `the lake holds ${rows.length} rows: ${rows.map((row) => `${row.zone} ${row.source}/${row.detailType}`).join(', ') || 'none'}`,
      },
    );

    // assess
    const [registered] = about('UserRegistered');
    const [created] = about('CustomerCreated');
    expect(about('UserRegistered')).toHaveLength(1);
    expect(about('CustomerCreated')).toHaveLength(1);
    expect(registered).toMatchObject({ source: 'kestrel.identity', producer: 'identity', correlationId: await correlationIdOf(journey) });
    expect(created).toMatchObject({ source: 'kestrel.customers', producer: 'customers', correlationId: registered?.correlationId, causationId: registered?.eventId });
    // Personal data is pseudonymised in the lake, never kept in clear.
    expect(JSON.stringify(rows)).not.toContain(journey.email);
  });

  it('one correlation id ties the log lines of identity’s post-confirmation, customers’ on-user-registered and analytics’ ingest', async () => {
    // prepare
    const correlationId = await correlationIdOf(journey);
    const hops = Object.keys(HOPS) as Hop[];

    // act: wait until each hop has logged under the flow's id (ingest runs after its batching window)
    await waitFor(() => (hops.every((hop) => flowLines(hop, correlationId).length > 0) ? true : undefined), {
      timeoutMs: PIPELINE_WAIT_MS,
      intervalMs: 1_000,
      what: `log lines with correlation id ${correlationId} from ${hops.map((hop) => HOPS[hop].functionName).join(', ')}`,
      describe: () =>
        `hops with lines in the flow: ${hops.filter((hop) => flowLines(hop, correlationId).length > 0).join(', ') || 'none'}; correlation ids logged per hop: ${correlationIdsLogged()}`,
    });

    // assess: each hop's lines come from that service's function, and each hop finished an invocation of the flow successfully
    for (const hop of hops) {
      const lines = flowLines(hop, correlationId);
      expect(lines.every((line) => line.service === HOPS[hop].service && line.function === HOPS[hop].fn), hop).toBe(true);
      expect(lines.filter((line) => line.message === 'invocation finished').map((line) => line.outcome), hop).toContain('success');
    }
    // customers handled this user's registration in the flow
    expect(flowLines('customers', correlationId).some((line) => line.customerId === journey.sub)).toBe(true);
    // and continued identity's trace (W3C traceparent in the event's metadata), so APM shows one trace too
    const traceIds = (hop: Hop) => new Set(flowLines(hop, correlationId).map((line) => line.trace_id));
    expect(traceIds('identity').size).toBe(1);
    expect(traceIds('customers')).toEqual(traceIds('identity'));
  });
});
