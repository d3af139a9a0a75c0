import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Telemetry } from '../../src/core/telemetry';
import { LambdaLogStore } from '../../src/services/logs/log-store';
import type { TelemetryRecord } from '../../src/core/telemetry';
import { buildFixtureStack, createTestCloud, invokeJson } from './support';
import type { FixtureStack, TestCloud } from './support';

let stack: FixtureStack;
let cloud: TestCloud;
const records: TelemetryRecord[] = [];

beforeAll(async () => {
  stack = await buildFixtureStack();
  cloud = createTestCloud(stack);
  const telemetry = new Telemetry();
  telemetry.subscribe((record) => records.push(record));
  cloud.context.telemetry = telemetry;
  await cloud.deployFunction('structured');
});

afterAll(async () => {
  await cloud?.stop();
  stack?.cleanup();
});

describe('structured log lines', () => {
  it('keeps a line that is one JSON object as that object, whether written to stdout or through console', async () => {
    // act
    const result = await invokeJson(cloud, 'structured', { action: 'log-json', message: 'created' });
    const log = await cloud.readLog('structured');

    // assess: one JSON document per line, no JSON inside a JSON string (stdout and console lines arrive by
    // different channels, in either order)
    const lines = log.filter((line) => line.requestId === result.requestId && line.level);
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 'INFO', stream: 'stdout', message: { level: 'INFO', message: 'created', n: 1 } }),
      expect.objectContaining({ level: 'INFO', message: { level: 'WARN', message: 'created again' } }),
    ]));

    // CloudWatch Logs still gets each line as the function wrote it: the stdout line itself, the console line's text
    const store = new LambdaLogStore(cloud.dataDir, false);
    const messages = store.events(store.group('/aws/lambda/structured')!).map((event) => event.message);
    expect(messages).toContain('{"level":"INFO","message":"created","n":1}');
    expect(messages.map((message) => (message.startsWith('{"timestamp"') ? JSON.parse(message).message : undefined))).toContain('{"level":"WARN","message":"created again"}');
  });
});

describe('invocation telemetry', () => {
  it("publishes each invocation's REPORT facts with the trigger and correlation id read from the event", async () => {
    // prepare
    records.length = 0;
    const event = { action: 'echo', source: 'kestrel.identity', 'detail-type': 'UserRegistered', detail: { metadata: { correlationId: 'signup-ada' } } };

    // act: an EventBridge-shaped event, then a direct call that throws
    const delivered = await invokeJson(cloud, 'structured', event);
    const failed = await invokeJson(cloud, 'structured', { action: 'throw', message: 'boom' });

    // assess
    expect(records).toEqual([
      expect.objectContaining({
        type: 'invocation',
        functionName: 'structured',
        requestId: delivered.requestId,
        correlationId: 'signup-ada',
        trigger: 'eventbridge',
        coldStart: false,
        durationMs: delivered.metrics.durationMs,
      }),
      expect.objectContaining({ type: 'invocation', requestId: failed.requestId, trigger: 'direct', errorType: 'TypeError', errorMessage: 'boom' }),
    ]);
    // A flow the invocation started itself has no correlation id worth following.
    expect(records[1]).not.toHaveProperty('correlationId');
  });

  it('marks a cold start with its init duration', async () => {
    // prepare
    records.length = 0;
    await cloud.deployFunction('cold', { memory_size: 256 });

    // act
    await invokeJson(cloud, 'cold', { action: 'echo' });

    // assess
    expect(records).toEqual([expect.objectContaining({ functionName: 'cold', coldStart: true, initDurationMs: expect.any(Number) })]);
  });
});
