import { describe, expect, it } from 'vitest';
import type { LocalCloudContext, ResolvedResource } from '../../src/core/types';
import { createEventBridgeModule } from '../../src/services/eventbridge';

function context(): LocalCloudContext {
  const unused = () => {
    throw new Error('unused peer');
  };
  return {
    accountId: '000000000000',
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:4566',
    dataDir: '/nonexistent',
    inMemory: true,
    peers: { lambda: unused, sqs: unused, events: unused, firehose: unused },
    log: () => undefined,
  };
}

function resource(type: string, name: string, config: Record<string, unknown>): ResolvedResource {
  return { stack: 'platform', type, name, address: `${type}.${name}`, config, stackDir: '/tmp' };
}

describe('EventBridge provisioners', () => {
  it('applies a bus, rule, target with retry/DLQ/transformer, archive and bus policy from Terraform config', async () => {
    // prepare
    const module = createEventBridgeModule(context(), { runSchedules: false });
    const apply = (type: string, name: string, config: Record<string, unknown>) =>
      module.provisioners.find((provisioner) => provisioner.type === type)?.apply(resource(type, name, config));
    // act
    const bus = await apply('aws_cloudwatch_event_bus', 'platform', { name: 'platform' });
    const rule = await apply('aws_cloudwatch_event_rule', 'all', { name: 'all-business-events', event_bus_name: 'platform', event_pattern: '{"source":[{"prefix":"kestrel."}]}' });
    const target = await apply('aws_cloudwatch_event_target', 'ingest', {
      rule: 'all-business-events',
      event_bus_name: 'platform',
      target_id: 'ingest',
      arn: 'arn:aws:lambda:eu-west-1:000000000000:function:ingest',
      retry_policy: { maximum_retry_attempts: 4, maximum_event_age_in_seconds: 300 },
      dead_letter_config: [{ arn: 'arn:aws:sqs:eu-west-1:000000000000:ingest-dlq' }],
      input_transformer: { input_paths: { id: '$.id' }, input_template: '{"eventId": <id>}' },
    });
    const archive = await apply('aws_cloudwatch_event_archive', 'archive', { name: 'platform-archive', event_source_arn: bus?.arn, retention_days: 30 });
    await apply('aws_cloudwatch_event_bus_policy', 'policy', { event_bus_name: 'platform', policy: '{"Version":"2012-10-17","Statement":[]}' });
    // assess
    expect(bus).toEqual({ id: 'platform', name: 'platform', arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform' });
    expect(rule).toMatchObject({ id: 'platform/all-business-events', arn: 'arn:aws:events:eu-west-1:000000000000:rule/platform/all-business-events' });
    expect(target).toMatchObject({ id: 'platform-all-business-events-ingest' });
    expect(archive).toMatchObject({ arn: 'arn:aws:events:eu-west-1:000000000000:archive/platform-archive' });
    const state = module.state.find((contributor) => contributor.stateKey === 'buses')?.describe();
    expect(state).toEqual([
      { name: 'default', arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/default', rules: [] },
      {
        name: 'platform',
        arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/platform',
        policy: '{"Version":"2012-10-17","Statement":[]}',
        rules: [
          {
            name: 'all-business-events',
            arn: 'arn:aws:events:eu-west-1:000000000000:rule/platform/all-business-events',
            pattern: { source: [{ prefix: 'kestrel.' }] },
            schedule: undefined,
            state: 'ENABLED',
            targets: [
              {
                id: 'ingest',
                arn: 'arn:aws:lambda:eu-west-1:000000000000:function:ingest',
                dlq: 'arn:aws:sqs:eu-west-1:000000000000:ingest-dlq',
                retryPolicy: { maximumRetryAttempts: 4, maximumEventAgeInSeconds: 300 },
              },
            ],
          },
        ],
      },
    ]);
    expect(module.state.find((contributor) => contributor.stateKey === 'archives')?.describe()).toEqual([
      { name: 'platform-archive', arn: 'arn:aws:events:eu-west-1:000000000000:archive/platform-archive', bus: 'platform', eventCount: 0, retentionDays: 30, state: 'ENABLED' },
    ]);
  });

  it('names the resource in errors for invalid config', async () => {
    // prepare
    const module = createEventBridgeModule(context(), { runSchedules: false });
    const target = module.provisioners.find((provisioner) => provisioner.type === 'aws_cloudwatch_event_target');
    await module.provisioners.find((provisioner) => provisioner.type === 'aws_cloudwatch_event_rule')?.apply(resource('aws_cloudwatch_event_rule', 'r', { name: 'r', event_pattern: '{"source":["a"]}' }));
    // act
    const failure = await target
      ?.apply(resource('aws_cloudwatch_event_target', 't', { rule: 'r', target_id: 't', arn: 'arn:aws:sqs:eu-west-1:000000000000:q', input: '{}', input_path: '$.detail' }))
      .catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toBe('aws_cloudwatch_event_target.t: ValidationException: Only one of Input, InputPath, or InputTransformer can be specified.');
  });
});
