import { describe, expect, it } from 'vitest';
import { onlyResourceOfType, reference, resourcesOfType } from '../../src/testing';
import { ordersName, resourceWhere, synthOrders } from './fixtures/orders-stack';

// One synth per environment for the whole file.
const staging = synthOrders('staging').json;
const production = synthOrders('production').json;

describe('service tables', () => {
  it('creates one table per manifest table, named kestrel-<env>-<service>-<table>', () => {
    // act
    const names = resourcesOfType(staging, 'aws_dynamodb_table').map((table) => table.values.name);

    // assess
    expect(names.sort()).toEqual([ordersName('carts'), ordersName('orders')]);
  });

  it('uses the generic key schema, with GSI1 from the standard table and GSI3 by the same convention', () => {
    // act
    const orders = resourceWhere(staging, 'aws_dynamodb_table', 'name', ordersName('orders')).values;

    // assess
    expect(orders).toMatchObject({ hash_key: 'PK', range_key: 'SK', billing_mode: 'PAY_PER_REQUEST' });
    expect(orders.attribute).toEqual(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI3PK', 'GSI3SK'].map((name) => ({ name, type: 'S' })));
    expect(orders.global_secondary_index).toEqual([
      { name: 'GSI1', hash_key: 'GSI1PK', range_key: 'GSI1SK', projection_type: 'ALL' },
      { name: 'GSI3', hash_key: 'GSI3PK', range_key: 'GSI3SK', projection_type: 'ALL' },
    ]);
  });

  it('declares only key attributes a table without indexes uses', () => {
    // act
    const carts = resourceWhere(staging, 'aws_dynamodb_table', 'name', ordersName('carts')).values;

    // assess
    expect(carts.attribute).toEqual([{ name: 'PK', type: 'S' }, { name: 'SK', type: 'S' }]);
    expect(carts.global_secondary_index).toEqual([]);
  });

  it('enables point-in-time recovery and encrypts every table with the service key', () => {
    // prepare
    const key = onlyResourceOfType(staging, 'aws_kms_key');

    // act
    const tables = resourcesOfType(staging, 'aws_dynamodb_table').map((table) => table.values);

    // assess
    for (const table of tables) {
      expect(table.point_in_time_recovery).toEqual({ enabled: true });
      expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: reference(key.address, 'arn') });
    }
  });

  it('gives the service one customer-managed key with yearly rotation and an alias', () => {
    // act
    const key = onlyResourceOfType(staging, 'aws_kms_key').values;
    const alias = onlyResourceOfType(staging, 'aws_kms_alias').values;

    // assess
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(alias.name).toBe('alias/kestrel-staging-orders');
  });

  it('lets EventBridge use the key only for the service’s own rules (their dead-letter queues)', () => {
    // act
    const policy = JSON.parse(String(onlyResourceOfType(staging, 'aws_kms_key').values.policy));

    // assess
    const events = policy.Statement.find((s: { Sid: string }) => s.Sid === 'EventBridgeRulesWriteDeadLetters');
    expect(events).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111111111111' },
        ArnLike: {
          'aws:SourceArn': [
            'arn:aws:events:eu-west-1:111111111111:rule/kestrel-staging-orders-*',
            'arn:aws:events:eu-west-1:111111111111:rule/*/kestrel-staging-orders-*',
          ],
        },
      },
    });
  });

  it('sets TTL on the generic ttl attribute when declared', () => {
    // act
    const tables = resourcesOfType(staging, 'aws_dynamodb_table').map((table) => table.values);

    // assess
    for (const table of tables) expect(table.ttl).toEqual({ attribute_name: 'ttl', enabled: true });
  });

  it('streams both images of a table a function reads, and no stream where none is declared', () => {
    // act
    const orders = resourceWhere(staging, 'aws_dynamodb_table', 'name', ordersName('orders')).values;
    const carts = resourceWhere(staging, 'aws_dynamodb_table', 'name', ordersName('carts')).values;

    // assess
    expect(orders).toMatchObject({ stream_enabled: true, stream_view_type: 'NEW_AND_OLD_IMAGES' });
    expect(carts.stream_enabled).toBeUndefined();
    expect(carts.stream_view_type).toBeUndefined();
  });

  it('protects tables from deletion in production only', () => {
    // act
    const inStaging = resourcesOfType(staging, 'aws_dynamodb_table').map((table) => table.values.deletion_protection_enabled);
    const inProduction = resourcesOfType(production, 'aws_dynamodb_table').map((table) => table.values.deletion_protection_enabled);

    // assess
    expect(inStaging).toEqual([false, false]);
    expect(inProduction).toEqual([true, true]);
  });
});
