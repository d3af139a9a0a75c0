import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineEntity, KeyFormatError } from '../../src/index';

interface Customer {
  customerId: string;
  email: string;
  status: 'active' | 'delinquent' | 'preferred';
}

const Customer = defineEntity({
  name: 'Customer',
  key: ({ customerId }: Pick<Customer, 'customerId'>) => ({ PK: ['CUSTOMER', customerId], SK: ['PROFILE'] }),
  indexes: {
    GSI1: ({ email }: Customer) => ({ PK: ['EMAIL', email.toLowerCase()], SK: ['CUSTOMER'] }),
    // Sparse: only delinquent customers are in GSI2.
    GSI2: ({ status, customerId }: Customer) => (status === 'delinquent' ? { PK: ['DELINQUENT'], SK: ['CUSTOMER', customerId] } : undefined),
  },
});

describe('defineEntity', () => {
  it('builds the table key from the identifying fields only', () => {
    // act
    const key = Customer.key({ customerId: '42' });

    // assess
    expect(key).toEqual({ PK: 'CUSTOMER#42', SK: 'PROFILE' });
  });

  it('builds GSI keys and leaves an item out of a sparse index', () => {
    // prepare
    const active: Customer = { customerId: '42', email: 'Ann@Example.com', status: 'active' };
    const delinquent: Customer = { ...active, status: 'delinquent' };

    // act
    const activeKeys = Customer.keys(active);
    const delinquentKeys = Customer.keys(delinquent);

    // assess
    expect(activeKeys).toEqual({ PK: 'CUSTOMER#42', SK: 'PROFILE', GSI1PK: 'EMAIL#ann@example.com', GSI1SK: 'CUSTOMER' });
    expect(delinquentKeys).toMatchObject({ GSI2PK: 'DELINQUENT', GSI2SK: 'CUSTOMER#42' });
    expect(Customer.indexNames).toEqual(['GSI1', 'GSI2']);
  });

  it('escapes ids and parses stored keys back into segments', () => {
    // prepare
    const key = Customer.key({ customerId: 'x#PROFILE' });

    // act
    const parsed = Customer.parseKey(key);

    // assess
    expect(key.PK).toBe('CUSTOMER#x\\#PROFILE');
    expect(parsed).toEqual({ PK: ['CUSTOMER', 'x#PROFILE'], SK: ['PROFILE'] });
  });

  it('names the entity and attribute when a key cannot be built', () => {
    // act
    const build = () => Customer.key({ customerId: '' });

    // assess
    expect(build).toThrow(KeyFormatError);
    expect(build).toThrow('Customer.PK: Key segment 1 is empty');
  });

  it('enforces DynamoDB key size limits in UTF-8 bytes', () => {
    // prepare: 512 four-byte characters = 2048 bytes + 'CUSTOMER#' exceeds the partition key limit
    const hugeId = '😀'.repeat(512);

    // act
    const build = () => Customer.key({ customerId: hugeId });

    // assess
    expect(build).toThrow('Customer.PK is 2057 bytes; DynamoDB allows at most 2048');
  });

  it('rejects entity names that would be awkward in the type attribute', () => {
    // act
    const define = () => defineEntity({ name: 'customer profile', key: () => ({ PK: ['A'], SK: ['B'] }) });

    // assess
    expect(define).toThrow('must be alphanumeric');
  });

  it('infers inputs from the builders', () => {
    expectTypeOf(Customer.key).parameter(0).toEqualTypeOf<Pick<Customer, 'customerId'>>();
    expectTypeOf(Customer.indexKeys).parameter(0).toEqualTypeOf<Customer>();
    expectTypeOf(Customer.name).toEqualTypeOf<'Customer'>();
  });
});
