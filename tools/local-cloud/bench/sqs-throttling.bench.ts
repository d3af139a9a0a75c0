// What throttling does to an SQS event source mapping, as counts: N messages sent (SendMessageBatch, real SDK) to a
// queue whose function has a small reserved concurrency, consumed one message a batch by a mapping (five pollers, or
// scaling_config.maximum_concurrency); how many the function received, how many were dead-lettered after throttled
// receives, how many were lost (must be 0), and the throttled invocation attempts it took.
// Writes bench-results/sqs-throttling.json. Run: npx tsx tools/local-cloud/bench/sqs-throttling.bench.ts [--messages 100] [--sleep-ms 100]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud } from '../src/cloud';
import type { LocalCloud } from '../src/cloud';
import { lambdaModuleFactory } from '../src/services/lambda';
import { createSqsModule } from '../src/services/sqs';
import { argument, round, sleep, writeBenchResult } from './support';

const MESSAGES = argument('messages', 100);
const SLEEP_MS = argument('sleep-ms', 100);
const VISIBILITY_SECONDS = 3;
/** The function's timeout: throttled batches are retried for the visibility timeout less this. */
const TIMEOUT_SECONDS = 1;

interface Scenario {
  name: string;
  reservedConcurrency: number;
  maxReceiveCount: number;
  maximumConcurrency?: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'reserved-1-max-receive-1', reservedConcurrency: 1, maxReceiveCount: 1 },
  { name: 'reserved-1-max-receive-5', reservedConcurrency: 1, maxReceiveCount: 5 },
  { name: 'reserved-2-maximum-concurrency-2-max-receive-1', reservedConcurrency: 2, maxReceiveCount: 1, maximumConcurrency: 2 },
];

/** Appends `messageId receiveCount` per record, after its work: a line means the function handled it. */
const CONSUMER = `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.SLEEP_MS)));
  appendFileSync(process.env.RECEIVED_LOG, event.Records.map((r) => r.messageId + ' ' + r.attributes.ApproximateReceiveCount + '\\n').join(''));
};
`;

function writeStack(root: string): string {
  const stackDir = join(root, 'stacks', 'sqs-throttling');
  mkdirSync(join(stackDir, 'assets', 'consumer', 'HASH'), { recursive: true });
  writeFileSync(join(stackDir, 'assets', 'consumer', 'HASH', 'index.mjs'), CONSUMER);
  const resources = SCENARIOS.map((scenario) => [
    scenario.name,
    {
      queue: {
        name: scenario.name,
        visibility_timeout_seconds: VISIBILITY_SECONDS,
        redrive_policy: `{"deadLetterTargetArn":"\${aws_sqs_queue.${scenario.name}-dlq.arn}","maxReceiveCount":${scenario.maxReceiveCount}}`,
      },
      fn: {
        function_name: scenario.name,
        handler: 'index.handler',
        runtime: 'nodejs22.x',
        filename: 'assets/consumer/HASH',
        role: 'arn:aws:iam::000000000000:role/sqs-throttling',
        timeout: TIMEOUT_SECONDS,
        reserved_concurrent_executions: scenario.reservedConcurrency,
        environment: { variables: { RECEIVED_LOG: join(root, `${scenario.name}.log`), SLEEP_MS: String(SLEEP_MS) } },
      },
      mapping: {
        function_name: `\${aws_lambda_function.${scenario.name}.arn}`,
        event_source_arn: `\${aws_sqs_queue.${scenario.name}.arn}`,
        batch_size: 1,
        enabled: false,
        ...(scenario.maximumConcurrency === undefined ? {} : { scaling_config: { maximum_concurrency: scenario.maximumConcurrency } }),
      },
    },
  ] as const);
  const document = {
    resource: {
      aws_sqs_queue: Object.fromEntries(resources.flatMap(([name, resource]) => [[name, resource.queue], [`${name}-dlq`, { name: `${name}-dlq` }]])),
      aws_lambda_function: Object.fromEntries(resources.map(([name, resource]) => [name, resource.fn])),
      aws_lambda_event_source_mapping: Object.fromEntries(resources.map(([name, resource]) => [name, resource.mapping])),
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(document));
  return stackDir;
}

/** Receives and deletes everything in the dead-letter queue. */
async function drain(sqs: SQSClient, queueUrl: string, into: Set<string>): Promise<void> {
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) return;
    for (const message of Messages) into.add(message.MessageId as string);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle as string })) }));
  }
}

async function run(cloud: LocalCloud, sqs: SQSClient, root: string, stackDir: string, scenario: Scenario) {
  const queueUrl = `${cloud.endpoint}/000000000000/${scenario.name}`;
  const sent = new Set<string>();
  for (let start = 0; start < MESSAGES; start += 10) {
    const entries = Array.from({ length: Math.min(10, MESSAGES - start) }, (_, index) => ({ Id: String(index), MessageBody: JSON.stringify({ n: start + index }) }));
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    for (const entry of result.Successful ?? []) sent.add(entry.MessageId as string);
  }
  // Enabling the mapping once the queue is full: every scenario starts with the same backlog.
  const document = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource: { aws_lambda_event_source_mapping: Record<string, { enabled: boolean }> } };
  for (const [name, mapping] of Object.entries(document.resource.aws_lambda_event_source_mapping)) mapping.enabled = name === scenario.name;
  writeFileSync(join(stackDir, 'cdk.tf.json'), JSON.stringify(document));
  const started = performance.now();
  await cloud.applyStacks([stackDir]);

  const receivedLog = join(root, `${scenario.name}.log`);
  const received = () => (existsSync(receivedLog) ? readFileSync(receivedLog, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string]) : []);
  const deadLettered = new Set<string>();
  let elapsedMs = 0;
  for (;;) {
    await drain(sqs, `${queueUrl}-dlq`, deadLettered);
    const handled = new Set(received().map(([id]) => id));
    const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    const left = Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
    if (left === 0 && new Set([...handled, ...deadLettered]).size >= sent.size) {
      elapsedMs = performance.now() - started;
      break;
    }
    if (performance.now() - started > 300_000) throw new Error(`${scenario.name}: not settled after 300 s (${left} left in the queue)`);
    await sleep(100);
  }
  const records = received();
  const handledIds = records.map(([id]) => id);
  const handled = new Set(handledIds);
  const mappings = (await cloud.state()).eventSourceMappings as Array<Record<string, number> & { eventSourceArn: string }>;
  const mapping = mappings.find((entry) => entry.eventSourceArn.endsWith(`:${scenario.name}`));
  const receiveCounts: Record<string, number> = {};
  for (const [, count] of records) receiveCounts[count] = (receiveCounts[count] ?? 0) + 1;
  return {
    ...scenario,
    sent: sent.size,
    delivered: handled.size,
    deadLettered: deadLettered.size,
    lost: [...sent].filter((id) => !handled.has(id) && !deadLettered.has(id)).length,
    deliveredAndDeadLettered: [...handled].filter((id) => deadLettered.has(id)).length,
    duplicateDeliveries: handledIds.length - handled.size,
    deliveredByReceiveCount: receiveCounts,
    throttledAttempts: mapping?.throttles,
    batchesGivenBack: mapping?.throttledBatches,
    elapsedMs: round(elapsedMs, 0),
  };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sqs-throttling-bench-'));
  const stackDir = writeStack(root);
  const cloud = await startLocalCloud({ inMemory: true, modules: [createSqsModule, lambdaModuleFactory({ runtimes: { fetchMissing: true } })] });
  const sqs = new SQSClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await cloud.applyStacks([stackDir]);
    const results = [];
    for (const scenario of SCENARIOS) {
      const result = await run(cloud, sqs, root, stackDir, scenario);
      process.stdout.write(`${JSON.stringify(result)}\n`);
      results.push(result);
    }
    const problems = results.filter((result) => result.lost > 0).map((result) => `${result.name}: ${result.lost} lost`);
    const file = writeBenchResult(
      'sqs-throttling',
      {
        settings: { messages: MESSAGES, functionSleepMs: SLEEP_MS, functionTimeoutSeconds: TIMEOUT_SECONDS, batchSize: 1, visibilityTimeoutSeconds: VISIBILITY_SECONDS, pollers: 5 },
        note: 'counts depend on timing (which poller wins the free slot): they show the shape, not exact values; elapsedMs is a timing',
        results,
      },
      {},
      problems,
    );
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    sqs.destroy();
    await cloud.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
