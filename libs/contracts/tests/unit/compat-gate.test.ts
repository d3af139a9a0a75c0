import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { SchemaNode } from '../../compat/compare';
import { evaluateGate, formatGateReport, type ConsumerDeclaration } from '../../compat/gate';
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

const consumers: ConsumerDeclaration[] = [
  { service: 'analytics-ingest', subscription: 'all-events', events: [StoreOpenedV1, OrderPlacedV1] },
  { service: 'catalog', subscription: 'on-store-opened', events: [StoreOpenedV1] },
  { service: 'customers', subscription: 'on-order-placed', events: [OrderPlacedV2] },
];

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
  it('lists each break of a kept version with the consumers of that exact version', () => {
    // Act
    const report = evaluateGate(lock(StoreOpenedV1, OrderPlacedV1), lock(StoreOpenedV1Narrowed, OrderPlacedV1), consumers);

    // Assess
    expect(report.compared).toBe(2);
    expect(report.breaking.map((r) => [r.contract, r.version, r.path, r.kind, r.consumers.join(', ')])).toEqual([
      ['kestrel.test-catalog StoreOpened', 1, 'detail.data.storeId', 'length-tightened', 'analytics-ingest (all-events), catalog (on-store-opened)'],
      ['kestrel.test-catalog StoreOpened', 1, 'detail.data.note', 'field-removed', 'analytics-ingest (all-events), catalog (on-store-opened)'],
    ]);
  });

  it('treats a new version as compatible and leaves its predecessor untouched', () => {
    // Act
    const report = evaluateGate(lock(OrderPlacedV1), lock(OrderPlacedV1, OrderPlacedV2), consumers);

    // Assess
    expect(report.breaking).toEqual([]);
    expect(report.compatible.map((r) => [r.kind, r.version])).toEqual([['version-added', 2]]);
  });

  it('breaks when a version is removed while a consumer still declares it', () => {
    // Act
    const report = evaluateGate(lock(OrderPlacedV1, OrderPlacedV2), lock(OrderPlacedV1), consumers);

    // Assess
    expect(report.breaking.map((r) => [r.kind, r.version, r.consumers])).toEqual([['version-removed', 2, ['customers (on-order-placed)']]]);
  });

  it('lets a version nobody consumes any more retire', () => {
    // Act
    const report = evaluateGate(lock(OrderPlacedV1, OrderPlacedV2), lock(OrderPlacedV2), consumers.filter((c) => c.service === 'customers'));

    // Assess
    expect(report.breaking).toEqual([]);
    expect(report.compatible.map((r) => [r.kind, r.version])).toEqual([['version-retired', 1]]);
  });
});

describe('formatGateReport', () => {
  it('prints a Markdown table of contract, version, path, break and consumers', () => {
    // Arrange
    const report = evaluateGate(lock(StoreOpenedV1), lock(StoreOpenedV1Narrowed), consumers);

    // Act
    const text = formatGateReport(report, 'origin/main');

    // Assess
    const lines = text.split('\n');
    expect(lines[0]).toBe('Contract compatibility against origin/main: 1 contract version(s) compared.');
    expect(text).toContain('FAILED: 2 breaking change(s) kept the same version:');
    expect(lines.find((l) => l.startsWith('| Contract'))).toMatch(/^\| Contract +\| Version \| Path +\| Break +\| Detail +\| Consumers affected +\|$/);
    expect(lines.find((l) => l.includes('field-removed'))).toMatch(
      /^\| kestrel\.test-catalog StoreOpened \| v1 +\| detail\.data\.note +\| field-removed +\| required field removed +\| analytics-ingest \(all-events\), catalog \(on-store-opened\) \|$/,
    );
  });

  it('says OK and still lists compatible changes when nothing breaks', () => {
    // Act
    const text = formatGateReport(evaluateGate(lock(OrderPlacedV1), lock(OrderPlacedV1, OrderPlacedV2), []), 'main');

    // Assess
    expect(text).toContain('OK: no breaking change.');
    expect(text).toMatch(/\| kestrel\.test-shop OrderPlaced \| v2 +\| \(whole version\) \| version-added \| new version published \| none declared +\|/);
  });
});
