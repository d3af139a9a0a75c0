import { describe, expect, it } from 'vitest';
import { uniqueName } from '../../src/index';
import { uniqueTableName } from '../../src/dynamodb-local/tables';

describe('uniqueName', () => {
  it('never repeats within a process', () => {
    // prepare
    const count = 1_000;

    // act
    const names = Array.from({ length: count }, () => uniqueName('orders'));

    // assess
    expect(new Set(names).size).toBe(count);
    expect(names.every((name) => name.startsWith('orders-'))).toBe(true);
  });

  it('replaces characters other services reject', () => {
    // act
    const name = uniqueName('my table/1');

    // assess
    expect(name).toMatch(/^my-table-1-\d+-\d+-[0-9a-f]{6}$/);
  });
});

describe('uniqueTableName', () => {
  it('stays within DynamoDB table-name rules', () => {
    // prepare
    const longPrefix = 'x'.repeat(300);

    // act
    const name = uniqueTableName(longPrefix);

    // assess
    expect(name.length).toBeLessThanOrEqual(255);
    expect(name).toMatch(/^[a-zA-Z0-9_.-]{3,255}$/);
  });
});
