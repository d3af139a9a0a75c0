import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { standardTable, TTL } from '@kestrel/table-keys';
import type { IndexDefinition } from '@kestrel/table-keys';
import type { ServiceManifest, TableDeclaration } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import type { ServiceKey } from './service-key';

export interface ServiceTablesProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  key: ServiceKey;
  stack: KestrelStack;
}

/**
 * The key schema of a generic index: the standard table's definition when it
 * has one (`GSI1`, `GSI2`), otherwise the same convention (`GSI3PK`/`GSI3SK`,
 * all attributes projected).
 */
export function indexDefinition(name: string): IndexDefinition {
  const standard = standardTable.globalSecondaryIndexes.find((index) => index.name === name);
  return standard ?? { name, partitionKey: `${name}PK`, sortKey: `${name}SK`, projection: { type: 'ALL' } };
}

/**
 * Which images the table's stream carries: a function reading the stream
 * (`kind: 'stream'`) may compare before and after, so it gets both; the outbox
 * pipe needs only the new item.
 */
export function streamViewType(manifest: ServiceManifest, tableName: string): 'NEW_AND_OLD_IMAGES' | 'NEW_IMAGE' {
  const streamConsumer = Object.values(manifest.functions).some((fn) =>
    fn.triggers.some((trigger) => trigger.kind === 'stream' && trigger.table === tableName),
  );
  return streamConsumer ? 'NEW_AND_OLD_IMAGES' : 'NEW_IMAGE';
}

/** `TABLE_NAME_ORDER_LINES` for the table `order-lines`. */
export function tableEnvironmentVariable(tableName: string): string {
  return `TABLE_NAME_${tableName.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * One DynamoDB table per manifest table, all on the generic single-table key
 * schema from `@kestrel/table-keys`: on demand, point-in-time recovery,
 * encrypted with the service key, deletion protection in production, TTL on
 * `ttl` and a stream when declared.
 */
export class ServiceTables extends Construct {
  private readonly byName = new Map<string, DynamodbTable>();

  constructor(scope: Construct, id: string, { manifest, env, key, stack }: ServiceTablesProps) {
    super(scope, id);
    for (const [name, declaration] of Object.entries(manifest.tables)) {
      this.byName.set(name, this.table(name, declaration, { manifest, env, key, stack }));
    }
  }

  private table(name: string, declaration: TableDeclaration, { manifest, env, key, stack }: ServiceTablesProps): DynamodbTable {
    const indexes = declaration.globalIndexes.map(indexDefinition);
    const keyAttributes = new Set([standardTable.partitionKey, standardTable.sortKey]);
    for (const index of indexes) {
      keyAttributes.add(index.partitionKey);
      keyAttributes.add(index.sortKey);
    }
    return new DynamodbTable(this, name, {
      name: stack.resourceName(name),
      billingMode: 'PAY_PER_REQUEST',
      hashKey: standardTable.partitionKey,
      rangeKey: standardTable.sortKey,
      attribute: [...keyAttributes].map((attribute) => ({ name: attribute, type: 'S' })),
      globalSecondaryIndex: indexes.map((index) => ({
        name: index.name,
        hashKey: index.partitionKey,
        rangeKey: index.sortKey,
        projectionType: index.projection.type,
        ...(index.projection.type === 'INCLUDE' ? { nonKeyAttributes: [...index.projection.nonKeyAttributes] } : {}),
      })),
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      deletionProtectionEnabled: env.name === 'production',
      ...(declaration.ttl ? { ttl: { attributeName: TTL, enabled: true } } : {}),
      ...(declaration.stream ? { streamEnabled: true, streamViewType: streamViewType(manifest, name) } : {}),
    });
  }

  /** The table declared as `name`; throws naming the declared ones otherwise. */
  get(name: string): DynamodbTable {
    const table = this.byName.get(name);
    if (!table) throw new Error(`No table "${name}" in this service (declared: ${[...this.byName.keys()].join(', ') || 'none'})`);
    return table;
  }

  get all(): ReadonlyMap<string, DynamodbTable> {
    return this.byName;
  }
}
