import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DatadogMetrics, defaultSink, dogStatsdSink, eventTypeTag, logSink, sanitizeTag, type MetricPoint } from '../../src/metrics';

function memorySink(): { points: MetricPoint[]; send: (p: readonly MetricPoint[]) => Promise<void> } {
  const points: MetricPoint[] = [];
  return { points, send: async (p) => void points.push(...p) };
}

describe('Datadog metrics', () => {
  it('buffers points with default tags and sends them on flush', async () => {
    // prepare
    const sink = memorySink();
    const metrics = new DatadogMetrics({ defaultTags: { service: 'customers', env: 'staging', version: undefined }, sink, now: () => 1_700_000_000_500 });

    // act
    metrics.distribution('kestrel.handler.duration', 12.5, { Outcome: 'Success' });
    metrics.increment('kestrel.customers.created');
    const beforeFlush = sink.points.length;
    await metrics.flush();
    await metrics.flush();

    // assess
    expect(beforeFlush).toBe(0);
    expect(sink.points).toEqual([
      { name: 'kestrel.handler.duration', value: 12.5, type: 'distribution', tags: ['service:customers', 'env:staging', 'outcome:success'], timestamp: 1_700_000_000 },
      { name: 'kestrel.customers.created', value: 1, type: 'count', tags: ['service:customers', 'env:staging'], timestamp: 1_700_000_000 },
    ]);
  });

  it('rejects names and values Datadog would drop silently', () => {
    const metrics = new DatadogMetrics({ sink: memorySink() });
    expect(() => metrics.distribution('2fast', 1)).toThrow(/Invalid metric name "2fast"/);
    expect(() => metrics.distribution('kestrel.x', Number.NaN)).toThrow(/finite/);
  });

  it('sanitises tags and names contract versions the same way everywhere', () => {
    expect(sanitizeTag('Function:On User#Registered')).toBe('function:on_user_registered');
    expect(eventTypeTag('kestrel.identity', 'UserRegistered', 1)).toBe('kestrel.identity.userregistered.v1');
  });

  it('prints the flush-to-log line format when no extension is present', async () => {
    // prepare
    const lines: string[] = [];
    const metrics = new DatadogMetrics({ sink: logSink((line) => lines.push(line)), now: () => 2_000_000 });

    // act
    metrics.distribution('kestrel.event.age', 250, { event_type: 'kestrel.identity.userregistered.v1' });
    await metrics.flush();

    // assess
    expect(lines.map((line) => JSON.parse(line))).toEqual([{ m: 'kestrel.event.age', v: 250, e: 2000, t: ['event_type:kestrel.identity.userregistered.v1'] }]);
  });

  it('sends DogStatsD distribution lines over UDP to the extension', async () => {
    // prepare: a local DogStatsD listener
    const server = createSocket('udp4');
    const received = new Promise<string>((resolve) => server.on('message', (message) => resolve(message.toString())));
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const metrics = new DatadogMetrics({ defaultTags: { service: 'identity' }, sink: dogStatsdSink({ port }) });

    // act
    metrics.distribution('kestrel.handler.duration', 3.25, { trigger: 'cognito' });
    metrics.increment('kestrel.handler.errors');
    await metrics.flush();

    // assess
    expect(await received).toBe('kestrel.handler.duration:3.25|d|#service:identity,trigger:cognito\nkestrel.handler.errors:1|c|#service:identity');
    server.close();
  });

  it('refuses an unknown KESTREL_METRICS choice with the valid ones', () => {
    expect(() => defaultSink({ KESTREL_METRICS: 'carrier-pigeon' }, false)).toThrow(/dogstatsd, log or off; got "carrier-pigeon"/);
  });
});
