import { describe, expect, it } from 'vitest';
import { AccessPatternError, accessPatternTable, defineAccessPattern } from '../../src/index';
import { Customer } from '../fixtures/customer';

const getCustomer = defineAccessPattern({
  name: 'Get customer by id',
  entity: Customer,
  index: 'table',
  keyCondition: 'PK = CUSTOMER#<customerId> AND SK = PROFILE',
  operation: 'GetItem',
  expectedItemBytes: 600,
  consistency: 'strong',
});

const delinquents = defineAccessPattern({
  name: 'List delinquent customers',
  entity: 'Customer',
  index: 'GSI2',
  keyCondition: 'GSI2PK = DELINQUENT AND begins_with(GSI2SK, CUSTOMER#)',
  operation: 'Query',
  expectedItemBytes: 600,
  expectedItems: 50,
  notes: 'sparse index | only delinquent customers',
});

describe('defineAccessPattern', () => {
  it('computes the read cost of one call', () => {
    // assess: 600 B strongly consistent = 1 RCU; 50 × 600 B = 30000 B → 8 × 4 KB, eventual → 4
    expect(getCustomer.readCapacityUnits).toBe(1);
    expect(delinquents.readCapacityUnits).toBe(4);
    expect(getCustomer.entity).toBe('Customer');
  });

  it('names every invalid field', () => {
    // act
    const define = () =>
      defineAccessPattern({
        name: 'Customer by email',
        entity: Customer,
        index: 'GSI1',
        keyCondition: '',
        operation: 'GetItem',
        expectedItemBytes: 500_000,
        consistency: 'strong',
      });

    // assess
    expect(define).toThrow(AccessPatternError);
    try {
      define();
    } catch (error) {
      expect((error as AccessPatternError).issues.map((issue) => issue.field)).toEqual(['keyCondition', 'expectedItemBytes', 'index', 'consistency']);
    }
  });

  it('rejects reads DynamoDB cannot do', () => {
    // act
    const define = () =>
      defineAccessPattern({
        name: 'Customer by email',
        entity: Customer,
        index: 'GSI1',
        keyCondition: 'GSI1PK = EMAIL#<email>',
        operation: 'GetItem',
        expectedItemBytes: 500,
        consistency: 'strong',
      });

    // assess
    expect(define).toThrow('index: GetItem reads the table only; use Query on a GSI; consistency: global secondary indexes support eventually consistent reads only');
  });
});

describe('accessPatternTable', () => {
  it('renders a Markdown table with escaped cells', () => {
    // act
    const markdown = accessPatternTable([getCustomer, delinquents]);

    // assess
    expect(markdown).toBe(
      [
        '| Access pattern | Entity | Index | Key condition | Operation | Item size | RCU per call | Notes |',
        '| --- | --- | --- | --- | --- | --- | --- | --- |',
        '| Get customer by id | Customer | table | `PK = CUSTOMER#<customerId> AND SK = PROFILE` | GetItem | 600 B | 1 (strong) |  |',
        '| List delinquent customers | Customer | GSI2 | `GSI2PK = DELINQUENT AND begins_with(GSI2SK, CUSTOMER#)` | Query (~50 items) | 600 B | 4 (eventual) | sparse index \\| only delinquent customers |',
        '',
      ].join('\n'),
    );
  });

  it('refuses two patterns with the same name', () => {
    expect(() => accessPatternTable([getCustomer, getCustomer])).toThrow('is declared twice');
  });
});
