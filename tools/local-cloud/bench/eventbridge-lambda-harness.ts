/**
 * The PutEvents → Lambda handler topology and load harness shared by
 * `eventbridge-lambda.bench.ts` and `console.bench.ts`: a custom bus, a rule,
 * a real local Lambda target (`fixtures/finish-stamp-handler.ts`) and an
 * on-success SQS destination carrying the handler's stamps back.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { startLocalCloud, type LocalCloud } from '../src/cloud';
import { createSsmModule } from '../src/services/ssm';
import { lambdaModuleFactory } from '../src/services/lambda';
import { createSqsModule } from '../src/services/sqs';
import { createEventBridgeModule } from '../src/services/eventbridge';
import type { LambdaModule } from '../src/services/lambda';
import type { EventBridgeModule } from '../src/services/eventbridge';
import { cpuMsOfTree, percentiles, projectDir, round, rssMb, sleep, treeRssKb } from './support';
import type { AsyncScaleOut } from '../src/services/lambda/local-function';
export const BUS = 'bench-bus';
export const FUNCTION = 'bench-finish-stamp';
export const SUCCESS_QUEUE = 'bench-finished';

/** Epoch milliseconds with sub-millisecond resolution, comparable with the handler's stamps. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** A synthesized-stack folder: the bundle as a directory asset and the Terraform JSON that points at it. */
export async function writeStack(root: string): Promise<string> {
  const stackDir = join(root, 'stacks', 'bench-eventbridge-lambda');
  const asset = 'assets/bench-handler/BENCH/index';
  await build({
    entryPoints: [join(projectDir, 'bench', 'fixtures', 'finish-stamp-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    outfile: join(stackDir, asset, 'index.mjs'),
    logLevel: 'error',
  });
  const functionArn = `\${aws_lambda_function.handler.arn}`;
  const stack = {
    '//': { metadata: { stackName: 'bench-eventbridge-lambda', version: '0.24.0' } },
    resource: {
      aws_cloudwatch_event_bus: { bus: { name: BUS } },
      aws_cloudwatch_event_rule: {
        rule: { name: 'bench-load', event_bus_name: '${aws_cloudwatch_event_bus.bus.name}', event_pattern: JSON.stringify({ source: ['bench.load'], 'detail-type': ['Load'] }) },
      },
      aws_cloudwatch_event_target: {
        target: {
          rule: '${aws_cloudwatch_event_rule.rule.name}',
          event_bus_name: '${aws_cloudwatch_event_bus.bus.name}',
          target_id: 'function',
          arn: functionArn,
          retry_policy: { maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 8 },
        },
      },
      aws_sqs_queue: { finished: { name: SUCCESS_QUEUE } },
      aws_lambda_function: {
        handler: {
          function_name: FUNCTION,
          runtime: 'nodejs24.x',
          handler: 'index.handler',
          memory_size: 256,
          timeout: 10,
          filename: asset,
          role: 'arn:aws:iam::000000000000:role/bench',
        },
      },
      aws_lambda_permission: {
        rule: {
          action: 'lambda:InvokeFunction',
          function_name: '${aws_lambda_function.handler.function_name}',
          principal: 'events.amazonaws.com',
          source_arn: '${aws_cloudwatch_event_rule.rule.arn}',
        },
      },
      aws_lambda_function_event_invoke_config: {
        handler: {
          function_name: '${aws_lambda_function.handler.function_name}',
          maximum_retry_attempts: 2,
          destination_config: { on_success: { destination: '${aws_sqs_queue.finished.arn}' } },
        },
      },
    },
  };
  writeFileSync(join(stackDir, 'cdk.tf.json'), `${JSON.stringify(stack, null, 2)}\n`);
  return stackDir;
}

export interface Stamp {
  run?: string;
  seq?: string;
  receivedAt: number;
  finishedAt: number;
  pid?: number;
}

interface Sent {
  sentAt: number;
  acceptedAt?: number;
}

export class Harness {
  readonly events: EventBridgeClient;
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly sent = new Map<string, Sent>();
  putFailures = 0;

  constructor(readonly cloud: LocalCloud) {
    const config = { endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } };
    this.events = new EventBridgeClient(config);
    this.sqs = new SQSClient(config);
    this.queueUrl = `${cloud.endpoint}/000000000000/${SUCCESS_QUEUE}`;
  }

  module<T>(name: string): T {
    return this.cloud.modules.find((module) => module.name === name) as T;
  }

  get fn() {
    const found = this.module<LambdaModule>('lambda').service.registry.get(FUNCTION);
    if (!found) throw new Error(`${FUNCTION} was not deployed`);
    return found;
  }

  /** One PutEvents call; every entry's send and acceptance time is remembered by its key. */
  put(run: string, seqs: string[]): Promise<void> {
    const sentAt = epochNow();
    const entries: PutEventsRequestEntry[] = seqs.map((seq) => ({ EventBusName: BUS, Source: 'bench.load', DetailType: 'Load', Detail: JSON.stringify({ run, seq }) }));
    for (const seq of seqs) this.sent.set(`${run}/${seq}`, { sentAt });
    return this.events
      .send(new PutEventsCommand({ Entries: entries }))
      .then((result) => {
        const acceptedAt = epochNow();
        result.Entries?.forEach((entry, index) => {
          const key = `${run}/${seqs[index]}`;
          if (entry.ErrorCode) {
            this.putFailures += 1;
            this.sent.delete(key);
          } else (this.sent.get(key) as Sent).acceptedAt = acceptedAt;
        });
      })
      .catch(() => {
        this.putFailures += seqs.length;
        for (const seq of seqs) this.sent.delete(`${run}/${seq}`);
      });
  }

  /** Waits until EventBridge and Lambda have nothing in flight. */
  async settle(): Promise<void> {
    await this.module<EventBridgeModule>('eventbridge').service.idle();
    await this.module<LambdaModule>('lambda').service.whenAsyncIdle();
  }

  /** Reads every on-success record off the destination queue. */
  async drain(expected: number): Promise<Stamp[]> {
    const stamps: Stamp[] = [];
    let emptyPolls = 0;
    while (stamps.length < expected && emptyPolls < 3) {
      const batches = await Promise.all(
        Array.from({ length: 4 }, () => this.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))),
      );
      const messages = batches.flatMap((batch) => batch.Messages ?? []);
      if (messages.length === 0) {
        emptyPolls += 1;
        await sleep(200);
        continue;
      }
      emptyPolls = 0;
      for (const message of messages) stamps.push((JSON.parse(message.Body ?? '{}') as { responsePayload: Stamp }).responsePayload);
      for (let index = 0; index < messages.length; index += 10) {
        const chunk = messages.slice(index, index + 10);
        await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: chunk.map((message, n) => ({ Id: String(n), ReceiptHandle: message.ReceiptHandle })) }));
      }
    }
    return stamps;
  }

  /** Publishes `rate` events/s for `seconds`, `perCall` entries per PutEvents, and measures every event. */
  async run(run: string, rate: number, seconds: number, perCall: number) {
    const total = Math.round(rate * seconds);
    const interval = (1000 * perCall) / rate;
    const coldStartsBefore = this.fn.counters.coldStarts;
    const errorsBefore = this.fn.counters.errors;
    const environmentsBefore = this.fn.idleCount + this.fn.busyCount;
    const asyncBefore = { ...this.module<LambdaModule>('lambda').service.asyncQueue.stats };
    const loadBefore = loadavg()[0] ?? 0;
    const cpuBefore = cpuMsOfTree(this.fn.pids);
    const started = performance.now();
    const startedEpoch = epochNow();
    const puts: Promise<void>[] = [];
    let behindSchedule = 0;
    for (let call = 0, seq = 0; seq < total; call++) {
      const due = started + call * interval;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      else if (wait < -interval) behindSchedule += 1;
      const seqs = Array.from({ length: Math.min(perCall, total - seq) }, () => String(seq++));
      puts.push(this.put(run, seqs));
    }
    await Promise.all(puts);
    const sendSeconds = (performance.now() - started) / 1000;
    await this.settle();
    const accepted = [...this.sent.keys()].filter((key) => key.startsWith(`${run}/`)).length;
    const stamps = (await this.drain(accepted)).filter((stamp) => stamp.run === run);
    const fromSend: number[] = [];
    const fromAccepted: number[] = [];
    const handlerDuration: number[] = [];
    const perSecond = new Map<number, number[]>();
    const seen = new Set<string>();
    const eventsPerEnvironment = new Map<number, number>();
    for (const stamp of stamps) {
      const sent = this.sent.get(`${run}/${stamp.seq}`);
      if (!sent || seen.has(stamp.seq as string)) continue;
      seen.add(stamp.seq as string);
      fromSend.push(stamp.finishedAt - sent.sentAt);
      const second = Math.floor((sent.sentAt - startedEpoch) / 1000);
      perSecond.set(second, [...(perSecond.get(second) ?? []), stamp.finishedAt - sent.sentAt]);
      if (sent.acceptedAt !== undefined) fromAccepted.push(stamp.finishedAt - sent.acceptedAt);
      handlerDuration.push(stamp.finishedAt - stamp.receivedAt);
      if (stamp.pid !== undefined) eventsPerEnvironment.set(stamp.pid, (eventsPerEnvironment.get(stamp.pid) ?? 0) + 1);
    }
    const coldStarts = this.fn.counters.coldStarts - coldStartsBefore;
    // Successful cold starts only (a failed init would show up in functionErrors).
    const initDurations = coldStarts > 0 ? this.fn.initDurationsMs.slice(-coldStarts) : [];
    const asyncAfter = this.module<LambdaModule>('lambda').service.asyncQueue.stats;
    const cpuMs = cpuMsOfTree(this.fn.pids) - cpuBefore;
    // What each live environment costs in memory: the price of keeping spare ones around.
    const environmentRssMb = this.fn.pids.map((pid) => rssMb(treeRssKb(pid).rssKb)).filter((mb) => mb > 0);
    return {
      targetRatePerSecond: rate,
      seconds,
      entriesPerCall: perCall,
      achievedSendRatePerSecond: Math.round(total / sendSeconds),
      publisherBehindScheduleCalls: behindSchedule,
      sent: total,
      putFailures: total - accepted,
      handlerFinished: seen.size,
      lost: accepted - seen.size,
      duplicates: stamps.length - seen.size,
      environmentsAtStart: environmentsBefore,
      coldStarts,
      coldStartInitDurationMs: percentiles(initDurations),
      /** Events each environment (by pid) ran: how the load spread over the environments. */
      eventsPerEnvironment: [...eventsPerEnvironment.values()].sort((a, b) => b - a),
      /** Resident memory of each environment alive after the run (MB). */
      environmentRssMb,
      functionErrors: this.fn.counters.errors - errorsBefore,
      lambdaAsyncRetries: asyncAfter.retried - asyncBefore.retried,
      loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
      /** CPU of the publisher, the local cloud and every environment over the run (cold starts included), per 1000 events. */
      cpuMsPerThousandEvents: round((cpuMs * 1000) / total, 0),
      latencyMs: {
        putEventsCalledToHandlerFinished: percentiles(fromSend),
        putEventsAnsweredToHandlerFinished: percentiles(fromAccepted),
        handlerDuration: percentiles(handlerDuration),
      },
      /** p99 and max per second of the run, to show where slow events cluster (cold starts, GC, other load). */
      perSecond: [...perSecond.entries()]
        .sort(([a], [b]) => a - b)
        .map(([second, values]) => {
          const { p99, max } = percentiles(values);
          return { second, p99, max };
        }),
    };
  }
}

/**
 * A local cloud (SSM, Lambda, SQS, EventBridge) with the topology applied, and its harness;
 * `close()` stops it and removes its scratch folder.
 */
export async function startHarness(options: { asyncScaleOut?: AsyncScaleOut } = {}): Promise<Harness & { close(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'eventbridge-lambda-bench-'));
  const stackDir = await writeStack(root);
  const cloud = await startLocalCloud({
    inMemory: true,
    modules: [createSsmModule, lambdaModuleFactory(options), createSqsModule, (context) => createEventBridgeModule(context, { runSchedules: false })],
  });
  const harness = new Harness(cloud);
  const close = async () => {
    harness.events.destroy();
    harness.sqs.destroy();
    await cloud.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const [report] = await cloud.applyStacks([stackDir]);
    const unapplied = report?.resources.filter((resource) => resource.status !== 'applied') ?? [];
    if (unapplied.length) throw new Error(`bench stack not fully applied: ${unapplied.map((resource) => `${resource.address}=${resource.status}`).join(', ')}`);
  } catch (error) {
    await close();
    throw error;
  }
  return Object.assign(harness, { close });
}
