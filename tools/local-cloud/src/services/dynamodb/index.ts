/**
 * DynamoDB and DynamoDB Streams, served by the real DynamoDB Local. Requests
 * are forwarded unchanged except for ARNs: DynamoDB Local names everything
 * `arn:aws:dynamodb:ddblocal:000000000000:…`, so answers are rewritten to the
 * caller's region and the local account, and ARNs in requests are mapped back
 * (it rejects stream ARNs in any other region). Item values that happen to
 * contain a DynamoDB table ARN are rewritten too — a known, documented quirk.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
  LocalSecondaryIndex,
  Projection,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { AwsRequest, LocalCloudContext, LocalServiceFactory, LocalServiceModule, ResolvedResource, ResourceProvisioner } from '../../core/types';
import { AwsServiceError } from '../../core/types';
import { forward } from '../../core/forward';
import { blocks, bool, num, str } from '../../core/config';
import type { SupervisedProcess } from '../../processes/supervisor';
import { startDynamoDbLocal } from './dynamodb-local';
import { awaitCommit, needsCommitBarrier } from './commit-barrier';
import { DynamoDbFaultInjection } from './fault-injection';

const LOCAL_ARN = /arn:aws:dynamodb:ddblocal:000000000000:/g;
const ANY_ARN = /arn:aws:dynamodb:[a-z0-9-]+:\d{12}:/g;

/** DynamoDB Local's ARN → the ARN AWS would give in `region`/`accountId`. */
export function toAwsArn(localArn: string, region: string, accountId: string): string {
  return localArn.replace(LOCAL_ARN, `arn:aws:dynamodb:${region}:${accountId}:`);
}

/** Any region's DynamoDB ARN → the one DynamoDB Local knows. */
export function toLocalArn(arn: string): string {
  return arn.replace(ANY_ARN, 'arn:aws:dynamodb:ddblocal:000000000000:');
}

function keySchema(hashKey: string, rangeKey: string | undefined): KeySchemaElement[] {
  return [{ AttributeName: hashKey, KeyType: 'HASH' }, ...(rangeKey ? [{ AttributeName: rangeKey, KeyType: 'RANGE' as const }] : [])];
}

function projection(index: Record<string, unknown>): Projection {
  const type = (index.projection_type as Projection['ProjectionType']) ?? 'ALL';
  const nonKey = index.non_key_attributes as string[] | undefined;
  return { ProjectionType: type, ...(type === 'INCLUDE' && nonKey?.length ? { NonKeyAttributes: nonKey } : {}) };
}

/**
 * `aws_dynamodb_table` configuration → `CreateTable` input.
 *
 * @example
 * tableInput({ name: 'customers', hash_key: 'pk', attribute: [{ name: 'pk', type: 'S' }], billing_mode: 'PAY_PER_REQUEST' }, 'aws_dynamodb_table.customers')
 */
export function tableInput(config: Record<string, unknown>, address: string): CreateTableCommandInput {
  const name = str(config, 'name', address);
  const payPerRequest = config.billing_mode === 'PAY_PER_REQUEST';
  const throughput = (source: Record<string, unknown>) =>
    payPerRequest ? undefined : { ReadCapacityUnits: num(source.read_capacity) ?? 1, WriteCapacityUnits: num(source.write_capacity) ?? 1 };
  const attributes: AttributeDefinition[] = blocks(config.attribute).map((attribute) => ({
    AttributeName: str(attribute, 'name', `${address}.attribute`),
    AttributeType: str(attribute, 'type', `${address}.attribute`) as AttributeDefinition['AttributeType'],
  }));
  const hashKey = str(config, 'hash_key', address);
  for (const key of [hashKey, str(config, 'range_key', address, true)]) {
    if (key && !attributes.some((attribute) => attribute.AttributeName === key)) {
      throw new Error(`${address}: key attribute '${key}' has no 'attribute' block declaring its type`);
    }
  }
  const gsis: GlobalSecondaryIndex[] = blocks(config.global_secondary_index).map((index) => ({
    IndexName: str(index, 'name', `${address}.global_secondary_index`),
    KeySchema: keySchema(str(index, 'hash_key', `${address}.global_secondary_index`), str(index, 'range_key', address, true)),
    Projection: projection(index),
    ProvisionedThroughput: throughput(index),
  }));
  const lsis: LocalSecondaryIndex[] = blocks(config.local_secondary_index).map((index) => ({
    IndexName: str(index, 'name', `${address}.local_secondary_index`),
    KeySchema: keySchema(hashKey, str(index, 'range_key', `${address}.local_secondary_index`)),
    Projection: projection(index),
  }));
  const streamEnabled = bool(config.stream_enabled);
  return {
    TableName: name,
    AttributeDefinitions: attributes,
    KeySchema: keySchema(hashKey, str(config, 'range_key', address, true)),
    BillingMode: payPerRequest ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ProvisionedThroughput: throughput(config),
    GlobalSecondaryIndexes: gsis.length ? gsis : undefined,
    LocalSecondaryIndexes: lsis.length ? lsis : undefined,
    StreamSpecification: streamEnabled
      ? { StreamEnabled: true, StreamViewType: (config.stream_view_type as 'NEW_AND_OLD_IMAGES') ?? 'NEW_AND_OLD_IMAGES' }
      : undefined,
  };
}

function sameKeys(a: KeySchemaElement[] | undefined, b: KeySchemaElement[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export interface DynamoDbModuleOptions {
  /** JVM flags for DynamoDB Local, replacing the tuned defaults (benchmarks try alternatives). */
  jvmFlags?: readonly string[];
}

/** Builds the module factory (options are for benchmarks and tests). */
export function dynamoDbModuleFactory(options: DynamoDbModuleOptions = {}): LocalServiceFactory {
  return (context: LocalCloudContext): LocalServiceModule => {
    let localEndpoint: string | undefined;
    let child: SupervisedProcess | undefined;
    let client: DynamoDBClient | undefined;

    const ready = () => {
      if (!localEndpoint || !client) throw new AwsServiceError('ServiceUnavailable', 'DynamoDB Local is not running', 503);
      return { endpoint: localEndpoint, client };
    };

    const awsArn = (text: string) => toAwsArn(text, context.region, context.accountId);
    // Throttling on demand (./fault-injection.ts): DynamoDB Local itself never throttles.
    const faults = new DynamoDbFaultInjection(context);

    async function describe(name: string): Promise<TableDescription | undefined> {
      try {
        return (await ready().client.send(new DescribeTableCommand({ TableName: name }))).Table;
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    }

    const provisioner: ResourceProvisioner = {
      type: 'aws_dynamodb_table',
      async apply(resource: ResolvedResource) {
        const { client: ddb } = ready();
        const input = tableInput(resource.config, resource.address);
        const name = input.TableName as string;
        let table = await describe(name);
        if (!table) {
          table = (await ddb.send(new CreateTableCommand(input))).TableDescription;
          context.log(`dynamodb: created table ${name}`);
        } else {
          if (!sameKeys(table.KeySchema, input.KeySchema)) {
            throw new Error(
              `${resource.address}: table '${name}' exists locally with key schema ${JSON.stringify(table.KeySchema)} but the stack declares ${JSON.stringify(input.KeySchema)}; a key change replaces the table — wipe local state with --reset`,
            );
          }
          // Indexes added since the last apply, as Terraform would do with UpdateTable.
          const existing = new Set((table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
          for (const index of input.GlobalSecondaryIndexes ?? []) {
            if (existing.has(index.IndexName)) continue;
            await ddb.send(
              new UpdateTableCommand({
                TableName: name,
                AttributeDefinitions: input.AttributeDefinitions,
                GlobalSecondaryIndexUpdates: [{ Create: index }],
              }),
            );
            context.log(`dynamodb: added index ${index.IndexName} to ${name}`);
          }
          if (input.StreamSpecification && !table.StreamSpecification?.StreamEnabled) {
            await ddb.send(new UpdateTableCommand({ TableName: name, StreamSpecification: input.StreamSpecification }));
          }
          table = await describe(name);
        }
        const ttl = blocks(resource.config.ttl)[0];
        if (ttl && bool(ttl.enabled, true) && ttl.attribute_name) {
          const current = await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }));
          const status = current.TimeToLiveDescription;
          if (status?.TimeToLiveStatus !== 'ENABLED' || status.AttributeName !== ttl.attribute_name) {
            await ddb.send(
              new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: String(ttl.attribute_name), Enabled: true } }),
            );
          }
        }
        const arn = awsArn(table?.TableArn ?? '');
        return {
          id: name,
          name,
          arn,
          hash_key: resource.config.hash_key,
          range_key: resource.config.range_key,
          billing_mode: input.BillingMode,
          stream_arn: table?.LatestStreamArn ? awsArn(table.LatestStreamArn) : '',
          stream_label: table?.LatestStreamLabel ?? '',
        };
      },
    };

    return {
      name: 'dynamodb',
      handlers: [
        {
          serviceNames: ['dynamodb'],
          async handle(request: AwsRequest) {
            const { endpoint, client: ddb } = ready();
            const fault = faults.decide(request);
            if (fault?.kind === 'answer') return fault.response;
            const body = Buffer.from(toLocalArn((fault?.body ?? request.body).toString('utf8')));
            const pidBefore = child?.pid;
            const response = await forward(endpoint, request, { body, component: 'DynamoDB Local' });
            // DynamoDB Local answers a transaction before committing it (commit-barrier.ts): no 200 until it has.
            if (needsCommitBarrier(request, response.status)) await awaitCommit(ddb, pidBefore, () => child?.pid);
            const answered = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.body ?? '');
            const text = fault?.complete && response.status === 200 ? fault.complete(answered) : answered;
            const rewritten = Buffer.from(toAwsArn(text, request.region, request.accountId));
            const headers: Record<string, string> = { ...response.headers, 'content-length': String(rewritten.length) };
            // The checksum covers the original bytes; the SDK v3 does not check it, but a stale one would be a lie.
            delete headers['x-amz-crc32'];
            return { status: response.status, headers, body: rewritten };
          },
        },
      ],
      provisioners: [provisioner],
      state: [
        {
          stateKey: 'tables',
          async describe() {
            if (!client) return [];
            const names = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
            return Promise.all(
              names.map(async (name) => {
                const table = await describe(name);
                return {
                  name,
                  arn: awsArn(table?.TableArn ?? ''),
                  items: table?.ItemCount,
                  streamArn: table?.LatestStreamArn ? awsArn(table.LatestStreamArn) : undefined,
                  indexes: (table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName),
                };
              }),
            );
          },
        },
      ],
      async start() {
        const started = await startDynamoDbLocal({ dataDir: context.dataDir, inMemory: context.inMemory, jvmFlags: options.jvmFlags });
        child = started.process;
        localEndpoint = started.endpoint;
        client = new DynamoDBClient({
          endpoint: started.endpoint,
          region: context.region,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        });
        context.log(`dynamodb: DynamoDB Local ready on ${started.endpoint}`);
      },
      async stop() {
        client?.destroy();
        client = undefined;
        await child?.stop();
      },
    };
  };
}

/** DynamoDB + Streams backed by DynamoDB Local. */
export const createDynamoDbModule: LocalServiceFactory = dynamoDbModuleFactory();
