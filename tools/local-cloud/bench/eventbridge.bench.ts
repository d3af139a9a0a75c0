/**
 * EventBridge → SQS target latency and throughput of the local cloud,
 * measured through the real SDK clients over the edge endpoint (loopback only).
 *
 * 1. Sustained: single-entry PutEvents at 200 events/s for 30 s; latency is
 *    from the PutEvents call to the consumer's ReceiveMessage returning the
 *    message (long polling, four consumers).
 * 2. Ceiling: PutEvents of 10 entries, 8 calls in flight, for 10 s; events
 *    per second accepted and delivered end to end.
 *
 * Writes `bench-results/eventbridge.json`. Targets (issue): p50 ≤ 15 ms, p99 ≤ 100 ms.
 * Run: `npx tsx bench/eventbridge.bench.ts [--seconds 30] [--rate 200]` from tools/local-cloud.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../src/core/types';
import { createEventBridgeModule, type EventBridgeModule } from '../src/services/eventbridge';
import { createSqsModule } from '../src/services/sqs';
import { argument, composeServices, percentiles, sleep, writeBenchResult } from './support';

const SUSTAINED_SECONDS = argument('seconds', 30);
const SUSTAINED_RATE = argument('rate', 200);
const CEILING_SECONDS = argument('ceiling-seconds', 10);
const CEILING_CONCURRENCY = 8;
const CONSUMERS = 4;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eventbridge-bench-'));
  const { edge, modules } = await composeServices((context) => [createSqsModule(context), createEventBridgeModule(context, { runSchedules: false })], { dataDir });
  const eventBridge = modules[1] as EventBridgeModule;

  const config = { endpoint: edge.endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
  const events = new EventBridgeClient(config);
  const sqs = new SQSClient(config);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-target' }))).QueueUrl as string;
  await events.send(new PutRuleCommand({ Name: 'bench', EventPattern: JSON.stringify({ source: ['bench.load'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'bench', Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:bench-target` }] }));

  // Consumers: record when each message reaches a ReceiveMessage response.
  const latencies = new Map<string, number>();
  let consuming = true;
  let received = 0;
  const consumer = async () => {
    while (consuming) {
      const batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const at = performance.now();
      if (!batch.Messages) continue;
      for (const message of batch.Messages) {
        const event = JSON.parse(message.Body ?? '{}') as { detail: { sentAt: number; run: string; seq: string } };
        received++;
        if (event.detail.run === 'sustained') latencies.set(event.detail.seq, at - event.detail.sentAt);
      }
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })) }));
    }
  };
  const consumers = Array.from({ length: CONSUMERS }, consumer);

  // Warm-up: JIT, sockets.
  for (let i = 0; i < 50; i++) {
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'bench.load', DetailType: 'Warmup', Detail: JSON.stringify({ run: 'warmup', seq: String(i), sentAt: performance.now() }) }] }));
  }
  await eventBridge.service.idle();
  await sleep(500);

  // 1. Sustained rate.
  const total = SUSTAINED_SECONDS * SUSTAINED_RATE;
  const interval = 1000 / SUSTAINED_RATE;
  const started = performance.now();
  const puts: Promise<unknown>[] = [];
  let putFailures = 0;
  for (let seq = 0; seq < total; seq++) {
    const due = started + seq * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sentAt = performance.now();
    puts.push(
      events
        .send(new PutEventsCommand({ Entries: [{ Source: 'bench.load', DetailType: 'Load', Detail: JSON.stringify({ run: 'sustained', seq: String(seq), sentAt }) }] }))
        .then((result) => {
          putFailures += result.FailedEntryCount ?? 0;
        })
        .catch(() => {
          putFailures++;
        }),
    );
  }
  await Promise.all(puts);
  const sendSeconds = (performance.now() - started) / 1000;
  const deadline = performance.now() + 10_000;
  while (latencies.size < total && performance.now() < deadline) await sleep(50);
  const sustained = {
    targetRatePerSecond: SUSTAINED_RATE,
    seconds: SUSTAINED_SECONDS,
    achievedSendRatePerSecond: Math.round(total / sendSeconds),
    sent: total,
    putFailures,
    delivered: latencies.size,
    lost: total - latencies.size,
    latencyMs: percentiles([...latencies.values()]),
  };
  console.log('sustained', JSON.stringify(sustained));

  // 2. Ceiling: as fast as 8 concurrent batch publishers go.
  const receivedBefore = received;
  const ceilingStart = performance.now();
  const ceilingEnd = ceilingStart + CEILING_SECONDS * 1000;
  let accepted = 0;
  const publisher = async (worker: number) => {
    let n = 0;
    while (performance.now() < ceilingEnd) {
      const entries = Array.from({ length: 10 }, () => ({
        Source: 'bench.load',
        DetailType: 'Ceiling',
        Detail: JSON.stringify({ run: 'ceiling', seq: `${worker}-${n++}`, sentAt: performance.now() }),
      }));
      const result = await events.send(new PutEventsCommand({ Entries: entries }));
      accepted += entries.length - (result.FailedEntryCount ?? 0);
    }
  };
  await Promise.all(Array.from({ length: CEILING_CONCURRENCY }, (_, worker) => publisher(worker)));
  const publishSeconds = (performance.now() - ceilingStart) / 1000;
  await eventBridge.service.idle();
  const drainDeadline = performance.now() + 60_000;
  while (received - receivedBefore < accepted && performance.now() < drainDeadline) await sleep(50);
  const endToEndSeconds = (performance.now() - ceilingStart) / 1000;
  const ceiling = {
    seconds: CEILING_SECONDS,
    concurrency: CEILING_CONCURRENCY,
    entriesPerCall: 10,
    acceptedEvents: accepted,
    acceptedPerSecond: Math.round(accepted / publishSeconds),
    consumedEvents: received - receivedBefore,
    endToEndPerSecond: Math.round((received - receivedBefore) / endToEndSeconds),
  };
  console.log('ceiling', JSON.stringify(ceiling));

  consuming = false;
  await Promise.all(consumers);
  events.destroy();
  sqs.destroy();
  for (const module of [...modules].reverse()) await module.stop();
  await edge.close();
  rmSync(dataDir, { recursive: true, force: true });

  const targets = { p50Ms: 15, p99Ms: 100 };
  const file = writeBenchResult('eventbridge', {
    benchmark: 'eventbridge PutEvents → SQS target (through the edge, real SDK clients, persistence on)',
    sustained,
    ceiling,
    targets,
    meetsTargets: sustained.lost === 0 && sustained.latencyMs.p50 <= targets.p50Ms && sustained.latencyMs.p99 <= targets.p99Ms,
    notes:
      'Publisher, consumers and the local cloud share one Node process on this machine; latency includes SDK signing, HTTP over loopback, rule matching, SQS enqueue and the long-poll wake-up.',
  });
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
