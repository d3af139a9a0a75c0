import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Parser } from '@asyncapi/parser';
import { allContracts } from '@kestrel/contracts';
import { buildAsyncApi } from '../src/asyncapi';
import { writeSite } from '../src/build';
import { loadManifests } from '../src/load-manifests';
import { buildCatalog } from '../src/model';
import { loadSchemaComparison, REPO_ROOT } from '../src/repo';
import { graphColumns } from '../src/site/graph';
import { renderEventMarkdown } from '../src/site/markdown';
import { lockHistory } from '../src/history';
import { OrderPlacedV1, OrderPlacedV2, ParcelShippedV1, fixtureContracts, manifest, subscription } from './fixtures/contracts';

const shop = manifest('shop', {
  publishes: [
    { event: OrderPlacedV1, via: 'outbox', table: 'orders' },
    { event: OrderPlacedV2, via: 'outbox', table: 'orders' },
  ],
});
const billing = manifest('billing', {
  consumes: [subscription({ name: 'orders-v2', events: [OrderPlacedV2] })],
});
const lake = manifest('lake', {
  consumes: [subscription({ name: 'everything', pattern: { source: [{ prefix: 'kestrel.' }] }, wide: { reason: 'keeps every business event' } })],
});
const fixtures = [shop, billing, lake].map((m) => ({ manifest: m, file: `apps/${m.name}/service.ts` }));

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('buildCatalog', () => {
  it('groups versions per event, with producers, consumers by pattern, PII and what changed', async () => {
    // prepare
    const compareSchemas = await loadSchemaComparison();

    // act
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures, compareSchemas });

    // assess
    const order = catalog.events.find((e) => e.id === 'kestrel.shop.OrderPlaced')!;
    expect(order.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(order.producers).toEqual([{ service: 'shop', versions: [1, 2], via: 'outbox' }]);
    expect(order.consumers.map((c) => [c.service, c.subscription, c.versions, c.wideReason])).toEqual([
      ['billing', 'orders-v2', [2], undefined],
      ['lake', 'everything', [1, 2], 'keeps every business event'],
    ]);
    expect(order.versions[0]!.pii).toEqual([
      { path: 'customer.email', kind: 'email' },
      { path: 'customer.name', kind: 'name' },
    ]);
    expect(order.versions[0]!.fields).toEqual(expect.arrayContaining(['status', 'items.sku', 'customer.email']));
    expect(order.versions[0]!.changesFromPrevious).toBeUndefined();
    const changes = order.versions[1]!.changesFromPrevious!;
    expect(changes.from).toBe(1);
    expect(changes.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'detail.data.channel', kind: 'required-field-added', breaking: true }),
        expect.objectContaining({ path: 'detail.data.customer.name', kind: 'field-removed', breaking: true }),
      ]),
    );
  });

  it('draws an edge only from a manifest publishing a version the consumer receives, none from a contract owner that publishes nothing', () => {
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures });

    expect(catalog.edges).toEqual([
      { from: 'shop', to: 'billing', events: ['kestrel.shop.OrderPlaced'] },
      { from: 'shop', to: 'lake', events: ['kestrel.shop.OrderPlaced'] },
    ]);
    expect(catalog.events.find((e) => e.id === 'kestrel.warehouse.ParcelShipped')!.consumers.map((c) => [c.service, c.unpublished])).toEqual([['lake', []]]);
    expect(catalog.services.find((s) => s.name === 'lake')!.consumes[0]!.events).toEqual([
      { id: 'kestrel.shop.OrderPlaced', versions: [1, 2] },
      { id: 'kestrel.warehouse.ParcelShipped', versions: [1] },
    ]);
  });

  it('names a consumed version no manifest publishes, and draws no edge for it', () => {
    // Arrange: shop stops publishing v2, billing still consumes it.
    const shopV1Only = manifest('shop', { publishes: [{ event: OrderPlacedV1, via: 'outbox', table: 'orders' }] });
    const manifests = [shopV1Only, billing].map((m) => ({ manifest: m, file: `apps/${m.name}/service.ts` }));

    // Act
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests });

    // Assess
    expect(catalog.edges).toEqual([]);
    expect(catalog.events.find((e) => e.id === 'kestrel.shop.OrderPlaced')!.consumers.map((c) => [c.service, c.unpublished])).toEqual([['billing', [2]]]);
  });

  it('adds on-call details from the ownership registry to services that have an entry', () => {
    const ownership = { shop: { pagerDutyService: 'kestrel-shop', slackChannel: 'shop-alerts', runbookBaseUrl: 'https://example.com/runbooks' } };

    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures, ownership });

    expect(catalog.services.find((s) => s.name === 'shop')!.onCall).toEqual(ownership.shop);
    expect(catalog.services.find((s) => s.name === 'lake')!.onCall).toBeUndefined();
  });

  it('gives every version a typed field table: type, required-ness, constraints, description, PII', () => {
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures });

    const v1 = catalog.events.find((e) => e.id === 'kestrel.shop.OrderPlaced')!.versions[0]!;

    expect(v1.fieldTable.find((f) => f.path === 'orderId')).toEqual({ path: 'orderId', type: 'string (uuid)', required: true, constraints: [] });
    expect(v1.fieldTable.find((f) => f.path === 'status')).toMatchObject({ type: 'enum', constraints: ['one of "new", "paid"'] });
    expect(v1.fieldTable.find((f) => f.path === 'currency')).toMatchObject({ constraints: ['minLength 3', 'maxLength 3'] });
    expect(v1.fieldTable.find((f) => f.path === 'items')).toMatchObject({ type: 'array of object', constraints: ['minItems 1'] });
    expect(v1.fieldTable.find((f) => f.path === 'items[].quantity')).toMatchObject({ type: 'integer', required: true });
    expect(v1.fieldTable.find((f) => f.path === 'customer.email')).toMatchObject({ type: 'string (email)', pii: 'email' });
    const parcel = catalog.events.find((e) => e.id === 'kestrel.warehouse.ParcelShipped')!.versions[0]!;
    expect(parcel.fieldTable.find((f) => f.path === 'trackingNote')).toMatchObject({ required: false });
  });

  it('renders each event as Markdown: producers, consumers, versions side by side, field tables and the changelog', () => {
    const history = () => [{ date: '2026-01-15', commit: 'abc1234', subject: 'shop: OrderPlaced', event: 'published' as const, changes: [] }];
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures, history });

    const markdown = renderEventMarkdown(catalog.events.find((e) => e.id === 'kestrel.shop.OrderPlaced')!);

    expect(markdown).toContain('# OrderPlaced');
    expect(markdown).toContain('- shop: v1, v2 (via outbox)');
    expect(markdown).toContain('- billing (orders-v2): v2');
    expect(markdown).toContain('## Versions side by side');
    expect(markdown).toMatch(/\| `channel` \| — \| enum \|/);
    expect(markdown).toMatch(/\| `customer\.email` \| string \(email\) \| required \| .* \| email \|/);
    expect(markdown).toContain('- 2026-01-15 `abc1234` shop: OrderPlaced: published');
  });

  it('puts a full example event, valid against the contract, on every version', () => {
    const catalog = buildCatalog({ contracts: [ParcelShippedV1], manifests: [] });

    const example = catalog.events[0]!.versions[0]!.example as { source: string; detail: { metadata: { version: number }; data: unknown } };

    expect(example.source).toBe('kestrel.warehouse');
    expect(example.detail.metadata.version).toBe(1);
    expect(example.detail.data).toEqual(ParcelShippedV1.example);
  });
});

describe('graphColumns', () => {
  it('places each service one column right of its furthest feeder; self-loops stay put', () => {
    const columns = graphColumns(['a', 'b', 'c', 'd'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'a', to: 'c' },
      { from: 'd', to: 'd' },
    ]);

    expect(Object.fromEntries(columns)).toEqual({ a: 0, b: 1, c: 2, d: 0 });
  });

  it('terminates on cycles with every column inside the graph', () => {
    const columns = graphColumns(['a', 'b', 'c'], [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'c', to: 'a' },
    ]);

    expect([...columns.values()].every((column) => column >= 0 && column < 3)).toBe(true);
  });
});

describe('buildAsyncApi', () => {
  it('is a valid AsyncAPI 3 document for the fixtures: a channel per event, a message per version, send and receive operations', async () => {
    const document = buildAsyncApi(buildCatalog({ contracts: fixtureContracts, manifests: fixtures }));

    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));

    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed!.channels().all().map((c) => c.id())).toEqual(['kestrel.shop.OrderPlaced', 'kestrel.warehouse.ParcelShipped']);
    expect(parsed!.channels().get('kestrel.shop.OrderPlaced')!.messages().all().map((m) => m.id())).toEqual([
      'kestrel.shop.OrderPlaced.v1',
      'kestrel.shop.OrderPlaced.v2',
    ]);
    const operations = parsed!.operations().all().map((o) => [o.id(), o.action()]);
    expect(operations).toEqual(
      expect.arrayContaining([
        ['shop.publishes.kestrel.shop.OrderPlaced', 'send'],
        ['billing.orders-v2.kestrel.shop.OrderPlaced', 'receive'],
        ['lake.everything.kestrel.warehouse.ParcelShipped', 'receive'],
      ]),
    );
  });

  it('is a valid AsyncAPI 3 document for the real bus', async () => {
    const catalog = buildCatalog({ contracts: allContracts(), manifests: await loadManifests(REPO_ROOT) });

    const { document, diagnostics } = await new Parser().parse(JSON.stringify(buildAsyncApi(catalog)));

    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document!.messages().all().length).toBe(allContracts().length);
  });
});

describe('writeSite', () => {
  it('writes pages, exports and assets with relative links only, and every link resolves', async () => {
    // prepare
    const out = mkdtempSync(join(tmpdir(), 'event-catalog-'));
    temporary.push(out);
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures, compareSchemas: await loadSchemaComparison() });

    // act
    const report = writeSite(catalog, out);

    // assess
    const files = [...report.files.keys()].sort();
    expect(files).toEqual([
      'assets/catalog.css',
      'assets/search.js',
      'asyncapi.json',
      'catalog.json',
      'events/kestrel.shop.OrderPlaced.html',
      'events/kestrel.shop.OrderPlaced.md',
      'events/kestrel.warehouse.ParcelShipped.html',
      'events/kestrel.warehouse.ParcelShipped.md',
      'index.html',
      'index.md',
      'schemas/kestrel.shop/OrderPlaced.v1.json',
      'schemas/kestrel.shop/OrderPlaced.v2.json',
      'schemas/kestrel.warehouse/ParcelShipped.v1.json',
      'services/billing.html',
      'services/lake.html',
      'services/shop.html',
    ]);
    for (const page of files.filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(join(out, page), 'utf8');
      const links = [...html.matchAll(/(?:href|src)="([^"#]+)(?:#[^"]*)?"/g)].map((m) => m[1]!);
      expect(links.filter((l) => /^(https?:)?\/\//.test(l) || l.startsWith('/')), page).toEqual([]);
      const missing = links.filter((l) => !files.includes(join(page, '..', l).replace(/^\.\//, '')));
      expect(missing, page).toEqual([]);
    }
  });

  it('shows on the event page the versions, what changed, PII fields, the schema and each consumer with its pattern', async () => {
    const out = mkdtempSync(join(tmpdir(), 'event-catalog-'));
    temporary.push(out);
    writeSite(buildCatalog({ contracts: fixtureContracts, manifests: fixtures, compareSchemas: await loadSchemaComparison() }), out);

    const page = readFileSync(join(out, 'events/kestrel.shop.OrderPlaced.html'), 'utf8');

    expect(page).toContain('<h2 id="v2">Version 2 <span class="tag">current</span></h2>');
    expect(page).toContain('<h4>Changes from v1</h4>');
    expect(page).toMatch(/<code>detail\.data\.channel<\/code><\/td><td><span class="breaking">required-field-added/);
    expect(page).toContain('<td><code>customer.email</code></td><td class="pii">email</td>');
    expect(page).toContain('href="../schemas/kestrel.shop/OrderPlaced.v2.json"');
    expect(page).toContain('<a href="../services/billing.html">billing</a>');
    expect(page).toContain('<code>orders-v2</code>');
    expect(page).toContain('&quot;prefix&quot;: &quot;kestrel.&quot;');
    expect(page).toContain('shop</a> (v1, v2, via outbox)');
  });

  it('keeps catalog.json in step with the site and exported schemas equal to the contracts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'event-catalog-'));
    temporary.push(out);
    const catalog = buildCatalog({ contracts: fixtureContracts, manifests: fixtures });
    writeSite(catalog, out);

    const index = JSON.parse(readFileSync(join(out, 'catalog.json'), 'utf8')) as {
      events: { id: string; page: string; versions: { schema: string }[] }[];
      services: { name: string; page: string }[];
    };
    const schema = JSON.parse(readFileSync(join(out, 'schemas/kestrel.shop/OrderPlaced.v2.json'), 'utf8')) as Record<string, unknown>;

    expect(index.events.map((e) => e.id)).toEqual(['kestrel.shop.OrderPlaced', 'kestrel.warehouse.ParcelShipped']);
    expect(index.events[0]!.versions.map((v) => v.schema)).toEqual(['schemas/kestrel.shop/OrderPlaced.v1.json', 'schemas/kestrel.shop/OrderPlaced.v2.json']);
    expect(index.services.map((s) => s.page)).toEqual(['services/billing.html', 'services/lake.html', 'services/shop.html']);
    expect(schema.$id).toBe('urn:kestrel:event:kestrel.shop:OrderPlaced:v2');
  });

  it('builds the real catalog: every registered event and every manifest appears, within the size budget', async () => {
    const out = mkdtempSync(join(tmpdir(), 'event-catalog-'));
    temporary.push(out);
    const manifests = await loadManifests(REPO_ROOT);

    const report = writeSite(buildCatalog({ contracts: allContracts(), manifests, compareSchemas: await loadSchemaComparison() }), out);

    const eventPages = readdirSync(join(out, 'events')).filter((f) => f.endsWith('.html'));
    expect(readdirSync(join(out, 'events')).filter((f) => f.endsWith('.md')).length).toBe(eventPages.length);
    const servicePages = readdirSync(join(out, 'services'));
    expect(eventPages.sort()).toEqual([...new Set(allContracts().map((c) => `${c.source}.${c.detailType}.html`))].sort());
    expect(servicePages.sort()).toEqual(manifests.map((m) => `${m.manifest.name}.html`).sort());
    expect(report.siteBytes).toBeLessThan(200 * 1024);
  });
});

describe('lockHistory', () => {
  it('dates each commit of a lock file and says what it changed, in the gate\'s words', async () => {
    // Arrange: a lock file committed, changed compatibly, then only reformatted.
    const repo = mkdtempSync(join(tmpdir(), 'catalog-history-'));
    temporary.push(repo);
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=History', '-c', 'user.email=h@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, env: { ...process.env, GIT_COMMITTER_DATE: '2026-01-15T10:00:00Z', GIT_AUTHOR_DATE: '2026-01-15T10:00:00Z' } });
    const file = 'libs/contracts/schemas/kestrel.shop/OrderPlaced.v1.json';
    mkdirSync(join(repo, 'libs/contracts/schemas/kestrel.shop'), { recursive: true });
    git('init', '--quiet', '--initial-branch=main');
    const commit = (schema: object, message: string) => {
      writeFileSync(join(repo, file), JSON.stringify(schema, null, 2));
      git('add', '-A');
      git('commit', '--quiet', '-m', message);
    };
    const base = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    commit(base, 'shop: OrderPlaced v1');
    commit({ ...base, properties: { ...base.properties, b: { type: 'string' } } }, 'shop: optional b');

    // Act
    const entries = lockHistory(repo, file, await loadSchemaComparison());

    // Assess
    expect(entries.map((e) => [e.date, e.subject, e.event, e.changes.map((c) => c.kind)])).toEqual([
      ['2026-01-15', 'shop: OrderPlaced v1', 'published', []],
      ['2026-01-15', 'shop: optional b', 'changed', ['optional-field-added']],
    ]);
    expect(entries[0]!.commit).toMatch(/^[0-9a-f]{7}$/);
    expect(lockHistory(repo, 'libs/contracts/schemas/none.v1.json', await loadSchemaComparison())).toEqual([]);
  });
});
