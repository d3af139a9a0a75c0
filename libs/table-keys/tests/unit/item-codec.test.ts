import { describe, expect, it } from 'vitest';
import { itemVersion, ItemValidationError } from '../../src/index';
import { ann, customers } from '../fixtures/customer';

describe('defineItemCodec', () => {
  it('adds keys, GSI keys, type and ttl to the domain object', () => {
    // act
    const item = customers.toItem(ann, { ttl: 1_900_000_000 });

    // assess
    expect(item).toEqual({
      PK: 'CUSTOMER#42',
      SK: 'PROFILE',
      GSI1PK: 'EMAIL#ann@example.com',
      GSI1SK: 'CUSTOMER',
      type: 'Customer',
      ttl: 1_900_000_000,
      customerId: '42',
      email: 'ann@example.com',
      status: 'active',
    });
  });

  it('strips the library attributes again when reading', () => {
    // prepare
    const item = { ...customers.toItem(ann), version: 3 };

    // act
    const domain = customers.fromItem(item);

    // assess
    expect(domain).toEqual(ann);
    expect(itemVersion(item)).toBe(3);
  });

  it('tolerates attributes the schema does not know (older or newer writers)', () => {
    // prepare
    const item = { ...customers.toItem(ann), loyaltyTier: 'gold' };

    // act
    const domain = customers.fromItem(item);

    // assess
    expect(domain).toEqual(ann);
  });

  it('rejects a stored item with the attribute named', () => {
    // prepare
    const item = { ...customers.toItem(ann), email: 'not-an-email', address: { city: 'Oslo', postcode: '12' } };

    // act
    const read = () => customers.fromItem(item);

    // assess
    expect(read).toThrow(ItemValidationError);
    try {
      read();
    } catch (error) {
      const issues = (error as ItemValidationError).issues.map((issue) => issue.attribute);
      expect(issues).toEqual(['email', 'address.postcode']);
      expect((error as Error).message).toContain('Invalid Customer item (PK=CUSTOMER#42, SK=PROFILE)');
      expect((error as Error).message).toContain('address.postcode: must be five digits');
    }
  });

  it('rejects an item of another entity type', () => {
    // prepare
    const order = { PK: 'CUSTOMER#42', SK: 'ORDER#1', type: 'Order', customerId: '42' };

    // act
    const read = () => customers.fromItem(order);

    // assess
    expect(read).toThrow('type: expected "Customer", got "Order"');
  });

  it('validates before writing, too', () => {
    // act
    const write = () => customers.toItem({ ...ann, status: 'vip' as never });

    // assess
    expect(write).toThrow(/status: Invalid option/);
  });

  it('rejects a ttl that is not epoch seconds', () => {
    expect(() => customers.toItem(ann, { ttl: Date.now() + 0.5 })).toThrow('ttl: must be a positive integer of epoch seconds');
  });
});

describe('itemVersion', () => {
  it('reads plain and attribute-value forms', () => {
    expect(itemVersion({ version: 2 })).toBe(2);
    expect(itemVersion({ version: { N: '7' } })).toBe(7);
    expect(itemVersion({})).toBeUndefined();
    expect(itemVersion(undefined)).toBeUndefined();
  });
});
