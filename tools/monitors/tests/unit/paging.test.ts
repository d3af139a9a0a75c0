// What pages each service in production, computed from the generated monitors of its synthesized
// stacks and SLOs (the same path as the CLI): the figures docs/on-call.md quotes.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MonitorDefinition } from '../../src/definition';
import { synthesizedStacks } from '../../src/discover';
import { monitorsForStack } from '../../src/generate';
import { MONITOR_KINDS } from '../../src/kinds';
import { serviceSlos } from '../../src/service-slos';
import { burnRateMonitors } from '../../src/slo';
import { loadStack } from '../../src/stack';

const WORKSPACE = fileURLToPath(new URL('../../../..', import.meta.url));
const SERVICES = ['identity', 'customers', 'catalog', 'analytics-ingest'] as const;

const paging = (monitor: MonitorDefinition) => monitor.message.includes('@pagerduty-');

let generated: Record<string, { monitors: MonitorDefinition[]; burn: MonitorDefinition[] }>;
beforeAll(async () => {
  generated = {};
  for (const service of SERVICES) {
    const stacks = synthesizedStacks(WORKSPACE, service).map(loadStack);
    if (stacks.length === 0) throw new Error(`No synthesized stacks for ${service}: the test target depends on its synth`);
    const burn = burnRateMonitors(await serviceSlos(WORKSPACE, service, stacks.map((stack) => stack.env)));
    generated[service] = { monitors: stacks.flatMap((stack) => monitorsForStack(stack)), burn };
  }
});

describe('paging monitors per service (production)', () => {
  it('before: every P1/P2 generated monitor paged (the rule this issue replaced)', () => {
    // The old rule, applied to today's resource monitors: production and priority 1 or 2.
    const before = Object.fromEntries(
      SERVICES.map((service) => {
        const production = generated[service]!.monitors.filter((m) => m.env === 'production');
        return [service, { paging: production.filter((m) => m.priority <= 2).length, of: generated[service]!.monitors.length }];
      }),
    );
    expect(before).toEqual({
      identity: { paging: 32, of: 128 },
      customers: { paging: 38, of: 142 },
      catalog: { paging: 44, of: 166 },
      'analytics-ingest': { paging: 10, of: 26 },
    });
  });

  it('after: only SLO fast burn and data-loss signals page; the figures docs/on-call.md lists', () => {
    const after = Object.fromEntries(
      SERVICES.map((service) => {
        const all = [...generated[service]!.monitors, ...generated[service]!.burn];
        const pages = all.filter(paging);
        const byKind = Object.fromEntries([...new Set(pages.map((m) => m.kind))].sort().map((kind) => [kind, pages.filter((m) => m.kind === kind).length]));
        return [service, { paging: pages.length, of: all.length, byKind }];
      }),
    );
    expect(after).toEqual({
      identity: { paging: 4, of: 136, byKind: { 'dlq-age': 1, 'dlq-depth': 1, 'slo-fast-burn': 2 } },
      customers: { paging: 10, of: 158, byKind: { 'dlq-age': 3, 'dlq-depth': 3, 'slo-fast-burn': 4 } },
      catalog: { paging: 10, of: 182, byKind: { 'dlq-age': 3, 'dlq-depth': 3, 'slo-fast-burn': 4 } },
      'analytics-ingest': { paging: 8, of: 34, byKind: { 'dlq-age': 2, 'dlq-depth': 2, 'firehose-freshness': 1, 'queue-backlog-age': 1, 'slo-fast-burn': 2 } },
    });
  });

  it('nothing pages outside production, and every paging monitor is of a paging kind', () => {
    for (const service of SERVICES) {
      const all = [...generated[service]!.monitors, ...generated[service]!.burn];
      expect(all.filter((m) => m.env !== 'production').filter(paging)).toEqual([]);
      for (const monitor of all.filter(paging)) expect(MONITOR_KINDS[monitor.kind].pages).toBe(true);
    }
  });
});
