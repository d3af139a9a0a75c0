// What the console's invocation telemetry adds to each Lambda invocation: building the record
// (parsing the event to read its trigger and correlation id) for events of the shapes our
// functions get, from a small EventBridge event to a 1 MB direct payload.
// Run: npx tsx bench/invocation-telemetry.bench.ts   (writes bench-results/invocation-telemetry.json)
import { invocationRecord } from '../src/services/lambda/invocation-record';
import type { InvocationResult } from '../src/services/lambda/local-function';
import { median, round, writeBenchResult } from './support';

const ROUNDS = 5;
const ITERATIONS = 2_000;

const detail = (index: number) => ({
  metadata: { eventId: `e-${index}`, occurredAt: '2026-12-07T09:00:00.000Z', version: 1, correlationId: `signup-${index}`, producer: 'identity' },
  data: { userId: `u-${index}`, email: `user${index}@example.com`, givenName: 'Ada', familyName: 'Lovelace', locale: 'en' },
});
const eventBridge = { version: '0', id: 'e-1', source: 'kestrel.identity', 'detail-type': 'UserRegistered', detail: detail(1) };
const http = {
  version: '2.0',
  routeKey: 'GET /customers/{customerId}',
  rawPath: '/customers/42',
  headers: { authorization: `Bearer ${'x'.repeat(900)}`, 'x-correlation-id': 'web-7f1d' },
  requestContext: { requestId: 'NqWqX60SyTJOX0Y=', http: { method: 'GET', path: '/customers/42' }, authorizer: { jwt: { claims: { sub: '42' }, scopes: null } } },
};
const sqsBatch = {
  Records: Array.from({ length: 10 }, (_, index) => ({ messageId: `m-${index}`, eventSource: 'aws:sqs', body: JSON.stringify({ ...eventBridge, detail: detail(index) }) })),
};
const large = { action: 'echo', blob: 'x'.repeat(1024 * 1024) };

const result: InvocationResult = {
  requestId: '8f5c0e1e-0000-4000-8000-000000000000',
  payload: 'null',
  executedVersion: '$LATEST',
  coldStart: false,
  metrics: { durationMs: 2.5, billedDurationMs: 3, memorySizeMB: 512, maxMemoryUsedMB: 70 },
};

function measure(name: string, event: unknown) {
  const payload = JSON.stringify(event);
  const perRound: number[] = [];
  let record = invocationRecord('bench', { payload }, result);
  const iterations = payload.length > 100_000 ? 50 : ITERATIONS;
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    for (let index = 0; index < iterations; index += 1) record = invocationRecord('bench', { payload }, result);
    perRound.push(((performance.now() - started) * 1000) / iterations);
  }
  return { event: name, payloadBytes: Buffer.byteLength(payload), trigger: record.trigger, correlationId: record.correlationId ?? null, microsecondsPerInvocationMedian: round(median(perRound)) };
}

const cases = [measure('eventbridge', eventBridge), measure('http', http), measure('sqs batch of 10', sqsBatch), measure('1 MiB direct payload', large)];
const file = writeBenchResult('invocation-telemetry', {
  what: 'Cost of building one invocation telemetry record (JSON.parse of the event + flowContextOf), per invocation',
  rounds: ROUNDS,
  cases,
});
for (const entry of cases) console.log(`${entry.event.padEnd(22)} ${String(entry.payloadBytes).padStart(8)} B  ${entry.microsecondsPerInvocationMedian} µs  trigger=${entry.trigger}`);
console.log(`wrote ${file}`);
