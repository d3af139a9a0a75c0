import { Construct } from 'constructs';
import { OUTBOX_ITEM } from '@kestrel/table-keys';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { PipesPipe } from '@cdktn/provider-aws/lib/pipes-pipe';
import type { ServiceManifest } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import type { PlatformBusReference } from '../platform-parameters';
import { DeadLetterQueue } from './dead-letter-queue';
import { assumeRolePolicy, PolicyBuilder } from './iam';
import type { ServiceKey } from './service-key';
import { streamReadStatements } from './stream-triggers';
import type { ServiceTables } from './tables';

// The outbox item's shape is owned by the runtime library that writes it.
export { OUTBOX_ITEM };

/** Attempts on a failing batch (bisected automatically) before its records go to the dead-letter queue. */
export const OUTBOX_RETRY_ATTEMPTS = 10;
/** PutEvents takes at most 10 entries, and the pipe sends one entry per record. */
export const OUTBOX_BATCH_SIZE = 10;

/**
 * The pipe's filter: only inserts of outbox items, published under the
 * service's own source, of a detail-type the manifest declares for this
 * table's outbox. Anything else on the stream (state changes, TTL deletes,
 * an undeclared event) never reaches the bus.
 */
export function outboxFilterPattern(source: string, detailTypes: string[]): Record<string, unknown> {
  return {
    eventName: ['INSERT'],
    dynamodb: {
      NewImage: {
        PK: { S: [{ prefix: OUTBOX_ITEM.keyPrefix }] },
        [OUTBOX_ITEM.source]: { S: [source] },
        [OUTBOX_ITEM.detailType]: { S: [...new Set(detailTypes)].sort() },
      },
    },
  };
}

/**
 * Pipes' dynamic path parameters read Source and DetailType from each record
 * (the API's Source pattern accepts a JSON path; every string, non-enum target
 * parameter does). The input template emits the `detail` string unquoted, so
 * the JSON text it holds becomes the event's detail object.
 */
export const OUTBOX_TARGET = Object.freeze({
  source: `$.dynamodb.NewImage.${OUTBOX_ITEM.source}.S`,
  detailType: `$.dynamodb.NewImage.${OUTBOX_ITEM.detailType}.S`,
  inputTemplate: `<$.dynamodb.NewImage.${OUTBOX_ITEM.detail}.S>`,
});

export interface OutboxPipeProps {
  tableName: string;
  detailTypes: string[];
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  tables: ServiceTables;
  key: ServiceKey;
  bus: PlatformBusReference;
}

/**
 * An EventBridge pipe from one table's stream to the platform bus, with its
 * own role (read that stream, put events only as the service's source, write
 * its dead-letter queue) and a dead-letter queue for records that still fail
 * after {@link OUTBOX_RETRY_ATTEMPTS}.
 */
export class OutboxPipe extends Construct {
  readonly pipe: PipesPipe;
  readonly role: IamRole;
  readonly policy = new PolicyBuilder();
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, { tableName, detailTypes, manifest, env, stack, tables, key, bus }: OutboxPipeProps) {
    super(scope, id);
    const source = `kestrel.${manifest.name}`;
    const table = tables.get(tableName);
    const name = stack.resourceName(`${tableName}-outbox`);

    this.deadLetters = new DeadLetterQueue(this, 'dead-letters', { name: `${name}-dlq`, keyArn: key.arn, env });
    this.role = new IamRole(this, 'role', {
      name,
      description: `Outbox of ${manifest.name}/${tableName} to the platform bus`,
      assumeRolePolicy: assumeRolePolicy('pipes.amazonaws.com'),
    });
    for (const statement of [
      ...streamReadStatements('outbox', { arn: table.arn, streamArn: table.streamArn }, key.arn, env),
      {
        Sid: 'PublishOutbox',
        Effect: 'Allow' as const,
        Action: ['events:PutEvents'],
        Resource: [bus.busArn],
        Condition: { StringEquals: { 'events:source': source } },
      },
      ...this.deadLetters.sendStatements('outbox dead letters'),
    ]) {
      this.policy.add(statement);
    }
    const rolePolicy = new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.id, policy: this.policy.render() });

    this.pipe = new PipesPipe(this, 'pipe', {
      name,
      description: `Outbox of ${tableName}: ${[...new Set(detailTypes)].sort().join(', ')}`.slice(0, 512),
      roleArn: this.role.arn,
      source: table.streamArn,
      target: bus.busArn,
      sourceParameters: {
        dynamodbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: OUTBOX_BATCH_SIZE,
          maximumRetryAttempts: OUTBOX_RETRY_ATTEMPTS,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetters.arn },
        },
        filterCriteria: { filter: [{ pattern: JSON.stringify(outboxFilterPattern(source, detailTypes)) }] },
      },
      targetParameters: {
        inputTemplate: OUTBOX_TARGET.inputTemplate,
        eventbridgeEventBusParameters: { source: OUTBOX_TARGET.source, detailType: OUTBOX_TARGET.detailType },
      },
      // Pipes checks its role's permissions when the pipe is created.
      dependsOn: [rolePolicy],
    });
  }
}

export interface OutboxPipesProps extends Omit<OutboxPipeProps, 'tableName' | 'detailTypes' | 'bus'> {
  bus: () => PlatformBusReference;
}

/** The detail-types each table's outbox carries, from the manifest's `publishes` (via `outbox`). */
export function outboxTables(manifest: ServiceManifest): Map<string, string[]> {
  const byTable = new Map<string, string[]>();
  for (const publication of manifest.publishes) {
    if (publication.via !== 'outbox' || !publication.table) continue;
    byTable.set(publication.table, [...(byTable.get(publication.table) ?? []), publication.event.detailType]);
  }
  return byTable;
}

/** One outbox pipe per table whose `publishes` entries go `via: 'outbox'`. */
export class OutboxPipes extends Construct {
  readonly byTable = new Map<string, OutboxPipe>();

  constructor(scope: Construct, id: string, props: OutboxPipesProps) {
    super(scope, id);
    for (const [tableName, detailTypes] of outboxTables(props.manifest)) {
      this.byTable.set(tableName, new OutboxPipe(this, tableName, { ...props, tableName, detailTypes, bus: props.bus() }));
    }
  }
}
