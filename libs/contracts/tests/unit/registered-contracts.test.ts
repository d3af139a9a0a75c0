import { describe, expect, it } from 'vitest';
import * as contracts from '../../src/index';
import { declareEvent, defineEvent, type AnyEventContract } from '../../src/define-event';
import { ContractDefinitionError } from '../../src/errors';
import { asProducer } from '../../src/open-enum';
import { registeredContracts } from '../../src/events';
import { OrderPlacedV1 } from '../fixtures/contracts';

// The platform's contracts are declared with `declareEvent`, which skips the example check at
// module load (it costs every function bundle cold-start time); this file is where a wrong
// example fails instead.
const isContract = (value: unknown): value is AnyEventContract =>
  typeof value === 'object' && value !== null && 'key' in value && 'data' in value && 'example' in value;

const exportedContracts = Object.entries(contracts as Record<string, unknown>).flatMap(([name, value]) =>
  isContract(value) ? [[name, value] as const] : [],
);

describe('the platform contracts', () => {
  it('are all registered: every contract the package exports is in src/events/index.ts', () => {
    // Act
    const unregistered = exportedContracts.filter(([, contract]) => !registeredContracts.includes(contract)).map(([name]) => name);

    // Assess
    expect(exportedContracts.length).toBeGreaterThan(0);
    expect(unregistered).toEqual([]);
  });

  it.each(registeredContracts.map((contract) => [contract.key, contract] as const))('%s: the example satisfies the data schema', (_key, contract) => {
    // Act
    const result = asProducer(() => contract.data.safeParse(contract.example));

    // Assess
    expect(result.success ? [] : result.error.issues).toEqual([]);
  });
});

describe('declareEvent', () => {
  const { source, detailType, version, owner, description, data } = OrderPlacedV1;

  it('builds the same contract as defineEvent when the example fits', () => {
    // Act
    const declared = declareEvent({ source, detailType, version, owner, description, data, example: OrderPlacedV1.example });

    // Assess
    expect(declared).toEqual(defineEvent({ source, detailType, version, owner, description, data, example: OrderPlacedV1.example }));
    expect(Object.isFrozen(declared)).toBe(true);
  });

  it('still refuses bad naming when the module loads', () => {
    // Act / Assess
    expect(() => declareEvent({ source, detailType: 'OrderPlacedV2', version, owner, description, data, example: OrderPlacedV1.example })).toThrow(
      ContractDefinitionError,
    );
  });

  it('leaves the example to the tests (defineEvent, for contracts defined elsewhere, still checks it)', () => {
    // prepare
    const wrong = { source, detailType, version, owner, description, data, example: {} as typeof OrderPlacedV1.example };

    // act / assess
    expect(() => declareEvent(wrong)).not.toThrow();
    expect(() => defineEvent(wrong)).toThrow('example does not match the data schema');
  });
});
