import { beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackApplyError, TerraformEngine } from '../../src/terraform/engine';
import { createSsmModule } from '../../src/services/ssm';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../src/core/types';
import type { LocalCloudContext, LocalServiceModule, ResourceAttributes, ResourceProvisioner } from '../../src/core/types';

const fixtures = join(import.meta.dirname, 'fixtures');
const PLATFORM = join(fixtures, 'platform');
const SERVICE = join(fixtures, 'service');

/** A provisioner for the fixtures' `aws_test_queue` type that records what it was asked to do. */
function queueProvisioner() {
  const applied: Array<{ address: string; config: Record<string, unknown>; previous?: ResourceAttributes }> = [];
  const destroyed: string[] = [];
  const provisioner: ResourceProvisioner = {
    type: 'aws_test_queue',
    async apply(resource, previous) {
      applied.push({ address: resource.address, config: resource.config, previous });
      const name = String(resource.config.name);
      return { id: `http://queues.local/${name}`, name, url: `http://queues.local/${name}`, arn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${name}` };
    },
    async destroy(resource) {
      destroyed.push(resource.address);
    },
  };
  return { provisioner, applied, destroyed };
}

function context(dataDir: string): LocalCloudContext {
  const none = () => {
    throw new Error('not in this test');
  };
  return { accountId: LOCAL_ACCOUNT_ID, region: LOCAL_REGION, endpoint: 'http://127.0.0.1:4566', dataDir, peers: { lambda: none, sqs: none, events: none, firehose: none }, log: () => undefined };
}

/** Writes a hand-written stack document to its own folder. */
function stack(document: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tf-fixture-'));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(document));
  return dir;
}

describe('Terraform JSON interpreter', () => {
  let ssm: LocalServiceModule;
  let queues: ReturnType<typeof queueProvisioner>;
  let logs: string[];
  let stateDir: string;
  let engine: TerraformEngine;

  const newEngine = () =>
    new TerraformEngine({
      accountId: LOCAL_ACCOUNT_ID,
      region: LOCAL_REGION,
      provisioners: [...ssm.provisioners, queues.provisioner],
      dataSources: ssm.dataSources,
      stateDir,
      log: (message) => logs.push(message),
    });

  beforeEach(() => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tf-engine-'));
    stateDir = join(dataDir, 'terraform');
    ssm = createSsmModule(context(dataDir));
    queues = queueProvisioner();
    logs = [];
    engine = newEngine();
  });

  it('applies in dependency order, resolving references, locals, variables and functions', async () => {
    // act
    const [, report] = await engine.applyStacks([PLATFORM, SERVICE]);
    // assess
    const order = queues.applied.map((call) => call.address);
    expect(order.indexOf('aws_test_queue.orders-dlq')).toBeLessThan(order.indexOf('aws_test_queue.orders'));
    expect(order.indexOf('aws_test_queue.late')).toBeGreaterThan(-1);
    const orders = queues.applied.find((call) => call.address === 'aws_test_queue.orders')!.config;
    expect(orders).toEqual({
      name: 'kestrel-test-orders-eu-west-1',
      // jsonencode sorts keys, as Terraform does
      redrive_policy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:kestrel-test-orders-dlq","maxReceiveCount":5}',
      tags: { bus: 'KESTREL-TEST-BUS', queues: 'kestrel-test-orders-dlq,x' },
    });
    expect(queues.applied.find((call) => call.address === 'aws_test_queue.orders-dlq')!.config.message_retention_seconds).toBe(1209600);
    expect(report!.outputs).toEqual({ 'orders-queue-arn': 'arn:aws:sqs:eu-west-1:000000000000:kestrel-test-orders-eu-west-1', 'role-arn': 'arn:aws:iam::000000000000:role/kestrel-test-sender' });
  });

  it('reads cross-stack values from SSM and renders IAM policy documents', async () => {
    // act
    const [, report] = await engine.applyStacks([PLATFORM, SERVICE]);
    // assess
    const role = report!.resources.find((resource) => resource.address === 'aws_iam_role.sender')!;
    expect(JSON.parse(String(role.attributes.assume_role_policy))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: 'arn:aws:sqs:eu-west-1:000000000000:kestrel-test-orders-eu-west-1',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:000000000000:rule/kestrel-test-bus/*' } },
        },
      ],
    });
    const parameter = report!.resources.find((resource) => resource.address === 'aws_ssm_parameter.orders-url')!;
    expect(parameter).toMatchObject({ status: 'applied', attributes: { value: 'http://queues.local/kestrel-test-orders-eu-west-1', arn: 'arn:aws:ssm:eu-west-1:000000000000:parameter/kestrel/test/orders/queue-url' } });
  });

  it('reports resource types it does not emulate loudly, and records the no-local-effect ones', async () => {
    // act
    const [, report] = await engine.applyStacks([PLATFORM, SERVICE]);
    // assess
    expect(report!.notEmulated).toEqual([{ address: 'aws_appsync_graphql_api.api', type: 'aws_appsync_graphql_api' }]);
    expect(logs).toContain('terraform: NOT EMULATED orders-test: aws_appsync_graphql_api.api (aws_appsync_graphql_api)');
    expect(report!.recorded).toEqual([{ address: 'aws_iam_role.sender', type: 'aws_iam_role', reason: 'IAM is not enforced locally: every call is allowed' }]);
    expect(engine.state().find((entry) => entry.name === 'orders-test')?.notEmulated).toEqual(report!.notEmulated);
  });

  it('re-applies idempotently, handing provisioners their previous attributes', async () => {
    // prepare
    const [, first] = await engine.applyStacks([PLATFORM, SERVICE]);
    queues.applied.length = 0;
    // act
    const [, second] = await newEngine().applyStacks([PLATFORM, SERVICE]);
    // assess
    expect(second!.resources.map((resource) => [resource.address, resource.status, resource.attributes])).toEqual(
      first!.resources.map((resource) => [resource.address, resource.status, resource.attributes]),
    );
    expect(queues.applied.find((call) => call.address === 'aws_test_queue.orders')?.previous).toMatchObject({ arn: 'arn:aws:sqs:eu-west-1:000000000000:kestrel-test-orders-eu-west-1' });
    const parameter = second!.resources.find((resource) => resource.address === 'aws_ssm_parameter.orders-url')!;
    expect(parameter.attributes.version).toBe(1);
  });

  it('destroys resources removed from the configuration since the last apply', async () => {
    // prepare
    const first = stack({ resource: { aws_test_queue: { keep: { name: 'keep' }, drop: { name: 'drop' } } } });
    await engine.applyStack(first);
    writeFileSync(join(first, 'cdk.tf.json'), JSON.stringify({ resource: { aws_test_queue: { keep: { name: 'keep' } } } }));
    // act
    const report = await engine.applyStack(first);
    // assess
    expect(report.removed).toEqual(['aws_test_queue.drop']);
    expect(queues.destroyed).toEqual(['aws_test_queue.drop']);
    expect(report.resources.map((resource) => resource.address)).toEqual(['aws_test_queue.keep']);
  });

  it('names stack, resource and attribute when a reference cannot be resolved', async () => {
    // prepare
    const dir = stack({
      '//': { metadata: { stackName: 'broken' } },
      resource: { aws_test_queue: { a: { name: 'a' }, b: { name: 'b', redrive: { target: '${aws_test_queue.a.nope}' } } } },
    });
    // act
    const failure = await engine.applyStack(dir).catch((error: unknown) => error);
    // assess
    expect(failure).toBeInstanceOf(StackApplyError);
    expect((failure as Error).message).toBe(
      "Stack 'broken': aws_test_queue.b attribute 'redrive.target' cannot be resolved: aws_test_queue.a has no attribute 'nope' (it has: arn, id, name, url)",
    );
  });

  it('refuses references to undeclared resources, dependency cycles and unimplemented functions', async () => {
    // prepare
    const undeclared = stack({ '//': { metadata: { stackName: 's1' } }, resource: { aws_test_queue: { a: { name: '${aws_test_queue.ghost.name}' } } } });
    const cycle = stack({ '//': { metadata: { stackName: 's2' } }, resource: { aws_test_queue: { a: { name: '${aws_test_queue.b.name}' }, b: { name: '${aws_test_queue.a.name}' } } } });
    const unknownFunction = stack({ '//': { metadata: { stackName: 's3' } }, resource: { aws_test_queue: { a: { name: '${cidrsubnet("10.0.0.0/16", 8, 1)}' } } } });
    // act
    const errors = await Promise.all([undeclared, cycle, unknownFunction].map((dir) => engine.applyStack(dir).then(() => undefined, (error: Error) => error.message)));
    // assess
    expect(errors[0]).toBe("Stack 's1': aws_test_queue.a attribute 'name' references 'aws_test_queue.ghost.name', but aws_test_queue.ghost is not declared in this stack");
    expect(errors[1]).toContain("Stack 's2': dependency cycle among:");
    expect(errors[2]).toContain("Stack 's3': aws_test_queue.a attribute 'name' cannot be resolved: Terraform function cidrsubnet() is not implemented");
  });

  it('explains that the platform stack must be applied before a stack reading its SSM parameters', async () => {
    // act
    const failure = await engine.applyStack(SERVICE).catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toContain(
      "data.aws_ssm_parameter.bus (stack orders-test): SSM parameter '/kestrel/test/platform/event-bus-name' does not exist — apply the stack that creates it (the platform stack) first",
    );
  });

  it('refuses count/for_each and unknown data sources instead of guessing', async () => {
    // prepare
    const counted = stack({ '//': { metadata: { stackName: 'c' } }, resource: { aws_test_queue: { a: { count: 2, name: 'a' } } } });
    const unknownData = stack({ '//': { metadata: { stackName: 'd' } }, data: { aws_vpc: { main: { default: true } } } });
    // act
    const errors = await Promise.all([counted, unknownData].map((dir) => engine.applyStack(dir).then(() => undefined, (error: Error) => error.message)));
    // assess
    expect(errors[0]).toBe("Stack 'c': aws_test_queue.a uses count, which the local cloud interpreter does not support");
    expect(errors[1]).toContain("Stack 'd': data.aws_vpc.main: data source type 'aws_vpc' is not emulated by the local cloud");
  });

  it('resolves a secret by name to its ARN, never to a value', async () => {
    // prepare
    const dir = stack({
      '//': { metadata: { stackName: 's' } },
      data: { aws_secretsmanager_secret: { datadog: { name: 'kestrel/datadog/api-key' } } },
      resource: { aws_test_queue: { q: { name: 'q', policy: '${data.aws_secretsmanager_secret.datadog.arn}' } } },
    });
    // act
    await engine.applyStack(dir);
    // assess
    expect(queues.applied.at(-1)?.config.policy).toBe(`arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:kestrel/datadog/api-key-local0`);
  });

  it('persists applied stacks so a new engine sees them', async () => {
    // prepare
    mkdirSync(stateDir, { recursive: true });
    await engine.applyStacks([PLATFORM]);
    // act
    const reloaded = newEngine().state();
    // assess
    expect(reloaded.map((entry) => entry.name)).toEqual(['platform-test']);
    expect(reloaded[0]?.resources[0]).toMatchObject({ address: 'aws_ssm_parameter.bus-name', status: 'applied', attributes: { value: 'kestrel-test-bus' } });
    expect(reloaded[0]?.providerRegion).toBe('eu-west-1');
  });
});

describe('lifecycle.ignore_changes', () => {
  const PLACEHOLDER = 'unset: put a base64 key of at least 32 random bytes';
  let dataDir: string;
  let ssm: LocalServiceModule;
  let queues: ReturnType<typeof queueProvisioner>;
  let logs: string[];

  /** A fresh SSM module and engine over the same data dir: what a restart of `npm start` gives. */
  const restart = () => {
    ssm = createSsmModule({ ...context(dataDir), log: (message) => logs.push(message) });
    return new TerraformEngine({ accountId: LOCAL_ACCOUNT_ID, region: LOCAL_REGION, provisioners: [...ssm.provisioners, queues.provisioner], dataSources: ssm.dataSources, stateDir: join(dataDir, 'terraform') });
  };
  const parameter = async (name: string) => ssm.dataSources![0]!.read({ stack: 't', type: 'aws_ssm_parameter', name: 'p', address: 'aws_ssm_parameter.p', config: { name }, stackDir: dataDir });
  /** PutParameter through the module's API handler, as `aws ssm put-parameter --overwrite` would. */
  const putByHand = async (name: string, value: string) =>
    ssm.handlers[0]!.handle({
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      headers: { 'x-amz-target': 'AmazonSSM.PutParameter', 'content-type': 'application/x-amz-json-1.1' },
      body: Buffer.from(JSON.stringify({ Name: name, Value: value, Type: 'SecureString', Overwrite: true })),
      service: 'ssm',
      operation: 'PutParameter',
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
    });
  const keyStack = (value: string) =>
    stack({
      '//': { metadata: { stackName: 'keys' } },
      resource: {
        aws_ssm_parameter: {
          key: { name: '/t/pseudonymisation-key', type: 'SecureString', value, lifecycle: { ignore_changes: ['value'] } },
          flag: { name: '/t/flag', type: 'String', value: 'on', lifecycle: { ignore_changes: ['value'] } },
          owned: { name: '/t/owned', type: 'SecureString', value },
        },
      },
    });

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tf-lifecycle-'));
    queues = queueProvisioner();
    logs = [];
  });

  it('keeps ignored attributes (a list, or "all") at their current value on a re-apply, and applies the others', async () => {
    // prepare
    const queuesAt = (delay: number, name: string) => ({
      resource: {
        aws_test_queue: {
          some: { name: 'some', delay, visibility: delay, lifecycle: { ignore_changes: ['delay', 'tags["team"]'] } },
          every: { name, delay, lifecycle: { ignore_changes: 'all' } },
          none: { name: 'none', delay },
        },
      },
    });
    const dir = stack(queuesAt(1, 'every'));
    await restart().applyStack(dir);
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(queuesAt(5, 'every-renamed')));
    queues.applied.length = 0;
    // act
    await restart().applyStack(dir);
    // assess
    const configOf = (address: string) => queues.applied.find((call) => call.address === address)?.config;
    expect(configOf('aws_test_queue.some')).toEqual({ name: 'some', delay: 1, visibility: 5 });
    expect(configOf('aws_test_queue.every')).toEqual({ name: 'every', delay: 1 });
    expect(configOf('aws_test_queue.none')).toEqual({ name: 'none', delay: 5 });
  });

  it('refuses an ignore_changes that is neither "all" nor a list of names', async () => {
    // prepare
    const dir = stack({ resource: { aws_test_queue: { q: { name: 'q', lifecycle: { ignore_changes: 7 } } } } });
    // act
    const failure = await restart().applyStack(dir).catch((error: unknown) => error);
    // assess
    expect(failure).toBeInstanceOf(StackApplyError);
    expect((failure as Error).message).toContain('aws_test_queue.q: lifecycle.ignore_changes must be "all" or a list of attribute names, got 7');
  });

  it('generates a secret set by hand in AWS (SecureString, value ignored) on the first apply and keeps it across new engines on the same state (graceful restarts)', async () => {
    // prepare
    const dir = keyStack(PLACEHOLDER);
    // act
    await restart().applyStack(dir);
    const first = await parameter('/t/pseudonymisation-key');
    await restart().applyStack(dir);
    const afterRestart = await parameter('/t/pseudonymisation-key');
    // assess
    expect(first.value).not.toBe(PLACEHOLDER);
    expect(Buffer.from(String(first.value), 'base64')).toHaveLength(32);
    expect(afterRestart).toMatchObject({ value: first.value, version: first.version });
    // only the secret: a String with ignore_changes keeps Terraform's seed, a SecureString Terraform owns its value
    expect(await parameter('/t/flag')).toMatchObject({ value: 'on' });
    expect(await parameter('/t/owned')).toMatchObject({ value: PLACEHOLDER });
    expect(logs.filter((line) => line.includes('/t/pseudonymisation-key'))).toHaveLength(1);
  });

  it('keeps a value put by hand, and replaces a placeholder left by an earlier run', async () => {
    // prepare: an earlier run stored Terraform's placeholder (before ignore_changes was honoured)
    const dir = keyStack(PLACEHOLDER);
    restart();
    await putByHand('/t/pseudonymisation-key', PLACEHOLDER);
    // act
    await restart().applyStack(dir);
    const generated = await parameter('/t/pseudonymisation-key');
    await putByHand('/t/pseudonymisation-key', 'b3BlcmF0b3Itc2V0LWtleS1vZi0zMi1ieXRlcy1sb25nIQ==');
    await restart().applyStack(dir);
    // assess
    expect(generated.value).not.toBe(PLACEHOLDER);
    expect(await parameter('/t/pseudonymisation-key')).toMatchObject({ value: 'b3BlcmF0b3Itc2V0LWtleS1vZi0zMi1ieXRlcy1sb25nIQ==' });
  });
});
