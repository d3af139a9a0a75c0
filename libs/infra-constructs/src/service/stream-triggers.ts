import { Construct } from 'constructs';
import { LambdaEventSourceMapping } from '@cdktn/provider-aws/lib/lambda-event-source-mapping';
import { functionTriggers } from '@kestrel/service-manifest';
import type { ServiceManifest } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import { viaService } from './arns';
import { DeadLetterQueue } from './dead-letter-queue';
import type { ServiceFunctions } from './functions';
import { sid } from './iam';
import type { PolicyStatement } from './iam';
import type { ServiceKey } from './service-key';
import type { ServiceTables } from './tables';

/** Retries of a failing batch (halved each time by bisection) before its records go to the on-failure queue. */
export const STREAM_RETRY_ATTEMPTS = 5;
export const STREAM_DEFAULT_BATCH_SIZE = 100;

/** What reading a table's stream needs: the stream itself, and the key through DynamoDB. */
export function streamReadStatements(purpose: string, table: { arn: string; streamArn: string }, keyArn: string, env: EnvironmentConfig): PolicyStatement[] {
  return [
    {
      Sid: sid(purpose, 'stream'),
      Effect: 'Allow',
      Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      Resource: [table.streamArn],
    },
    {
      Sid: sid(purpose, 'list', 'streams'),
      Effect: 'Allow',
      Action: ['dynamodb:ListStreams'],
      // ListStreams has no resource-level permissions (Service Authorization Reference): an ARN here never matches.
      Resource: ['*'],
    },
    { Sid: sid(purpose, 'stream', 'key'), Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [keyArn], Condition: viaService(env, 'dynamodb') },
  ];
}

export interface StreamTriggersProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  functions: ServiceFunctions;
  tables: ServiceTables;
  key: ServiceKey;
}

/**
 * An event source mapping per `stream` trigger: bisect a failing batch,
 * retry a bounded number of times, report partial failures, and send what
 * still fails to an encrypted on-failure queue instead of blocking the shard.
 */
export class StreamTriggers extends Construct {
  readonly mappings = new Map<string, LambdaEventSourceMapping>();
  readonly deadLetters = new Map<string, DeadLetterQueue>();

  constructor(scope: Construct, id: string, { manifest, env, stack, functions, tables, key }: StreamTriggersProps) {
    super(scope, id);
    for (const { functionName, trigger } of functionTriggers(manifest)) {
      if (trigger.kind !== 'stream') continue;
      const name = `${functionName}-${trigger.table}-stream`;
      const fn = functions.get(functionName);
      const table = tables.get(trigger.table);
      const deadLetters = new DeadLetterQueue(this, `${name}-failures`, {
        name: stack.resourceName(`${name}-failures`, 80),
        keyArn: key.arn,
        env,
      });
      fn.grant(
        ...streamReadStatements(`${trigger.table} stream`, { arn: table.arn, streamArn: table.streamArn }, key.arn, env),
        ...deadLetters.sendStatements(`${trigger.table} stream failures`),
      );
      this.deadLetters.set(name, deadLetters);
      this.mappings.set(
        name,
        new LambdaEventSourceMapping(this, name, {
          functionName: fn.lambda.arn,
          eventSourceArn: table.streamArn,
          startingPosition: 'LATEST',
          batchSize: trigger.batchSize ?? STREAM_DEFAULT_BATCH_SIZE,
          bisectBatchOnFunctionError: true,
          maximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
          functionResponseTypes: ['ReportBatchItemFailures'],
          destinationConfig: { onFailure: { destinationArn: deadLetters.arn } },
          // Lambda checks the role can read the stream when the mapping is created.
          dependsOn: [fn.rolePolicy],
        }),
      );
    }
  }
}
