import { describe, expect, it } from 'vitest';
import type { ServiceManifest } from '@kestrel/service-manifest';
import { loadManifest } from '../../src/ops/manifest';
import { burnRateMonitors, resolveSloReferences, slosForManifest } from '../../src/slo';
import { validateDefinition, validateSlo } from '../../src/validate';
import { everyTriggerManifest } from '../support/fixture-stack';

const keys = (manifest: ServiceManifest) => slosForManifest(manifest, 'production').map((slo) => slo.key);

describe('SLOs from a service manifest', () => {
  it('gives HTTP, Cognito and per-subscription objectives; freshness only where events are handled one by one', () => {
    expect(keys(everyTriggerManifest)).toEqual([
      'production/http-availability/customers',
      'production/http-latency/customers',
      'production/cognito-availability/customers',
      'production/cognito-latency/customers',
      'production/subscription-success/user-registered',
      'production/subscription-freshness/user-registered',
      // The queued subscription has no freshness SLO: its queue's oldest message (queue-backlog-age) is its freshness.
      'production/subscription-success/user-registered-batches',
    ]);
  });

  it('measures analytics by its subscription and by the lake: Firehose freshness per 5-minute slice', async () => {
    // act
    const slos = slosForManifest(await loadManifest('analytics-ingest'), 'production');

    // assess
    expect(slos.map((slo) => slo.key)).toEqual(['production/subscription-success/all-business-events', 'production/lake-freshness/raw-events']);
    expect(slos[1]).toMatchObject({
      target: 99,
      timeSlice: { query: 'max:aws.firehose.delivery_to_s3_data_freshness{deliverystreamname:kestrel-production-analytics-ingest-raw-events}', comparator: '<=', threshold: 900, intervalSeconds: 300 },
    });
  });

  it('counts a Cognito refusal as a good answer, and reads latency and freshness through threshold queries', () => {
    const byKey = new Map(slosForManifest(everyTriggerManifest, 'production').map((slo) => [slo.key, slo]));
    expect(byKey.get('production/cognito-availability/customers')?.metric?.numerator).toBe(
      'sum:kestrel.handler.invocations{service:customers,env:production,trigger:cognito,!outcome:error}.as_count()',
    );
    expect(byKey.get('production/subscription-freshness/user-registered')?.metric).toEqual({
      numerator: 'count(v: v<=60000):kestrel.event.age{service:customers,env:production,function:on-user-registered}',
      denominator: 'count(v: v>=0):kestrel.event.age{service:customers,env:production,function:on-user-registered}',
    });
  });

  it('gives every SLO a fast burn that pages (14.4 over 1 h and 5 min) and a slow burn that notifies (6 over 6 h and 30 min)', () => {
    // act
    const slos = slosForManifest(everyTriggerManifest, 'production');
    const monitors = burnRateMonitors(slos);

    // assess
    expect(monitors).toHaveLength(slos.length * 2);
    const fast = monitors.find((m) => m.key === 'production/slo-fast-burn/http-availability/customers');
    const slow = monitors.find((m) => m.key === 'production/slo-slow-burn/http-availability/customers');
    expect(fast?.query).toBe('burn_rate("slo-key:production/http-availability/customers").over("30d").long_window("1h").short_window("5m") > 14.4');
    expect(slow?.query).toBe('burn_rate("slo-key:production/http-availability/customers").over("30d").long_window("6h").short_window("30m") > 6');
    expect(fast?.message).toContain('@pagerduty-kestrel-customers');
    expect(fast?.message).toContain('docs/on-call.md#slo-fast-burn');
    expect(slow?.message).not.toContain('@pagerduty');
    expect(slow?.message).toContain('@slack-kestrel-customers-alerts');
    for (const monitor of monitors) expect(validateDefinition(monitor)).toBeUndefined();
    for (const slo of slos) expect(validateSlo(slo)).toBeUndefined();
    expect(resolveSloReferences(fast?.query ?? '', new Map([['production/http-availability/customers', 'abc123']]))).toMatch(/^burn_rate\("abc123"\)/);
  });

  it('names what is wrong with a malformed SLO', () => {
    const [slo] = slosForManifest(everyTriggerManifest, 'production');
    const problem = validateSlo({ ...slo!, target: 100, metric: { numerator: 'avg:kestrel.handler.invocations{*}', denominator: slo!.metric!.denominator } });
    expect(problem?.problems).toEqual([
      'target: 100 must be a percentage above 0 and below 100',
      'metric.numerator: "avg:kestrel.handler.invocations{*}" is neither sum:<metric>{tags}.as_count() nor a threshold query count(v: v<=N):<metric>{tags}',
    ]);
  });
});
