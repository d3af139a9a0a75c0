import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_SUMMARY_LENGTH, PagerDutyError, PagerDutyEventsClient } from '../../src/pagerduty';

const ROUTING_KEY = 'R0123456789abcdefABCDEF012345678';

/** A local stand-in for events.pagerduty.com/v2/enqueue that keeps incidents by dedup key, as PagerDuty does. */
class FakeEventsApi {
  readonly received: Record<string, unknown>[] = [];
  readonly incidents = new Map<string, 'triggered' | 'acknowledged' | 'resolved'>();
  rateLimitNext = 0;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const reply = (status: number, json: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(json));
        };
        if (request.method !== 'POST' || request.url !== '/v2/enqueue') return reply(404, { message: 'Not found' });
        if (this.rateLimitNext > 0) {
          this.rateLimitNext--;
          return reply(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' });
        }
        const event = JSON.parse(body) as { routing_key?: string; event_action?: string; dedup_key?: string; payload?: { summary?: string } };
        this.received.push(event);
        if (event.routing_key !== ROUTING_KEY) return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] });
        if ((event.payload?.summary?.length ?? 0) > 1024) return reply(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Length of \'summary\' is too long'] });
        const key = event.dedup_key ?? 'generated-key';
        const state = { trigger: 'triggered', acknowledge: 'acknowledged', resolve: 'resolved' }[event.event_action ?? ''] as 'triggered';
        if (this.incidents.has(key) || event.event_action === 'trigger') this.incidents.set(key, state);
        reply(202, { status: 'success', message: 'Event processed', dedup_key: key });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v2/enqueue`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const fake = new FakeEventsApi();
beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => {
  fake.received.length = 0;
  fake.incidents.clear();
  fake.rateLimitNext = 0;
});

const client = (overrides: Partial<ConstructorParameters<typeof PagerDutyEventsClient>[0]> = {}) =>
  new PagerDutyEventsClient({ routingKey: ROUTING_KEY, url: fake.url, backoffMs: 1, ...overrides });

describe('PagerDuty Events API v2 client', () => {
  it('triggers, acknowledges and resolves one incident by dedup key', async () => {
    // prepare
    const pagerDuty = client();

    // act
    const key = await pagerDuty.trigger({
      dedupKey: 'deploy/customers/production',
      summary: 'customers production deploy failed',
      source: 'github-actions',
      severity: 'critical',
      component: 'customers',
      links: [{ href: 'https://github.com/kestrel-platform/kestrel/actions/runs/1', text: 'Pipeline run' }],
      customDetails: { commit: 'abc123' },
    });
    const afterTrigger = fake.incidents.get(key);
    await pagerDuty.acknowledge(key);
    const afterAck = fake.incidents.get(key);
    await pagerDuty.resolve(key);

    // assess
    expect([afterTrigger, afterAck, fake.incidents.get(key)]).toEqual(['triggered', 'acknowledged', 'resolved']);
    expect(fake.received[0]).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'deploy/customers/production',
      payload: { summary: 'customers production deploy failed', source: 'github-actions', severity: 'critical', component: 'customers', custom_details: { commit: 'abc123' } },
      links: [{ href: 'https://github.com/kestrel-platform/kestrel/actions/runs/1', text: 'Pipeline run' }],
    });
    expect(fake.received.slice(1)).toEqual([
      { routing_key: ROUTING_KEY, event_action: 'acknowledge', dedup_key: key },
      { routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: key },
    ]);
  });

  it('cuts a long summary to 1024 characters instead of losing the page', async () => {
    await client().trigger({ dedupKey: 'k', summary: 'x'.repeat(5000), source: 's', severity: 'error' });
    const summary = (fake.received[0]?.payload as { summary: string }).summary;
    expect([...summary]).toHaveLength(MAX_SUMMARY_LENGTH);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('retries when PagerDuty rate-limits, then succeeds', async () => {
    fake.rateLimitNext = 2;
    await expect(client().trigger({ dedupKey: 'k', summary: 's', source: 's', severity: 'warning' })).resolves.toBe('k');
    expect(fake.incidents.get('k')).toBe('triggered');
  });

  it('gives up after its attempts with the status PagerDuty answered', async () => {
    fake.rateLimitNext = 5;
    const failure = client({ maxAttempts: 2 }).resolve('k');
    await expect(failure).rejects.toMatchObject({ name: 'PagerDutyError', status: 429 });
  });

  it('reports PagerDuty’s reasons for a refused event', async () => {
    const wrongKey = client({ routingKey: 'Z'.repeat(32) });
    await expect(wrongKey.trigger({ dedupKey: 'k', summary: 's', source: 's', severity: 'info' })).rejects.toThrow(/refused the trigger event \(HTTP 400: Event object is invalid\): Invalid routing key/);
  });

  it('refuses bad input before sending anything, listing every field', async () => {
    // act
    const attempt = client().trigger({ dedupKey: '', summary: ' ', source: '', severity: 'fatal' as never, links: [{ href: 'ftp://x' }] });

    // assess
    await expect(attempt).rejects.toThrow(PagerDutyError);
    await expect(attempt).rejects.toThrow(/dedupKey: must be 1 to 255 characters; summary: must say what is wrong; source: must name where it happened; severity: must be critical, error, warning or info; links\[0\]\.href: must be an http\(s\) URL/);
    expect(() => new PagerDutyEventsClient({ routingKey: 'short' })).toThrow(/32-character integration key/);
    expect(fake.received).toHaveLength(0);
  });
});
