import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ownershipOf } from '@kestrel/observability';
import { MONITOR_KINDS } from '../../src/kinds';
import { alertMessage, pages, priorityFor } from '../../src/message';

const input = { kind: 'dlq-depth' as const, service: 'customers', resource: 'kestrel-production-customers-x-failures', condition: 'at least one message is waiting', ownership: ownershipOf('customers') };

describe('alert messages and routing', () => {
  it('pages in production inside the alert block and again outside it (except warnings) so recovery resolves the incident', () => {
    // act
    const message = alertMessage({ ...input, env: 'production' });

    // assess
    const alert = /\{\{#is_alert\}\}([\s\S]*?)\{\{\/is_alert\}\}/.exec(message)?.[1] ?? '';
    expect(alert).toContain('@pagerduty-kestrel-customers');
    expect(alert).toContain('@slack-kestrel-customers-alerts');
    expect(alert).toContain('Runbook: https://github.com/kestrel-platform/kestrel/blob/main/docs/on-call.md#dlq-depth');
    expect(message).toMatch(/\{\{#is_recovery\}\}[\s\S]*@slack-kestrel-customers-alerts[\s\S]*\{\{\/is_recovery\}\}/);
    expect(message.split('\n').at(-1)).toBe('{{^is_warning}}@pagerduty-kestrel-customers{{/is_warning}}');
  });

  it('never pages outside production, and lowers the priority there', () => {
    const message = alertMessage({ ...input, env: 'staging' });
    expect(message).not.toContain('@pagerduty');
    expect(message).toContain('@slack-kestrel-customers-alerts');
    expect([priorityFor('dlq-depth', 'production'), priorityFor('dlq-depth', 'staging')]).toEqual([2, 3]);
    expect([pages('production', 'dlq-depth'), pages('staging', 'dlq-depth'), pages('staging', 'slo-fast-burn')]).toEqual([true, false, false]);
  });

  it('pages for user impact and data loss only: a P2 cause such as a function error rate goes to Slack', () => {
    // act
    const cause = alertMessage({ ...input, kind: 'lambda-error-rate', env: 'production' });
    const burn = alertMessage({ ...input, kind: 'slo-fast-burn', env: 'production' });
    const slowBurn = alertMessage({ ...input, kind: 'slo-slow-burn', env: 'production' });

    // assess
    expect(priorityFor('lambda-error-rate', 'production')).toBe(2);
    expect(cause).not.toContain('@pagerduty');
    expect(cause).toContain('@slack-kestrel-customers-alerts');
    expect(burn).toContain('@pagerduty-kestrel-customers');
    expect(slowBurn).not.toContain('@pagerduty');
    const paging = Object.values(MONITOR_KINDS).filter((kind) => kind.pages).map((kind) => kind.id);
    expect(paging.sort()).toEqual(['dlq-age', 'dlq-depth', 'firehose-freshness', 'queue-backlog-age', 'slo-fast-burn']);
  });

  it('omits the warning block when the monitor has no warning threshold', () => {
    expect(alertMessage({ ...input, env: 'production', warns: false })).not.toContain('{{#is_warning}}');
  });
});

describe('runbooks', () => {
  it('docs/on-call.md has one section per monitor kind, at the anchor alerts link to', () => {
    // prepare
    const doc = readFileSync(new URL('../../../../docs/on-call.md', import.meta.url), 'utf8');

    // act
    const sections = [...doc.matchAll(/^### ([a-z0-9-]+)$/gm)].map((m) => m[1]);

    // assess
    expect(sections.sort()).toEqual(Object.keys(MONITOR_KINDS).sort());
  });
});
