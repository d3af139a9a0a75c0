/**
 * A DynamoDB-stream pipe under enforced IAM across a restart of the whole local cloud: the pipe comes back from
 * the data dir before its stack is applied again, and the role it reads the stream as comes back only with that
 * apply. Nothing may be judged (and refused) in between.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { pipesModuleFactory } from '../../src/services/pipes';
import type { PipesModule, PipeSummary } from '../../src/services/pipes';
import { createSqsModule } from '../../src/services/sqs';
import { createStsModule } from '../../src/services/sts';

const REGION = 'eu-west-1';

/** The outbox shape every service stack has: a table with a stream, the pipe's role and grants, the pipe after its grants. */
function writeStack(root: string): string {
  const stackDir = join(root, 'stacks', 'restart-outbox');
  mkdirSync(stackDir, { recursive: true });
  const statement = (Action: string[], Resource: string) => ({ Effect: 'Allow', Action, Resource });
  const document = {
    '//': { metadata: { stackName: 'restart-outbox' } },
    provider: { aws: [{ region: REGION }] },
    resource: {
      aws_dynamodb_table: {
        outbox: {
          name: 'restart-outbox',
          billing_mode: 'PAY_PER_REQUEST',
          hash_key: 'pk',
          attribute: [{ name: 'pk', type: 'S' }],
          stream_enabled: true,
          stream_view_type: 'NEW_IMAGE',
        },
      },
      aws_cloudwatch_event_bus: { bus: { name: 'restart-bus' } },
      aws_sqs_queue: { dlq: { name: 'restart-outbox-pipe-dlq' } },
      aws_iam_role: {
        pipe: {
          name: 'restart-outbox-pipe',
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pipes.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        },
      },
      aws_iam_role_policy: {
        pipe: {
          name: 'outbox-pipe',
          role: '${aws_iam_role.pipe.id}',
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              statement(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], '${aws_dynamodb_table.outbox.stream_arn}'),
              statement(['events:PutEvents'], '${aws_cloudwatch_event_bus.bus.arn}'),
              statement(['sqs:SendMessage'], '${aws_sqs_queue.dlq.arn}'),
            ],
          }),
        },
      },
      aws_pipes_pipe: {
        outbox: {
          name: 'restart-outbox',
          role_arn: '${aws_iam_role.pipe.arn}',
          source: '${aws_dynamodb_table.outbox.stream_arn}',
          target: '${aws_cloudwatch_event_bus.bus.arn}',
          source_parameters: {
            dynamodb_stream_parameters: { starting_position: 'LATEST', batch_size: 10, dead_letter_config: { arn: '${aws_sqs_queue.dlq.arn}' } },
          },
          target_parameters: { eventbridge_event_bus_parameters: { source: 'restart.outbox', detail_type: 'OutboxItem' } },
          // As libs/infra-constructs declares it: the pipe is created once its role may read the stream.
          depends_on: ['aws_iam_role_policy.pipe'],
        },
      },
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(document));
  return stackDir;
}

const start = (dataDir: string) =>
  startLocalCloud({
    dataDir,
    iam: 'enforce',
    modules: [createDynamoDbModule, createSqsModule, createEventBridgeModule, pipesModuleFactory({ pollIntervalMs: 50, retryBaseDelayMs: 20, retryMaxDelayMs: 200 }), createStsModule],
  });

const pipesOf = (cloud: LocalCloud) => cloud.modules.find((module) => module.name === 'pipes') as PipesModule;

async function writeItemAndWait(cloud: LocalCloud, pk: string): Promise<PipeSummary> {
  // A pipe at LATEST skips what its first poll finds: that poll is over before the write.
  await pipesOf(cloud).service.whenIdle('restart-outbox');
  const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await ddb.send(new PutItemCommand({ TableName: 'restart-outbox', Item: { pk: { S: pk } } }));
  } finally {
    ddb.destroy();
  }
  await pipesOf(cloud).service.whenIdle('restart-outbox');
  return pipesOf(cloud).service.summaries()[0] as PipeSummary;
}

describe('a DynamoDB-stream pipe across a restart, IAM enforced', () => {
  let root: string;
  let stackDir: string;
  let cloud: LocalCloud | undefined;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'pipe-restart-iam-'));
    stackDir = writeStack(root);
  });

  afterAll(async () => {
    await cloud?.stop();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('reads its stream as its role without a single refusal, on the first start and after a restart', async () => {
    // prepare: a first run creates the pipe and publishes one item
    const dataDir = join(root, 'data');
    cloud = await start(dataDir);
    await cloud.applyStacks([stackDir]);
    const firstRun = await writeItemAndWait(cloud, 'first');
    const firstRunDenials = cloud.iamDenials();
    await cloud.stop();

    // act: the cloud starts again on the same data dir (the pipe comes back from it), then the stack is applied again
    cloud = await start(dataDir);
    const beforeApply = pipesOf(cloud).service.summaries()[0];
    // Time for a restored pipe to poll (it polls every 50 ms) if it ran before its role's grants are back.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await cloud.applyStacks([stackDir]);
    const secondRun = await writeItemAndWait(cloud, 'second');

    // assess
    expect(firstRun).toMatchObject({ state: 'RUNNING', processed: 1, failed: 0 });
    expect(firstRunDenials).toEqual([]);
    expect(beforeApply).toMatchObject({ name: 'restart-outbox', state: 'STOPPED', awaitingApply: true });
    expect(secondRun).toMatchObject({ state: 'RUNNING', processed: 1, failed: 0 });
    expect(secondRun).not.toHaveProperty('awaitingApply');
    expect(cloud.iamDenials()).toEqual([]);
  }, 120_000);
});
