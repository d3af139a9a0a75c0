import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownershipOf } from '@kestrel/observability';
import type { MonitorDefinition } from '../../src/definition';
import { monitorsForStack } from '../../src/generate';
import { burnRateMonitors, slosForManifest, type SloDefinition } from '../../src/slo';
import { applyPlan, formatPlan, MissingApiKeyError, MonitorValidationError, planSync, type DatadogConnection } from '../../src/sync';
import { FakeDatadog } from '../support/fake-datadog';
import { everyTriggerManifest, synthFixture } from '../support/fixture-stack';

const fake = new FakeDatadog();
let connection: DatadogConnection;
let monitors: MonitorDefinition[];
const ownership = ownershipOf('customers');
const PD_ENV = { PAGERDUTY_KEY_KESTREL_CUSTOMERS: 'pd-integration-key-0123456789abcd' };

beforeAll(async () => {
  await fake.start();
  connection = { apiKey: 'test-api-key', appKey: 'test-app-key', baseUrl: fake.url, maxRetries: 3 };
  // A slice keeps the fake's traffic small; every kind still appears.
  const all = monitorsForStack(synthFixture('production'));
  monitors = [...new Map(all.map((m) => [m.kind, m])).values()];
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const plan = (definitions = monitors, env: NodeJS.ProcessEnv = PD_ENV) => planSync({ service: 'customers', ownership, monitors: definitions, connection, env });

describe('monitor sync against a local fake of the Datadog API', () => {
  it('creates every monitor and the PagerDuty service on first apply, then has nothing left to do', async () => {
    // prepare
    const first = await plan();

    // act
    const result = await applyPlan(first, connection, PD_ENV);
    const second = await plan();

    // assess
    expect(first.monitors.map((c) => c.action)).toEqual(monitors.map(() => 'create'));
    expect(result).toEqual({ created: monitors.length, updated: 0, deleted: 0, slos: { created: 0, updated: 0, deleted: 0 }, pagerDuty: 'created kestrel-customers' });
    expect(fake.monitors.size).toBe(monitors.length);
    const stored = [...fake.monitors.values()].find((m) => m.tags.includes(`monitor-key:${monitors[0]?.key}`));
    expect(stored).toMatchObject({ name: monitors[0]?.name, query: monitors[0]?.query, options: { notify_no_data: false, include_tags: true } });
    expect(fake.pagerDutyServices.get('kestrel-customers')).toBe(PD_ENV.PAGERDUTY_KEY_KESTREL_CUSTOMERS);
    expect(second.monitors.every((c) => c.action === 'keep')).toBe(true);
    expect(second.pagerDuty[0]?.action).toBe('update');
  });

  it('updates a monitor whose definition changed, naming the changed fields', async () => {
    // prepare
    await applyPlan(await plan(), connection, PD_ENV);
    const changed = monitors.map((m, i) => (i === 0 ? { ...m, query: m.query.replace(/> [\d.]+$/, '> 0.2'), options: { ...m.options, thresholds: { critical: 0.2, warning: 0.01 } } } : m));

    // act
    const next = await plan(changed);
    const result = await applyPlan(next, connection, PD_ENV);

    // assess
    expect(next.monitors.filter((c) => c.action === 'update')).toEqual([expect.objectContaining({ key: monitors[0]?.key, changed: ['query', 'thresholds'] })]);
    expect(result.updated).toBe(1);
    const stored = [...fake.monitors.values()].find((m) => m.tags.includes(`monitor-key:${monitors[0]?.key}`));
    expect(stored?.query).toMatch(/> 0\.2$/);
  });

  it('deletes only this service’s generated monitors that are no longer generated', async () => {
    // prepare
    await applyPlan(await plan(), connection, PD_ENV);
    const manual = fake.seed({ name: 'hand-made', type: 'query alert', query: 'avg(last_5m):avg:x{*} > 1', message: 'm', tags: ['service:customers'] });
    const otherService = fake.seed({ name: 'identity one', type: 'query alert', query: 'avg(last_5m):avg:x{*} > 1', message: 'm', tags: ['service:identity', 'managed-by:kestrel-monitors', 'monitor-key:production/x/y'] });

    // act
    const next = await plan(monitors.slice(1));
    const result = await applyPlan(next, connection, PD_ENV);

    // assess
    expect(next.monitors.filter((c) => c.action === 'delete').map((c) => c.key)).toEqual([monitors[0]?.key]);
    expect(result.deleted).toBe(1);
    expect(fake.monitors.has(manual.id)).toBe(true);
    expect(fake.monitors.has(otherService.id)).toBe(true);
    expect(fake.monitors.size).toBe(monitors.length + 1);
  });

  it('stops on a monitor the API rejects, names it, and changes nothing', async () => {
    // prepare: passes the local checks, fails the API's query parser
    const broken = { ...monitors[0]!, query: monitors[0]!.query.replace('}', '') };

    // act
    const attempt = plan([broken, ...monitors.slice(1)]);

    // assess
    await expect(attempt).rejects.toThrow(MonitorValidationError);
    await expect(attempt).rejects.toThrow(/1 monitor\(s\) failed validation; nothing was changed:[\s\S]*Function error rate high[\s\S]*HTTP 400: Syntax error in query: unbalanced braces/);
    expect(fake.monitors.size).toBe(0);
    expect(fake.requests.some((r) => r.startsWith('POST /api/v1/monitor') && !r.endsWith('/validate'))).toBe(false);
  });

  it('rejects a malformed monitor locally before calling the API', async () => {
    const broken = { ...monitors[0]!, query: 'errors are bad', message: '{{#is_alert}} no close' };
    await expect(plan([broken])).rejects.toThrow(/query: "errors are bad" is not[\s\S]*unclosed block/);
    expect(fake.requests).toEqual([]);
  });

  it('retries when Datadog rate-limits (429) and completes', async () => {
    // prepare
    fake.rateLimitNext = 2;

    // act
    const result = await applyPlan(await plan(), connection, PD_ENV);

    // assess
    expect(result.created).toBe(monitors.length);
    // The first two requests (listing SLOs) were refused and retried.
    expect(fake.requests.filter((r) => r === 'GET /api/v1/slo').length).toBe(3);
    expect(fake.requests.filter((r) => r === 'POST /api/v1/monitor/validate').length).toBe(monitors.length);
  });

  it('plans without keys (local validation only) but refuses to apply without them', async () => {
    // act
    const dryRun = await planSync({ service: 'customers', ownership, monitors });

    // assess
    expect(dryRun.againstApi).toBe(false);
    expect(formatPlan(dryRun)).toContain('dry run without DD_API_KEY/DD_APP_KEY');
    await expect(applyPlan(dryRun, undefined)).rejects.toThrow(MissingApiKeyError);
    await expect(applyPlan(dryRun, undefined)).rejects.toThrow(/--apply needs DD_API_KEY and DD_APP_KEY/);
    expect(fake.requests).toEqual([]);
  });

  it('refuses to create the PagerDuty service without its integration key, before writing monitors', async () => {
    const withoutKey = await plan(monitors, {});
    expect(withoutKey.pagerDuty[0]).toMatchObject({ action: 'create', note: 'needs PAGERDUTY_KEY_KESTREL_CUSTOMERS to apply' });
    await expect(applyPlan(withoutKey, connection, {})).rejects.toThrow(/set PAGERDUTY_KEY_KESTREL_CUSTOMERS to its integration key/);
    expect(fake.monitors.size).toBe(0);
  });
});

describe('SLO sync against the fake Datadog API', () => {
  const slos = slosForManifest(everyTriggerManifest, 'production');
  const burn = burnRateMonitors(slos);
  const planSlos = (wanted: readonly SloDefinition[] = slos, burning = burn) =>
    planSync({ service: 'customers', ownership, monitors: burning, slos: wanted, connection, env: PD_ENV });

  it('creates the SLOs first, then burn-rate monitors naming them by id; a second plan keeps everything', async () => {
    // act
    const result = await applyPlan(await planSlos(), connection, PD_ENV);
    const second = await planSlos();

    // assess
    expect(result.slos).toEqual({ created: slos.length, updated: 0, deleted: 0 });
    expect(result.created).toBe(burn.length);
    expect(fake.requests.indexOf('POST /api/v1/slo')).toBeLessThan(fake.requests.indexOf('POST /api/v1/monitor'));
    const availability = [...fake.slos.values()].find((slo) => slo.tags.includes('slo-key:production/http-availability/customers'));
    expect(availability).toMatchObject({
      type: 'metric',
      thresholds: [{ timeframe: '30d', target: 99.9 }],
      query: {
        numerator: 'sum:kestrel.handler.invocations{service:customers,env:production,trigger:http,!outcome:error}.as_count()',
        denominator: 'sum:kestrel.handler.invocations{service:customers,env:production,trigger:http}.as_count()',
      },
    });
    const fast = [...fake.monitors.values()].find((m) => m.tags.includes('monitor-key:production/slo-fast-burn/http-availability/customers'));
    expect(fast?.query).toBe(`burn_rate("${availability?.id}").over("30d").long_window("1h").short_window("5m") > 14.4`);
    expect(fast?.type).toBe('slo alert');
    const lake = [...fake.slos.values()].find((slo) => slo.type === 'time_slice');
    expect(lake).toBeUndefined(); // the fixture writes no Firehose stream
    expect(second.slos.every((c) => c.action === 'keep')).toBe(true);
    expect(second.monitors.every((c) => c.action === 'keep')).toBe(true);
  });

  it('updates an SLO whose target changed, and deletes one no longer generated after its monitors', async () => {
    // prepare
    await applyPlan(await planSlos(), connection, PD_ENV);
    const [first, ...rest] = slos as [SloDefinition, ...SloDefinition[]];
    const stricter = { ...first, target: 99.95 };
    const dropped = rest.at(-1) as SloDefinition;
    const wanted = [stricter, ...rest.slice(0, -1)];

    // act
    const changes = await planSlos(wanted, burnRateMonitors(wanted));
    const result = await applyPlan(changes, connection, PD_ENV);

    // assess
    expect(changes.slos.find((c) => c.key === first.key)).toMatchObject({ action: 'update', changed: ['target'] });
    expect(changes.slos.find((c) => c.key === dropped.key)?.action).toBe('delete');
    expect(result.slos).toEqual({ created: 0, updated: 1, deleted: 1 });
    expect(result.deleted).toBe(2); // its fast and slow burn monitors, before it (the fake refuses the other order)
    expect([...fake.slos.values()].some((slo) => slo.tags.includes(`slo-key:${dropped.key}`))).toBe(false);
  });

  it('refuses a burn-rate monitor whose SLO is not being synced, before calling the API', async () => {
    await expect(planSlos(slos.slice(1), burn)).rejects.toThrow(/is not one of the SLOs being synced/);
    expect(fake.requests).toEqual([]);
  });

  it('plans without keys: every SLO to create, listed before the monitors', async () => {
    const dryRun = await planSync({ service: 'customers', ownership, monitors: burn, slos });
    expect(dryRun.slos.map((c) => c.action)).toEqual(slos.map(() => 'create'));
    expect(formatPlan(dryRun).split('\n')[0]).toBe(`SLOs for customers: ${slos.length} to create, 0 to update, 0 to delete, 0 to keep`);
  });
});
