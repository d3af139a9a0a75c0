import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OWNERSHIP, ownershipOf } from '@kestrel/observability';
import type { ServiceManifest } from '@kestrel/service-manifest';

const APPS = fileURLToPath(new URL('../../../../apps', import.meta.url));
const services = readdirSync(APPS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(APPS, entry.name, 'service.ts')))
  .map((entry) => entry.name);

describe('ownership registry', () => {
  it('finds the services under apps/', () => {
    expect(services.length).toBeGreaterThan(0);
  });

  // Services can't call into the registry at synth without editing their stacks; this test is the gate instead.
  it.each(services)('has an entry for %s whose team is its manifest owner', async (folder) => {
    // prepare
    const manifest = ((await import(pathToFileURL(join(APPS, folder, 'service.ts')).href)) as { default: ServiceManifest }).default;

    // act
    const entry = ownershipOf(manifest.name);

    // assess
    expect(entry.team).toBe(manifest.owner.team);
    expect(entry.runbookBaseUrl).toMatch(/^https:\/\//);
    expect(entry.slackChannel).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    expect(entry.pagerDutyService).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });

  it('names the service when an entry is missing', () => {
    expect(() => ownershipOf('orders')).toThrow(/Service "orders" has no ownership entry: add .* to libs\/observability\/src\/ownership\.ts/);
    expect(Object.keys(OWNERSHIP)).not.toContain('orders');
  });
});
