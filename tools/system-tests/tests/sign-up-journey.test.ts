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
// objects, and the flow through each function's log file. The app names the flow: it sends a
// correlation id in ClientMetadata when confirming, which Cognito hands to the trigger.
// Needs the four stacks synthesized (the Nx `test` target depends on their `synth`).
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalCloud, type LocalCloud } from '@kestrel/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inFlow, structuredLogLines, type StructuredLogLine } from './support/function-logs';
import { flushFirehose, lakeRows, type LakeRow } from './support/lake';
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

/** What the sign-up produced, for the assessments. */
const signUp = { correlationId: `sign-up-${randomUUID()}`, email: `ada-${randomBytes(4).toString('hex')}@example.com`, sub: '', idToken: '' };

function flowLines(hop: Hop): StructuredLogLine[] {
  return structuredLogLines(cloud.dataDir, HOPS[hop].functionName).filter((line) => inFlow(line, signUp.correlationId));
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
  // prepare: the four stacks applied in order, and the pseudonymisation key set (the analytics runbook's first step)
  const stacks = stackDirs(['platform', 'identity', 'customers', 'analyticsIngest']);
  cloud = await startLocalCloud({ inMemory: true });
  const config = { endpoint: cloud.endpoint, region: cloud.context.region, credentials };
  await cloud.applyStacks(stacks);
  const outputs = (stack: string) => cloud.stacks().find((state) => state.name === stack)?.outputs ?? {};
  const poolId = String(outputs(`identity-${ENV}`)['user-pool-id']);
  const clientId = String(outputs(`identity-${ENV}`)['mobile-client-id']);
  apiUrl = String(outputs(`customers-${ENV}`)['http-api-url']).replace(/\/$/, '');
  bucket = String(outputs(`analytics-ingest-${ENV}`)['raw-zone-bucket']);
  const ssm = new SSMClient(config);
  await ssm.send(
    new PutParameterCommand({ Name: `/kestrel/${ENV}/analytics-ingest/pseudonymisation-key`, Type: 'SecureString', Value: randomBytes(32).toString('base64'), Overwrite: true }),
  );
  ssm.destroy();
  s3 = new S3Client({ ...config, forcePathStyle: true });

  // act: one person signs up in the mobile app, is confirmed, and signs in
  const cognito = new CognitoIdentityProviderClient(config);
  await cognito.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: signUp.email,
      Password: PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: signUp.email },
        { Name: 'given_name', Value: 'Ada' },
        { Name: 'locale', Value: 'en-GB' },
      ],
    }),
  );
  await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: signUp.email, ClientMetadata: { correlationId: signUp.correlationId } }));
  const auth = await cognito.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: signUp.email, PASSWORD } }),
  );
  const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: signUp.email }));
  cognito.destroy();
  signUp.sub = user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
  // The ID token: its audience is the app client, which customers' JWT authorizer accepts, and it carries identity's customerId claim.
  signUp.idToken = auth.AuthenticationResult?.IdToken ?? '';
  if (!signUp.sub || !signUp.idToken) throw new Error(`Sign-up did not complete: sub ${signUp.sub || 'missing'}, ID token ${signUp.idToken ? 'present' : 'missing'}`);
}, 300_000);

afterAll(async () => {
  s3?.destroy();
  await cloud?.stop();
}, 60_000);

describe('one customer sign-up across identity → customers → analytics', () => {
  it('customers creates the profile from identity’s UserRegistered; the new customer reads it through the customers HTTP API', async () => {
    // act: the app asks for the profile until the event has been handled
    let last = 'no response yet';
    const profile = await waitFor(
      async () => {
        const response = await fetch(`${apiUrl}/customers/${signUp.sub}`, { headers: { authorization: `Bearer ${signUp.idToken}` } });
        const body = (await response.json()) as Record<string, unknown>;
        last = `${response.status} ${JSON.stringify(body)}`;
        return response.status === 200 ? body : undefined;
      },
      { timeoutMs: 30_000, what: `GET /customers/${signUp.sub} to answer 200`, describe: () => `last answer ${last}` },
    );

    // assess
    expect(profile).toMatchObject({ customerId: signUp.sub, email: signUp.email, givenName: 'Ada', locale: 'en-GB', origin: 'registration', version: 1 });
  });

  it('UserRegistered and CustomerCreated reach the raw zone with the sign-up’s correlation id, CustomerCreated caused by UserRegistered', async () => {
    // act: read the lake, asking Firehose to deliver its buffer each time
    let rows: LakeRow[] = [];
    const about = (detailType: string) =>
      rows.filter((row) => row.zone === 'raw' && row.detailType === detailType && (row.data.userId ?? row.data.customerId) === signUp.sub);
    await waitFor(
      async () => {
        await flushFirehose(cloud.endpoint);
        rows = await lakeRows(s3, bucket);
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
    expect(registered).toMatchObject({ source: 'kestrel.identity', producer: 'identity', correlationId: signUp.correlationId });
    expect(created).toMatchObject({ source: 'kestrel.customers', producer: 'customers', correlationId: signUp.correlationId, causationId: registered?.eventId });
    // Personal data is pseudonymised in the lake, never kept in clear.
    expect(JSON.stringify(rows)).not.toContain(signUp.email);
  });

  it('one correlation id ties the log lines of identity’s post-confirmation, customers’ on-user-registered and analytics’ ingest', async () => {
    // act: wait until each hop has logged under the flow's id (ingest runs after its batching window)
    const hops = Object.keys(HOPS) as Hop[];
    await waitFor(() => (hops.every((hop) => flowLines(hop).length > 0) ? true : undefined), {
      timeoutMs: PIPELINE_WAIT_MS,
      intervalMs: 1_000,
      what: `log lines with correlation id ${signUp.correlationId} from ${hops.map((hop) => HOPS[hop].functionName).join(', ')}`,
      describe: () => `hops with lines in the flow: ${hops.filter((hop) => flowLines(hop).length > 0).join(', ') || 'none'}; correlation ids logged per hop: ${correlationIdsLogged()}`,
    });

    // assess: each hop's lines come from that service's function, and each hop finished its invocation without error
    for (const hop of hops) {
      const lines = flowLines(hop);
      expect(lines.every((line) => line.service === HOPS[hop].service && line.function === HOPS[hop].fn), hop).toBe(true);
      expect(lines.filter((line) => line.message === 'invocation finished').map((line) => line.outcome), hop).toContain('success');
    }
    // customers handled the registration of this user in the flow
    expect(flowLines('customers').some((line) => line.customerId === signUp.sub)).toBe(true);
  });
});
