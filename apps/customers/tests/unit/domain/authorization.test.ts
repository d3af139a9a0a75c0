import { describe, expect, it } from 'vitest';
import { authorize, type Operation } from '../../../src/domain/authorization';

const own = 'a0000000-0000-4000-8000-000000000001';
const other = 'a0000000-0000-4000-8000-000000000002';
const customer = { kind: 'customer', customerId: own } as const;
const staff = { kind: 'staff', userId: 'staff-1' } as const;

const selfService: Operation[] = ['CreateCustomer', 'EditCustomerDetails', 'ChangeCustomerLocale', 'GetCustomer'];
const staffOnly: Operation[] = [
  'MakeCustomerPreferred',
  'RevokePreferredStatus',
  'MarkCustomerDelinquent',
  'ClearDelinquency',
  'GetCustomersWithName',
  'GetPreferredCustomers',
];

describe('authorize', () => {
  it.each(selfService)('lets a customer %s on their own profile only', (operation) => {
    expect(authorize(customer, operation, own)).toEqual({ allowed: true });
    expect(authorize(customer, operation, other)).toEqual({ allowed: false, reason: 'a customer may act on their own profile only' });
  });

  it.each(staffOnly)('keeps %s for staff, even on the customer\'s own profile', (operation) => {
    expect(authorize(customer, operation, own)).toMatchObject({ allowed: false, reason: `${operation} is for staff only` });
    expect(authorize(staff, operation, other)).toEqual({ allowed: true });
  });

  it.each([...selfService, ...staffOnly])('lets staff and system actors %s on any profile', (operation) => {
    expect(authorize(staff, operation, other)).toEqual({ allowed: true });
    expect(authorize({ kind: 'system', name: 'on-user-registered' }, operation, other)).toEqual({ allowed: true });
  });
});
