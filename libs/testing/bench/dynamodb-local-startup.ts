// Measures how long DynamoDB Local takes from spawning the JVM until it answers a real
// API call, and how long stop() takes. Writes JSON to bench/results/dynamodb-local-startup.json.
// Run: npx tsx bench/dynamodb-local-startup.ts [runs]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { startDynamoDbLocal } from '../src/dynamodb-local/harness';

const runs = Number(process.argv[2] ?? 5);

async function measure(jvmArgs: string[]) {
  const startups: number[] = [];
  const stops: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const local = await startDynamoDbLocal({ jvmArgs });
    startups.push(local.startupMs);
    const stopStarted = performance.now();
    await local.stop();
    stops.push(Math.round(performance.now() - stopStarted));
  }
  const sorted = [...startups].sort((a, b) => a - b);
  return { jvmArgs, startupMs: startups, medianStartupMs: sorted[Math.floor(sorted.length / 2)], stopMs: stops };
}

const results = {
  measuredAt: new Date().toISOString(),
  node: process.version,
  cpus: availableParallelism(),
  // Other work on the machine slows the JVM start a lot; record it next to the figures.
  loadAverage1m: loadavg()[0],
  runs,
  variants: [await measure([]), await measure(['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'])],
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/dynamodb-local-startup.json', import.meta.url), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
