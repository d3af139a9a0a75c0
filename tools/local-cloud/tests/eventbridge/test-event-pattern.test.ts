import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, InvalidEventPatternException, PutRuleCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { eventPatternCases, invalidEventPatternCases } from '../eventbridge-pattern/cases';
import { clientConfig, startHarness, type Harness } from '../sqs/harness';

const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

describe('TestEventPattern through the SDK runs the pattern engine case table', () => {
  let harness: Harness;
  let events: EventBridgeClient;

  beforeAll(async () => {
    harness = await startHarness([(context) => createEventBridgeModule(context, { runSchedules: false })]);
    events = new EventBridgeClient(clientConfig(harness.edge.endpoint));
  });

  afterAll(async () => {
    events.destroy();
    await harness.stop();
  });

  it.each(eventPatternCases.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    // act
    const result = await events.send(new TestEventPatternCommand({ EventPattern: asText(testCase.pattern), Event: asText(testCase.event) }));
    // assess
    expect(result.Result).toBe(testCase.matches);
  });

  it.each(invalidEventPatternCases.map((testCase) => [testCase.name, testCase] as const))('rejects: %s', async (_name, testCase) => {
    // act
    const failure = await events
      .send(new TestEventPatternCommand({ EventPattern: asText(testCase.pattern), Event: JSON.stringify(testCase.event) }))
      .catch((error: unknown) => error);
    // assess
    expect(failure).toBeInstanceOf(InvalidEventPatternException);
    expect((failure as Error).message).toContain(`Event pattern is not valid. Reason: ${testCase.reason}`);
  });

  it('PutRule refuses the patterns TestEventPattern refuses, with the same reason (wildcard complexity among them)', async () => {
    // act
    const failures = await Promise.all(
      invalidEventPatternCases.map((testCase, index) =>
        events.send(new PutRuleCommand({ Name: `invalid-${index}`, EventPattern: asText(testCase.pattern) })).then(
          () => undefined,
          (error: unknown) => error as Error,
        ),
      ),
    );
    // assess
    failures.forEach((failure, index) => {
      const testCase = invalidEventPatternCases[index]!;
      expect(failure, testCase.name).toBeInstanceOf(InvalidEventPatternException);
      expect(failure?.message, testCase.name).toContain(`Event pattern is not valid. Reason: ${testCase.reason}`);
    });
    expect(invalidEventPatternCases.filter((testCase) => testCase.reason.startsWith('Rule is too complex'))).toHaveLength(3);
  });

  it('rejects an event without the envelope fields AWS requires', async () => {
    // act
    const failure = await events
      .send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' }))
      .catch((error: unknown) => error);
    // assess
    expect((failure as Error).name).toBe('ValidationException');
    expect((failure as Error).message).toContain('id, account, time, region, detail-type');
  });
});
