/**
 * PutEvents → target handler finished: the issue's latency definition, end to
 * end through the local cloud as `startLocalCloud` composes it.
 *
 * Topology, applied from a hand-written `cdk.tf.json` by the Terraform
 * interpreter: a custom bus, a rule, a target that is a real local Lambda
 * function (an esbuild bundle of `fixtures/finish-stamp-handler.ts` on
 * nodejs22.x, run in worker processes like any function), the permission
 * letting the rule invoke it, and an on-success destination (SQS) that
 * carries the handler's own receive/finish stamps back to the benchmark after
 * the run.
 *
 * 1. Sustained: single-entry PutEvents at 200 events/s for 30 s with the real
 *    `@aws-sdk/client-eventbridge` through the edge. Latency per event =
 *    handler finished − PutEvents call started (an upper bound of
 *    "accepted → finished": it includes the client's signing and the HTTP
 *    request), also reported from the PutEvents response (negative when the
 *    handler finished before the client read the response).
 * 2. Ceiling: a ramp of 10 s steps at rising rates (PutEvents of 10 entries)
 *    until p99 > 100 ms, an event is lost, or the publisher cannot reach the rate.
 *
 * Writes `bench-results/eventbridge-lambda.json`. Targets (issue): p50 ≤ 15 ms,
 * p99 ≤ 100 ms, nothing lost.
 * Run from tools/local-cloud: `npx tsx bench/eventbridge-lambda.bench.ts [--seconds 30] [--rate 200] [--step-seconds 10]`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalCloud, type LocalCloud } from '../src/cloud';
import { createSsmModule } from '../src/services/ssm';
import { createLambdaModule, type LambdaModule } from '../src/services/lambda';
import { createSqsModule } from '../src/services/sqs';
import { createEventBridgeModule, type EventBridgeModule } from '../src/services/eventbridge';
import { argument, percentiles, projectDir, round, sleep, writeBenchResult } from './support';

const SUSTAINED_SECONDS = argument('seconds', 30);
const SUSTAINED_RATE = argument('rate', 200);
const STEP_SECONDS = argument('step-seconds', 10);
const RAMP_RATES = [400, 800, 1200, 1600, 2400, 3200, 4800];
const TARGETS = { p50Ms: 15, p99Ms: 100 };
const BUS = 'bench-bus';
const FUNCTION = 'bench-finish-stamp';
const SUCCESS_QUEUE = 'bench-finished';

/** Epoch milliseconds with sub-millisecond resolution, comparable with the handler's stamps. */
const epochNow = () => performance.timeOrigin + performance.now();

/** A synthesized-stack folder: the bundle as a directory asset and the Terraform JSON that points at it. */
async function writeStack(root: string): Promise<string> {
  const stackDir = join(root, 'stacks', 'bench-eventbridge-lambda');
  const asset = 'assets/bench-handler/BENCH/index';
  await build({
    entryPoints: [join(projectDir, 'bench', 'fixtures', 'finish-stamp-handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
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
          runtime: 'nodejs22.x',
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

interface Stamp {
  run?: string;
  seq?: string;
  receivedAt: number;
  finishedAt: number;
}

interface Sent {
  sentAt: number;
  acceptedAt?: number;
}

class Harness {
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
    const asyncBefore = { ...this.module<LambdaModule>("lambda").service.asyncQueue.stats };
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
    for (const stamp of stamps) {
      const sent = this.sent.get(`${run}/${stamp.seq}`);
      if (!sent || seen.has(stamp.seq as string)) continue;
      seen.add(stamp.seq as string);
      fromSend.push(stamp.finishedAt - sent.sentAt);
      const second = Math.floor((sent.sentAt - startedEpoch) / 1000);
      perSecond.set(second, [...(perSecond.get(second) ?? []), stamp.finishedAt - sent.sentAt]);
      if (sent.acceptedAt !== undefined) fromAccepted.push(stamp.finishedAt - sent.acceptedAt);
      handlerDuration.push(stamp.finishedAt - stamp.receivedAt);
    }
    const asyncAfter = this.module<LambdaModule>('lambda').service.asyncQueue.stats;
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
      coldStarts: this.fn.counters.coldStarts - coldStartsBefore,
      lambdaAsyncRetries: asyncAfter.retried - asyncBefore.retried,
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

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'eventbridge-lambda-bench-'));
  const stackDir = await writeStack(root);
  const cloud = await startLocalCloud({
    inMemory: true,
    modules: [createSsmModule, createLambdaModule, createSqsModule, (context) => createEventBridgeModule(context, { runSchedules: false })],
  });
  const harness = new Harness(cloud);
  try {
    const [report] = await cloud.applyStacks([stackDir]);
    const unapplied = report?.resources.filter((resource) => resource.status !== 'applied') ?? [];
    if (unapplied.length) throw new Error(`bench stack not fully applied: ${unapplied.map((resource) => `${resource.address}=${resource.status}`).join(', ')}`);

    // Clock check: the handler's stamps must fall between our before/after of a synchronous invoke.
    const clockSkewMs: number[] = [];
    for (let sample = 0; sample < 20; sample++) {
      const before = epochNow();
      const result = await harness.module<LambdaModule>('lambda').service.invokeSync(FUNCTION, '{"detail":{}}');
      const after = epochNow();
      const stamp = JSON.parse(result.payload) as Stamp;
      clockSkewMs.push(stamp.finishedAt < before ? stamp.finishedAt - before : stamp.finishedAt > after ? stamp.finishedAt - after : 0);
    }
    const clock = { samples: clockSkewMs.length, worstOutsideWindowMs: round(Math.max(...clockSkewMs.map(Math.abs))) };
    console.log('clock', JSON.stringify(clock));

    // Warm-up: JIT, sockets, one warm environment.
    await harness.run('warmup', 50, 2, 1);

    const sustained = await harness.run('sustained', SUSTAINED_RATE, SUSTAINED_SECONDS, 1);
    console.log('sustained', JSON.stringify(sustained));

    const ramp = [];
    let ceiling: { ratePerSecond: number; brokenAt?: number; reason?: string } = { ratePerSecond: SUSTAINED_RATE };
    for (const rate of RAMP_RATES) {
      const step = await harness.run(`ramp-${rate}`, rate, STEP_SECONDS, 10);
      ramp.push(step);
      console.log(`ramp ${rate}/s`, JSON.stringify(step));
      const p99 = step.latencyMs.putEventsCalledToHandlerFinished.p99;
      const reason =
        step.lost > 0 || step.putFailures > 0
          ? `${step.lost} lost, ${step.putFailures} refused`
          : p99 > TARGETS.p99Ms
            ? `p99 ${p99} ms > ${TARGETS.p99Ms} ms`
            : step.achievedSendRatePerSecond < rate * 0.95
              ? `the publisher reached only ${step.achievedSendRatePerSecond}/s`
              : undefined;
      if (reason) {
        ceiling = { ...ceiling, brokenAt: rate, reason };
        break;
      }
      ceiling = { ratePerSecond: rate };
    }

    const latency = sustained.latencyMs.putEventsCalledToHandlerFinished;
    const output = writeBenchResult('eventbridge-lambda', {
      benchmark: 'EventBridge PutEvents → Lambda target handler finished (custom bus, real SDK client through the edge, worker processes on nodejs22.x)',
      method:
        'Stack applied from cdk.tf.json (bus, rule, Lambda target with permission, on-success SQS destination). Latency = the handler\'s finish stamp (performance.timeOrigin + now(), in the worker) − the publisher\'s stamp before PutEvents; stamps read from the on-success records after each run. "Lost" = accepted by PutEvents but no success record. Publisher, local cloud and workers share this 2-core machine (and whatever else runs on it: see loadAverage1m; perSecond shows where slow events cluster).',
      clockCheck: clock,
      targets: TARGETS,
      sustained,
      ceiling: { ...ceiling, stepSeconds: STEP_SECONDS, entriesPerCall: 10, steps: ramp },
      meetsTargets: sustained.lost === 0 && sustained.putFailures === 0 && latency.p50 <= TARGETS.p50Ms && latency.p99 <= TARGETS.p99Ms,
    });
    console.log(`wrote ${output} (p50 ${latency.p50} ms, p99 ${latency.p99} ms, lost ${sustained.lost}, ceiling ${ceiling.ratePerSecond}/s)`);
  } finally {
    harness.events.destroy();
    harness.sqs.destroy();
    await cloud.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
