import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ContractDefinitionError, defineEvent } from '../../src/index';

const base = {
  source: 'kestrel.customers',
  detailType: 'CustomerCreated',
  version: 1,
  owner: 'customers',
  description: 'A customer was created.',
  data: z.object({ customerId: z.string().min(1), email: z.email() }),
  example: { customerId: 'c-1', email: 'ada@example.com' },
};

function definitionError(run: () => unknown): ContractDefinitionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
}

describe('defineEvent', () => {
  it('returns a frozen contract keyed by source, detail-type and version', () => {
    // Act
    const contract = defineEvent(base);

    // Assess
    expect(contract.key).toBe('kestrel.customers/CustomerCreated/v1');
    expect(contract.owner).toBe('customers');
    expect(Object.isFrozen(contract)).toBe(true);
  });

  it('rejects an example that does not match the data schema, naming the field', () => {
    // Act
    const error = definitionError(() => defineEvent({ ...base, example: { customerId: 'c-1', email: 'not-an-email' } }));

    // Assess
    expect(error.issues.map((i) => i.path)).toEqual(['example.email']);
    expect(error.message).toContain('example.email: Invalid email address');
  });

  it.each([
    ['source without the kestrel prefix', { source: 'customers' }, 'source "customers" must be kestrel.<context>'],
    ['source with upper case', { source: 'kestrel.Customers', owner: 'Customers' }, 'must be kestrel.<context>'],
    ['camelCase detail-type', { detailType: 'customerCreated' }, 'must be PascalCase'],
    ['detail-type with a version suffix', { detailType: 'CustomerCreatedV2' }, 'must not carry a version'],
    ['detail-type with a separator', { detailType: 'Customer.Created' }, 'must be PascalCase'],
    ['version 0', { version: 0 }, 'must be a positive integer'],
    ['fractional version', { version: 1.5 }, 'must be a positive integer'],
    ['owner differing from the source context', { owner: 'identity' }, 'owner "identity" must be the context named in the source'],
    ['empty description', { description: '  ' }, 'description must say what happened'],
  ])('rejects %s', (_case, override, message) => {
    // Act
    const error = definitionError(() => defineEvent({ ...base, ...override }));

    // Assess
    expect(error.message).toContain(message);
  });
});
