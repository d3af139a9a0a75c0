/**
 * CloudWatch Logs over real function logs: the fixture function runs in the
 * Lambda module (invoked through the SDK), and its log is read back with
 * `@aws-sdk/client-cloudwatch-logs` and with the AWS CLI from Debian's awscli
 * (`describe-log-groups`, `filter-log-events`, `tail`, `tail --follow`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsServiceException,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaModuleFactory } from '../../src/services/lambda';
import { createLogsModule } from '../../src/services/logs';
import { buildFixtureStack, resource, type FixtureStack } from '../lambda/support';
import { applyResource, clientConfig, startHarness, type Harness } from '../sqs/harness';
import { AWS_CLI, awsCli, awsCliInstalled, AWS_CLI_SKIP_REASON, cliJson } from '../support/aws-cli';

const GROUP = '/aws/lambda/greeter';
const ACCESS_LOGS = '/aws/apigateway/greeter-http';

let stack: FixtureStack;
let harness: Harness;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;

async function invoke(event: unknown): Promise<void> {
  await lambda.send(new InvokeCommand({ FunctionName: 'greeter', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
}

beforeAll(async () => {
  stack = await buildFixtureStack();
  harness = await startHarness([lambdaModuleFactory({ runtimes: { fetchMissing: true } }), createLogsModule], { dataDir: stack.root });
  await applyResource(
    harness.modules,
    resource(stack.stackDir, 'aws_lambda_function', 'greeter', { function_name: 'greeter', handler: 'index.handler', runtime: 'nodejs24.x', filename: stack.zipAsset, role: 'arn:aws:iam::000000000000:role/test' }),
  );
  // As the service stacks declare them: the function's group (with retention) and an API's access-log group.
  for (const [name, retention] of [[GROUP, 14], [ACCESS_LOGS, 14]] as const) {
    await applyResource(harness.modules, resource(stack.stackDir, 'aws_cloudwatch_log_group', name.split('/').pop() as string, { name, retention_in_days: retention }));
  }
  lambda = new LambdaClient({ ...clientConfig(harness.edge.endpoint), maxAttempts: 1 });
  logs = new CloudWatchLogsClient({ ...clientConfig(harness.edge.endpoint), maxAttempts: 1 });
  await invoke({ action: 'log', message: 'hello-1' });
  await invoke({ action: 'log', message: 'hello-2' });
  await invoke({ action: 'throw', message: 'broken greeting' });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  logs?.destroy();
  await harness?.stop();
  stack?.cleanup();
});

/** Lines written by the worker reach the file asynchronously; wait until `pattern` matches `count` events. */
async function eventually(pattern: string, count: number): Promise<void> {
  for (;;) {
    const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: pattern }));
    if (events.length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('CloudWatch Logs through the SDK', () => {
  it('lists the declared log groups and the function group’s stream', async () => {
    // prepare
    await eventually('REPORT', 3);
    // act
    const { logGroups = [] } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    const { logStreams = [] } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', descending: true }));
    const accessLogs = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/apigateway/' }));
    const noAccessEvents = await logs.send(new FilterLogEventsCommand({ logGroupName: ACCESS_LOGS }));
    const none = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/vendedlogs/' }));
    // assess
    expect(logGroups).toEqual([
      expect.objectContaining({ logGroupName: GROUP, arn: `arn:aws:logs:eu-west-1:000000000000:log-group:${GROUP}:*`, retentionInDays: 14, storedBytes: expect.any(Number) }),
    ]);
    expect(logGroups[0]?.storedBytes).toBeGreaterThan(0);
    expect(accessLogs.logGroups).toEqual([expect.objectContaining({ logGroupName: ACCESS_LOGS, retentionInDays: 14, storedBytes: 0 })]);
    expect(noAccessEvents.events).toEqual([]);
    expect(logStreams).toHaveLength(1);
    expect(logStreams[0]?.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(logStreams[0]?.lastEventTimestamp).toBeGreaterThanOrEqual(logStreams[0]?.firstEventTimestamp as number);
    expect(none.logGroups).toEqual([]);
  });

  it('reads a stream in order, page by page, to the same end as in one call', async () => {
    // prepare
    await eventually('REPORT', 3);
    const { logStreams = [] } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    const logStreamName = logStreams[0]?.logStreamName as string;
    // act
    const whole = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName, startFromHead: true }));
    const paged: string[] = [];
    let token: string | undefined;
    for (;;) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName, startFromHead: true, limit: 4, nextToken: token }));
      paged.push(...(page.events ?? []).map((event) => event.message as string));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName, limit: 1 }));
    // assess
    const messages = (whole.events ?? []).map((event) => event.message as string);
    expect(paged).toEqual(messages);
    expect(messages[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    const info = messages.find((message) => message.includes('info line: hello-1'));
    expect(JSON.parse(info as string)).toMatchObject({ level: 'INFO', requestId: expect.any(String), message: expect.stringContaining('info line: hello-1') });
    expect(messages).toContain('raw stdout line');
    expect(newest.events?.map((event) => event.message)).toEqual([messages[messages.length - 1]]);
    expect(newest.events?.[0]?.message).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: /);
  });

  it('filters with terms, phrases and JSON patterns', async () => {
    // prepare
    await eventually('REPORT', 3);
    const filter = async (filterPattern: string) =>
      ((await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern }))).events ?? []).map((event) => event.message as string);
    // act
    const reports = await filter('REPORT');
    const phrase = await filter('"info line: hello-2"');
    const errors = await filter('{ $.level = "ERROR" }');
    const errorOrWarn = await filter('{ $.level = "ERROR" || $.level = "WARN" }');
    const helloButNotOne = await filter('"info line" -hello-1');
    // assess
    expect(reports).toHaveLength(3);
    expect(phrase).toHaveLength(1);
    expect(errors.map((message) => JSON.parse(message).message)).toEqual([
      expect.stringContaining('error line'),
      expect.stringContaining('error line'),
      expect.stringContaining('broken greeting'),
    ]);
    expect(errorOrWarn).toHaveLength(5);
    expect(helloButNotOne.map((message) => JSON.parse(message).message)).toEqual([expect.stringContaining('hello-2')]);
  });

  it('pages FilterLogEvents with stable event ids', async () => {
    // prepare
    await eventually('REPORT', 3);
    const all = (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }))).events ?? [];
    // act
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 5, nextToken }));
      ids.push(...(page.events ?? []).map((event) => event.eventId as string));
      nextToken = page.nextToken;
    } while (nextToken);
    // assess
    expect(ids).toEqual(all.map((event) => event.eventId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers a missing group and a bad pattern with AWS errors', async () => {
    const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: CloudWatchLogsServiceException) => ({ name: error.name, message: error.message }));
    // act
    const missing = await rejection(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/absent' })));
    const badPattern = await rejection(logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: '{ $.level = }' })));
    // assess
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', message: expect.stringContaining('/aws/lambda/absent') });
    expect(badPattern).toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('Invalid filter pattern') });
  });
});

describe.skipIf(!awsCliInstalled)(`CloudWatch Logs with the AWS CLI from Debian's awscli (${awsCliInstalled ? AWS_CLI : AWS_CLI_SKIP_REASON})`, { timeout: 180_000 }, () => {
  let follow: ChildProcess | undefined;

  afterAll(() => {
    // Also when a test timed out before its own `finally` ran.
    if (follow && follow.exitCode === null) follow.kill('SIGTERM');
  });

  it('describe-log-groups, filter-log-events and tail', async () => {
    // prepare
    await eventually('REPORT', 3);
    const endpoint = harness.edge.endpoint;
    // act
    const groups = cliJson<{ logGroups: Array<{ logGroupName: string }> }>(await awsCli(endpoint, ['logs', 'describe-log-groups']));
    const errors = cliJson<{ events: Array<{ message: string }> }>(
      await awsCli(endpoint, ['logs', 'filter-log-events', '--log-group-name', GROUP, '--filter-pattern', '{ $.level = "ERROR" }']),
    );
    const tail = await awsCli(endpoint, ['logs', 'tail', GROUP, '--since', '1h', '--format', 'short']);
    // assess
    expect(groups.logGroups.map((group) => group.logGroupName)).toEqual([ACCESS_LOGS, GROUP]);
    expect(errors.events).toHaveLength(3);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('info line: hello-1');
    expect(tail.stdout).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration/);
  });

  it('tail --follow shows an invocation that happens while it runs', async () => {
    // prepare
    const child = spawn(AWS_CLI, ['logs', 'tail', GROUP, '--follow', '--since', '1m', '--format', 'short', '--endpoint-url', harness.edge.endpoint], {
      env: { PATH: process.env.PATH ?? '/usr/bin', HOME: stack.root, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_DEFAULT_REGION: 'eu-west-1', AWS_PAGER: '',
        // Python buffers stdout to a pipe; a person at a terminal sees each line at once.
        PYTHONUNBUFFERED: '1' },
    });
    let output = '';
    follow = child;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const shown = async (text: string) => {
      while (!output.includes(text)) {
        if (child.exitCode !== null) throw new Error(`aws logs tail --follow exited ${child.exitCode}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await shown('info line: hello-1');
      // act
      await invoke({ action: 'log', message: 'while-following' });
      // assess: the CLI polls FilterLogEvents every 5 s and prints the new lines once
      await shown('info line: while-following');
      expect(output.split('info line: hello-1').length - 1).toBe(1);
    } finally {
      child.kill('SIGINT');
    }
  });
});
