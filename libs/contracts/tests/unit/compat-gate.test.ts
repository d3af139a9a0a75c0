import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { SchemaNode } from '../../compat/compare';
import { evaluateGate, formatGateReport, type ConsumerDeclaration, type Declarations, type GateInput } from '../../compat/gate';
import { parseManifestLock, serialiseManifestLock } from '../../compat/manifest-lock';
import { patternMayRoute } from '../../compat/routing';
import { lockFileFor, parseLockFile } from '../../compat/schema-lock';
import { defineEvent, toJsonSchema, type AnyEventContract } from '../../src/index';
import { OrderPlacedV1, OrderPlacedV2, StoreOpenedV1 } from '../fixtures/contracts';

function lock(...contracts: AnyEventContract[]): Map<string, SchemaNode> {
  return new Map(contracts.map((c) => [lockFileFor(c), toJsonSchema(c) as SchemaNode]));
}

const StoreOpenedV1Narrowed = defineEvent({
  ...StoreOpenedV1,
  data: z.object({ storeId: z.string().min(1).max(8) }),
  example: { storeId: 'store-1' },
});
const StoreOpenedV1WithoutNote = defineEvent({ ...StoreOpenedV1, data: z.object({ storeId: z.string().min(1), note: z.string().optional() }), example: { storeId: 's' } });

const id = (c: AnyEventContract) => ({ source: c.source, detailType: c.detailType, version: c.version });
const publishers = [OrderPlacedV1, OrderPlacedV2].map((c) => ({ service: 'test-shop', event: id(c) })).concat([{ service: 'test-catalog', event: id(StoreOpenedV1) }]);

const wide: ConsumerDeclaration = { service: 'analytics-ingest', subscription: 'all-events', events: [], pattern: { source: [{ prefix: 'kestrel.' }] }, reads: [] };
const onStoreOpened: ConsumerDeclaration = { service: 'catalog', subscription: 'on-store-opened', events: [id(StoreOpenedV1)] };
const onOrderPlacedV2: ConsumerDeclaration = { service: 'customers', subscription: 'on-order-placed', events: [id(OrderPlacedV2)] };
const head: Declarations = { consumers: [wide, onStoreOpened, onOrderPlacedV2], publishers };

function gate(base: Map<string, SchemaNode>, current: Map<string, SchemaNode>, extra: Partial<GateInput> = {}) {
  return evaluateGate({ base, current, head, ...extra });
}

describe('schema lock file names', () => {
  it('map a contract version to <source>/<DetailType>.v<N>.json and back', () => {
    // Act
    const file = lockFileFor(OrderPlacedV2);

    // Assess
    expect(file).toBe('kestrel.test-shop/OrderPlaced.v2.json');
    expect(parseLockFile(file)).toEqual({ source: 'kestrel.test-shop', detailType: 'OrderPlaced', version: 2 });
    expect(parseLockFile('README.md')).toBeUndefined();
    expect(parseLockFile('kestrel.x/Thing.v0.json')).toBeUndefined();
  });
});

describe('evaluateGate', () => {
  it('lists each break of a kept version with every consumer it meets, the wide one included', () => {
    // Act
    const report = gate(lock(StoreOpenedV1, OrderPlacedV1), lock(StoreOpenedV1Narrowed, OrderPlacedV1));

    // Assess
    expect(report.compared).toBe(2);
    expect(report.breaking.map((r) => [r.contract, r.version, r.path, r.kind, r.consumers.map((c) => `${c.consumer}:${c.field}${c.wide ? ':wide' : ''}`).join(', ')])).toEqual([
      ['kestrel.test-catalog StoreOpened', 1, 'detail.data.storeId', 'length-tightened', 'analytics-ingest (all-events):not-read:wide, catalog (on-store-opened):undeclared'],
      ['kestrel.test-catalog StoreOpened', 1, 'detail.data.note', 'field-removed', 'analytics-ingest (all-events):not-read:wide, catalog (on-store-opened):undeclared'],
    ]);
  });

  it('treats a new version as compatible and leaves its predecessor untouched', () => {
    // Act
    const report = gate(lock(OrderPlacedV1), lock(OrderPlacedV1, OrderPlacedV2));

    // Assess
    expect(report.breaking).toEqual([]);
    expect(report.compatible.map((r) => [r.kind, r.version])).toEqual([['version-added', 2]]);
  });

  it('breaks when a version is removed while a consumer still names it', () => {
    // Act
    const report = gate(lock(OrderPlacedV1, OrderPlacedV2), lock(OrderPlacedV1));

    // Assess
    expect(report.breaking.map((r) => [r.kind, r.version, r.consumers.map((c) => c.consumer)])).toEqual([
      ['version-removed', 2, ['analytics-ingest (all-events)', 'customers (on-order-placed)']],
    ]);
  });

  it('breaks when the same change moves the consumer off the version it deletes: the deployed consumer still names it', () => {
    // Arrange: deployed (base) customers consumes v1; the head moves it to v2 and deletes v1.
    const deployed: Declarations = { consumers: [{ ...onOrderPlacedV2, events: [id(OrderPlacedV1)] }], publishers };

    // Act
    const report = gate(lock(OrderPlacedV1, OrderPlacedV2), lock(OrderPlacedV2), { deployed });

    // Assess
    expect(report.breaking.map((r) => [r.kind, r.version, r.consumers.map((c) => `${c.consumer}:${c.declaredAt}`)])).toEqual([
      ['version-removed', 1, ['analytics-ingest (all-events):head', 'customers (on-order-placed):base']],
    ]);
    expect(report.breaking[0]!.detail).toContain('customers (on-order-placed) [base]');
  });

  it('lets a version only a wide subscription reaches retire', () => {
    // Act
    const report = gate(lock(OrderPlacedV1, OrderPlacedV2), lock(OrderPlacedV2));

    // Assess
    expect(report.breaking).toEqual([]);
    expect(report.compatible.map((r) => [r.kind, r.version])).toEqual([['version-retired', 1]]);
  });

  it('breaks when a consumed version loses its last publisher', () => {
    // Arrange
    const unpublished: Declarations = { ...head, publishers: publishers.filter((p) => p.event.detailType !== 'StoreOpened') };

    // Act
    const report = evaluateGate({ base: lock(StoreOpenedV1), current: lock(StoreOpenedV1), head: unpublished });

    // Assess
    expect(report.breaking.map((r) => [r.kind, r.path, r.detail])).toEqual([
      ['consumed-version-unpublished', '(publishers)', 'no manifest publishes it, yet catalog (on-store-opened) consume it'],
    ]);
  });

  it('lets an optional field go when every consumer declares what it reads and none reads it, naming the deadline', () => {
    // Arrange
    const Deprecated = defineEvent({
      ...StoreOpenedV1,
      data: z.object({ storeId: z.string().min(1), note: z.string().optional().meta({ deprecated: true, removeAfter: '2027-03-01' }) }),
      example: { storeId: 's' },
    });
    const Removed = defineEvent({ ...StoreOpenedV1, data: z.object({ storeId: z.string().min(1) }), example: { storeId: 's' } });
    const readsStoreId: Declarations = { ...head, consumers: [wide, { ...onStoreOpened, reads: ['storeId'] }] };
    const readsNote: Declarations = { ...head, consumers: [wide, { ...onStoreOpened, reads: ['storeId', 'note'] }] };

    // Act
    const unread = evaluateGate({ base: lock(Deprecated), current: lock(Removed), head: readsStoreId });
    const read = evaluateGate({ base: lock(Deprecated), current: lock(Removed), head: readsNote });
    const undeclared = evaluateGate({ base: lock(StoreOpenedV1WithoutNote), current: lock(Removed), head });

    // Assess
    expect(unread.breaking).toEqual([]);
    expect(unread.compatible.map((r) => [r.kind, r.path])).toEqual([['optional-field-retired', 'detail.data.note']]);
    expect(unread.compatible[0]!.detail).toContain('deprecated with removal date 2027-03-01');
    expect(read.breaking.map((r) => [r.kind, r.consumers.map((c) => `${c.consumer}:${c.field}`)])).toEqual([
      ['optional-field-removed', ['analytics-ingest (all-events):not-read', 'catalog (on-store-opened):reads']],
    ]);
    expect(undeclared.breaking.map((r) => r.kind)).toEqual(['optional-field-removed']);
  });

  it('reports a compatible verdict that generation refutes as a gate bug', () => {
    // Arrange: a generator that claims to have found an event the deployed consumer rejects.
    const generate = () => [
      { direction: 'forward' as const, parsed: 1, discarded: 0, counterexample: { event: { detail: { data: { storeId: '' } } }, issues: 'detail.data.storeId: too small' } },
      { direction: 'replay' as const, parsed: 1, discarded: 0 },
    ];

    // Act
    const report = gate(lock(StoreOpenedV1), lock(StoreOpenedV1), { generate });

    // Assess
    expect(report.breaking.map((r) => [r.kind, r.path])).toEqual([['refuted-by-generation', '(generated event)']]);
    expect(report.breaking[0]!.detail).toContain('gate bug');
  });
});

describe('patternMayRoute', () => {
  const customerCreated = { source: 'kestrel.customers', detailType: 'CustomerCreated', version: 1 };

  it.each<[string, unknown, boolean]>([
    ['prefix on source', { source: [{ prefix: 'kestrel.' }] }, true],
    ['other prefix', { source: [{ prefix: 'acme.' }] }, false],
    ['exact fields', { source: ['kestrel.customers'], 'detail-type': ['CustomerCreated'], detail: { metadata: { version: [1] } } }, true],
    ['other version', { source: ['kestrel.customers'], detail: { metadata: { version: [2] } } }, false],
    ['anything-but the source', { source: [{ 'anything-but': ['kestrel.customers'] }] }, false],
    ['numeric range on version', { detail: { metadata: { version: [{ numeric: ['>=', 1, '<', 3] }] } } }, true],
    ['$or with one matching branch', { $or: [{ source: ['kestrel.identity'] }, { 'detail-type': [{ suffix: 'Created' }] }] }, true],
    ['wildcard', { 'detail-type': [{ wildcard: 'Customer*' }] }, true],
    ['a filter on data only (may match)', { detail: { data: { tier: ['gold'] } } }, true],
  ])('%s', (_name, pattern, expected) => {
    // Act + Assess
    expect(patternMayRoute(pattern, customerCreated)).toBe(expected);
  });
});

describe('manifest lock', () => {
  it('serialises declarations sorted and reads them back', () => {
    // Act
    const text = serialiseManifestLock({ consumers: [onStoreOpened, wide], publishers });

    // Assess
    const parsed = parseManifestLock(text, 'manifests.lock.json');
    expect(parsed.consumers.map((c) => c.service)).toEqual(['analytics-ingest', 'catalog']);
    expect(serialiseManifestLock(parsed)).toBe(text);
  });

  it('names the file and field when the lock is malformed', () => {
    // Act + Assess
    expect(() => parseManifestLock('{', 'main:libs/contracts/manifests.lock.json')).toThrow(/^main:libs\/contracts\/manifests\.lock\.json: not JSON/);
    expect(() => parseManifestLock('{"consumers":{}}', 'x.json')).toThrow('x.json: consumers must be an array');
  });
});

describe('formatGateReport', () => {
  it('prints a Markdown table of contract, version, path, change, full detail and consumers', () => {
    // Arrange
    const report = gate(lock(StoreOpenedV1), lock(StoreOpenedV1Narrowed));

    // Act
    const text = formatGateReport(report, 'origin/main');

    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toBe('Contract compatibility against origin/main: 1 contract version(s) compared.');
    expect(text).toContain('FAILED: 2 blocking change(s):');
    expect(lines.find((l) => l.startsWith('| Contract'))).toMatch(/^\| Contract +\| Version \| Path +\| Change +\| Detail +\| Consumers affected +\|$/);
    expect(lines.find((l) => l.includes('field-removed'))).toMatch(
      /^\| kestrel\.test-catalog StoreOpened \| v1 +\| detail\.data\.note +\| field-removed +\| required field removed; deployed consumers reject events without it +\| analytics-ingest \(all-events\) \[new in this change, wide, does not read it\]; catalog \(on-store-opened\) \[new in this change, reads: not declared\] \|$/,
    );
  });

  it('says OK, lists review and compatible changes, generation and notes', () => {
    // Arrange
    const Rewritten = (pattern: RegExp) => defineEvent({ ...StoreOpenedV1, data: z.object({ storeId: z.string().regex(pattern), note: z.string() }), example: { storeId: '1', note: '' } });
    const report = evaluateGate({
      base: lock(Rewritten(/^[0-9]+$/), OrderPlacedV1),
      current: lock(Rewritten(/^\d+$/), OrderPlacedV1, OrderPlacedV2),
      head: { consumers: [], publishers: [] },
      generate: () => [{ direction: 'forward', parsed: 10, discarded: 0 }, { direction: 'replay', parsed: 10, discarded: 0 }],
      notes: ['main has no manifest lock'],
    });

    // Act
    const text = formatGateReport(report, 'main');

    // Assess
    expect(text).toContain('OK: no breaking change.');
    expect(text).toContain('REVIEW: 1 change(s) the gate could neither prove nor refute:');
    expect(text).toMatch(/\| kestrel\.test-shop OrderPlaced +\| v2 +\| \(whole version\) +\| version-added +\| new version published +\| none +\|/);
    expect(text).toContain('Generation: 40 generated event(s) parsed across 2 kept version(s)');
    expect(text).toContain('Note: main has no manifest lock');
  });
});
