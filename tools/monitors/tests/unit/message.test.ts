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
    expect([pages('production', 2), pages('production', 3), pages('staging', 1)]).toEqual([true, false, false]);
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
