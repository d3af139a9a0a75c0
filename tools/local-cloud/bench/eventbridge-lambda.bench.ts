/**
 * PutEvents → target handler finished: the latency definition, end to
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
import type { LambdaModule } from '../src/services/lambda';
import { argument, round, writeBenchResult } from './support';
import { epochNow, FUNCTION, startHarness, type Stamp } from './eventbridge-lambda-harness';

const SUSTAINED_SECONDS = argument('seconds', 30);
const SUSTAINED_RATE = argument('rate', 200);
const STEP_SECONDS = argument('step-seconds', 10);
const RAMP_RATES = [400, 800, 1200, 1600, 2400, 3200, 4800];
const TARGETS = { p50Ms: 15, p99Ms: 100 };

async function main(): Promise<void> {
  const harness = await startHarness();
  try {
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
    await harness.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
