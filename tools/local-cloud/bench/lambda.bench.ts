// Local Lambda figures that predict what a developer waits for: cold start
// (the REPORT line's Init Duration: process start + bundle import) and warm
// invoke latency, for the tiny test bundle and for a bundle carrying the SQS
// client (a realistic service handler), on Node 20 and Node 22. Also the
// round trip through the edge with @aws-sdk/client-lambda.
// Writes bench-results/lambda.json. Run: npx tsx tools/local-cloud/bench/lambda.bench.ts
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startEdgeServer } from '../src/edge/server';
import { buildFixtureStack, createTestCloud } from '../tests/lambda/support';
import type { FixtureStack, TestCloud } from '../tests/lambda/support';
import { percentiles, writeBenchResult } from './support';

const COLD_SAMPLES = Number(process.env.COLD_SAMPLES ?? 25);
const WARM_SAMPLES = Number(process.env.WARM_SAMPLES ?? 300);

async function measure(cloud: TestCloud, name: string, event: unknown) {
  const fn = cloud.module.service.registry.get(name);
  if (!fn) throw new Error(`${name} not deployed`);
  const payload = JSON.stringify(event);
  const initDurations: number[] = [];
  const coldWallClock: number[] = [];
  for (let sample = 0; sample < COLD_SAMPLES; sample += 1) {
    fn.reapIdle(0); // discard the warm environment: the next call is a cold start
    const started = performance.now();
    const result = await cloud.module.service.invokeSync(name, payload);
    coldWallClock.push(performance.now() - started);
    if (result.functionError || result.metrics.initDurationMs === undefined) throw new Error(`cold sample failed: ${result.payload}`);
    initDurations.push(result.metrics.initDurationMs);
  }
  const warmWallClock: number[] = [];
  const warmReported: number[] = [];
  for (let sample = 0; sample < WARM_SAMPLES; sample += 1) {
    const started = performance.now();
    const result = await cloud.module.service.invokeSync(name, payload);
    warmWallClock.push(performance.now() - started);
    warmReported.push(result.metrics.durationMs);
    if (result.coldStart) throw new Error('warm sample hit a cold start');
  }
  return {
    nodeVersion: fn.node.version,
    coldStart: { initDurationMs: percentiles(initDurations), invokeWallClockMs: percentiles(coldWallClock) },
    warm: { invokeWallClockMs: percentiles(warmWallClock), reportedDurationMs: percentiles(warmReported) },
    maxMemoryUsedMB: (await cloud.module.service.invokeSync(name, payload)).metrics.maxMemoryUsedMB,
  };
}

async function viaEdge(stack: FixtureStack) {
  const edge = await startEdgeServer({ port: 0 });
  const cloud = createTestCloud(stack, {}, edge.endpoint);
  edge.setModules([cloud.module]);
  await cloud.deployFunction('edge-echo', { runtime: 'nodejs22.x' });
  const client = new LambdaClient({ endpoint: edge.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } });
  const payload = new TextEncoder().encode(JSON.stringify({ action: 'echo', n: 1 }));
  try {
    await client.send(new InvokeCommand({ FunctionName: 'edge-echo', Payload: payload }));
    const wallClock: number[] = [];
    for (let sample = 0; sample < WARM_SAMPLES; sample += 1) {
      const started = performance.now();
      await client.send(new InvokeCommand({ FunctionName: 'edge-echo', Payload: payload }));
      wallClock.push(performance.now() - started);
    }
    return { warmSdkInvokeWallClockMs: percentiles(wallClock) };
  } finally {
    client.destroy();
    await cloud.stop();
    await edge.close();
  }
}

const [tiny, withSdk] = await Promise.all([buildFixtureStack({ production: true }), buildFixtureStack({ entry: 'sdk', production: true })]);
const bundleBytes = (stack: FixtureStack) => statSync(join(stack.stackDir, stack.directoryAsset, 'index.mjs')).size;
const results: Record<string, unknown> = {};
try {
  for (const [label, stack, event] of [
    ['tiny', tiny, { action: 'echo', n: 1 }],
    ['sqs-client', withSdk, {}],
  ] as const) {
    const cloud = createTestCloud(stack);
    try {
      for (const runtime of ['nodejs20.x', 'nodejs22.x']) {
        const name = `${label}-${runtime.replace('.', '-')}`;
        await cloud.deployFunction(name, { runtime });
        results[name] = { bundleBytes: bundleBytes(stack), runtime, ...(await measure(cloud, name, event)) };
        console.log(name, JSON.stringify(results[name]));
      }
    } finally {
      await cloud.stop();
    }
  }
  results.edge = await viaEdge(tiny);
  console.log('edge', JSON.stringify(results.edge));
} finally {
  tiny.cleanup();
  withSdk.cleanup();
}

const file = writeBenchResult('lambda', {
  method:
    'Cold: the idle environment is discarded before each sample, so each call spawns a process and imports the bundle; initDurationMs is what the REPORT line prints. Warm: sequential invocations of one environment; wall clock includes IPC, reported duration is the handler time the REPORT line prints.',
  samples: { cold: COLD_SAMPLES, warm: WARM_SAMPLES },
  results,
});
console.log(`wrote ${file}`);
