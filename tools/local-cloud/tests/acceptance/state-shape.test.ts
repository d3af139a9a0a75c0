/**
 * Acceptance: `GET /_local/state` describes what runs, in the shapes scripts
 * and tests rely on (issue 3, "GET /_local/state"). A whole local cloud (every
 * default module) applies the real synthesized platform stack and a small
 * hand-written service stack (`fixtures/state-shape/cdk.tf.json`: a Cognito
 * user pool and client, an HTTP API routed to a bundled Lambda, an SQS queue
 * subscribed to the platform bus, a DynamoDB table, a Firehose stream into an
 * S3 bucket); the document is then checked key by key against the schemas
 * below (documented fields required, extra fields allowed), and the values in
 * it are used the way a script would: the HTTP API's URL is called, a queue's
 * depth follows an event published on the bus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { build } from 'esbuild';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import type { ApplyReport } from '../../src/terraform/engine';
import { discoverStacks } from '../../src/terraform/discovery';
import type { EventBridgeModule } from '../../src/services/eventbridge';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const credentials = { accessKeyId: 'AKIDACCEPTANCE', secretAccessKey: 'any' };

// The documented shapes. Objects are not strict: modules may add fields, never drop these.
const arn = z.string().regex(/^arn:aws:/);
const url = z.string().url();
const schemas = {
  stacks: z.array(
    z.object({
      name: z.string(),
      outputs: z.record(z.string(), z.unknown()),
      resources: z.array(z.object({ address: z.string(), status: z.enum(['applied', 'recorded', 'not-emulated']) })),
      notEmulated: z.array(z.unknown()),
    }),
  ),
  tables: z.array(z.object({ name: z.string(), arn })),
  buses: z.array(
    z.object({
      name: z.string(),
      arn,
      rules: z.array(z.object({ name: z.string(), arn, targets: z.array(z.object({ id: z.string(), arn })) })),
    }),
  ),
  functions: z.array(z.object({ name: z.string(), arn, runtime: z.string() })),
  queues: z.array(z.object({ name: z.string(), arn, url, depth: z.number().int().nonnegative() })),
  userPools: z.array(z.object({ name: z.string(), id: z.string(), clients: z.array(z.object({ name: z.string(), id: z.string() })) })),
  httpApis: z.array(z.object({ name: z.string(), url })),
  deliveryStreams: z.array(z.object({ name: z.string(), arn, bucket: z.string() })),
  buckets: z.array(z.object({ name: z.string() })),
};
type State = { [K in keyof typeof schemas]: z.infer<(typeof schemas)[K]> };

/** The platform stack folder: the workspace's synth output, or a fresh synth into a scratch folder on a clean clone. */
function platformStackDir(scratch: string): string {
  let out = join(repoRoot, 'infra', 'platform', 'cdktf.out');
  if (!existsSync(join(out, 'manifest.json'))) {
    out = join(scratch, 'platform-out');
    const synth = spawnSync('npx', ['tsx', 'main.ts'], { cwd: join(repoRoot, 'infra', 'platform'), env: { ...process.env, CDKTF_OUTDIR: out }, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`platform synth failed: ${synth.stderr}`);
  }
  const [stack] = discoverStacks([out], 'staging');
  if (!stack) throw new Error(`no platform-staging stack in ${out}`);
  return stack.dir;
}

/** The fixture stack laid out as cdktn would: cdk.tf.json plus the handler bundle as a directory asset. */
async function fixtureStackDir(scratch: string): Promise<string> {
  const stackDir = join(scratch, 'stacks', 'acceptance-staging');
  cpSync(join(fixtures, 'state-shape'), stackDir, { recursive: true });
  await build({
    entryPoints: [join(fixtures, 'hello-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    outfile: join(stackDir, 'assets', 'hello', 'BUNDLE', 'index.mjs'),
    logLevel: 'error',
  });
  return stackDir;
}

describe('GET /_local/state after applying the platform stack and a service stack', () => {
  let scratch: string;
  let cloud: LocalCloud;
  let reports: ApplyReport[];
  let state: State;

  const readState = async (): Promise<State> => (await (await fetch(`${cloud.endpoint}/_local/state`)).json()) as State;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'state-shape-'));
    const stacks = [platformStackDir(scratch), await fixtureStackDir(scratch)];
    cloud = await startLocalCloud({ inMemory: true });
    reports = await cloud.applyStacks(stacks);
    state = await readState();
  }, 180_000);

  afterAll(async () => {
    await cloud?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it.each(Object.keys(schemas) as Array<keyof typeof schemas>)('has `%s` in its documented shape', (key) => {
    // act
    const result = schemas[key].safeParse(state[key]);
    // assess: field-level issues in the failure message, not just "false"
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });

  it('lists both stacks with every resource emulated or recorded', () => {
    // assess
    expect(reports.map((report) => report.name)).toEqual(['platform-staging', 'acceptance-staging']);
    expect(state.stacks.map((stack) => ({ name: stack.name, notEmulated: stack.notEmulated }))).toEqual([
      { name: 'platform-staging', notEmulated: [] },
      { name: 'acceptance-staging', notEmulated: [] },
    ]);
    // Roles are applied: the sts module compiles them into the IAM the edge enforces.
    expect(state.stacks[1]?.resources.filter((resource) => resource.status === 'recorded').map((resource) => resource.address)).toEqual([]);
    expect(state.stacks[1]?.resources.filter((resource) => resource.address.startsWith('aws_iam_role.')).map((resource) => [resource.address, resource.status])).toEqual([
      ['aws_iam_role.hello', 'applied'],
      ['aws_iam_role.firehose', 'applied'],
    ]);
  });

  it('describes each resource of the service stack under its key', () => {
    // assess
    expect(state.userPools).toEqual([expect.objectContaining({ name: 'acceptance-users', clients: [expect.objectContaining({ name: 'acceptance-web' })] })]);
    expect(state.userPools[0]?.id).toBe(reports[1]?.outputs['user-pool-id']);
    expect(state.httpApis).toEqual([expect.objectContaining({ name: 'acceptance-http' })]);
    expect(state.functions.map((fn) => fn.name)).toEqual(['acceptance-hello']);
    expect(state.tables.map((table) => table.name)).toEqual(['acceptance-items']);
    expect(state.queues).toEqual([expect.objectContaining({ name: 'acceptance-work', url: `${cloud.endpoint}/000000000000/acceptance-work`, depth: 0 })]);
    expect(state.deliveryStreams).toEqual([expect.objectContaining({ name: 'acceptance-raw-events', bucket: 'acceptance-raw-zone' })]);
    expect(state.buckets.map((bucket) => bucket.name)).toEqual(['acceptance-raw-zone']);
    const platformBus = state.buses.find((bus) => bus.name === reports[0]?.outputs['event-bus-name']);
    expect(platformBus?.rules).toEqual([
      expect.objectContaining({ name: 'acceptance-greetings', targets: [expect.objectContaining({ id: 'work-queue', arn: 'arn:aws:sqs:eu-west-1:000000000000:acceptance-work' })] }),
    ]);
  });

  it('gives an HTTP API URL that answers through the route to the Lambda', async () => {
    // act
    const response = await fetch(`${state.httpApis[0]?.url}/hello?name=kestrel`);
    // assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ routeKey: 'GET /hello', greeting: 'hello kestrel' });
  });

  it('shows a queue depth that follows an event published on the platform bus', async () => {
    // prepare
    const events = new EventBridgeClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    // act
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ EventBusName: String(reports[0]?.outputs['event-bus-name']), Source: 'kestrel.acceptance', DetailType: 'Greeted', Detail: '{"to":"kestrel"}' }] }),
    );
    await (cloud.modules.find((module) => module.name === 'eventbridge') as EventBridgeModule).service.idle();
    const after = await readState();
    events.destroy();
    // assess
    expect(put.FailedEntryCount).toBe(0);
    expect(after.queues.find((queue) => queue.name === 'acceptance-work')?.depth).toBe(1);
  });
});
