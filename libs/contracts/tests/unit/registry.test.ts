import { describe, expect, it } from 'vitest';
import { ContractDefinitionError, allContracts, createEventRegistry, eventRegistry, toJsonSchema } from '../../src/index';
import { registeredContracts } from '../../src/events';
import { OrderPlacedV1, OrderPlacedV2, StoreOpenedV1 } from '../fixtures/contracts';

describe('createEventRegistry', () => {
  it('looks contracts up by source, detail-type and version and lists them sorted', () => {
    // Arrange
    const registry = createEventRegistry([StoreOpenedV1, OrderPlacedV2, OrderPlacedV1]);

    // Act
    const found = registry.get('kestrel.test-shop', 'OrderPlaced', 2);
    const missing = registry.get('kestrel.test-shop', 'OrderPlaced', 3);

    // Assess
    expect(found).toBe(OrderPlacedV2);
    expect(missing).toBeUndefined();
    expect(registry.versions('kestrel.test-shop', 'OrderPlaced')).toEqual([1, 2]);
    expect(registry.all().map((c) => c.key)).toEqual([
      'kestrel.test-catalog/StoreOpened/v1',
      'kestrel.test-shop/OrderPlaced/v1',
      'kestrel.test-shop/OrderPlaced/v2',
    ]);
  });

  it('refuses the same version registered twice', () => {
    // Act / Assess
    expect(() => createEventRegistry([OrderPlacedV1, OrderPlacedV1])).toThrow(ContractDefinitionError);
    expect(() => createEventRegistry([OrderPlacedV1, OrderPlacedV1])).toThrow('kestrel.test-shop/OrderPlaced/v1 is registered twice');
  });
});

describe('eventRegistry', () => {
  it('holds exactly the contracts listed in src/events, each exportable as JSON Schema', () => {
    // Act
    const all = allContracts();

    // Assess: every listed contract is registered and publishable (no unrepresentable types, no closed objects).
    expect(all).toHaveLength(registeredContracts.length);
    for (const contract of registeredContracts) {
      expect(eventRegistry.get(contract.source, contract.detailType, contract.version)).toBe(contract);
      expect(() => toJsonSchema(contract)).not.toThrow();
    }
  });
});
