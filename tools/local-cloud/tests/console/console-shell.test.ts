import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createSsmModule } from '../../src/services/ssm';

describe('the local console on the edge port', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule] });
  });
  afterAll(() => cloud?.stop());

  it('serves the page and a script that esbuild built from the Preact app', async () => {
    const page = await fetch(`${cloud.endpoint}/_local/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/_local/console/app.js">');
    const script = await fetch(`${cloud.endpoint}/_local/console/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('Kestrel local console');
  });

  it('answers its JSON API and lists its routes, and lets AWS calls and unknown /_local paths through', async () => {
    const overview = (await (await fetch(`${cloud.endpoint}/_local/overview`)).json()) as { status: string; modules: string[] };
    expect(overview.status).toBe('ready');
    expect(overview.modules).toContain('ssm');
    const api = (await (await fetch(`${cloud.endpoint}/_local/api`)).json()) as { routes: { path: string }[] };
    expect(api.routes.map((route) => route.path)).toContain('/_local/overview');
    const health = await fetch(`${cloud.endpoint}/_local/health`);
    expect(health.status).toBe(200);
    const unknown = await fetch(`${cloud.endpoint}/_local/no-such-thing`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Cannot tell which AWS service');
  });
});
