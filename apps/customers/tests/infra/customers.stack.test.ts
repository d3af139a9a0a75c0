import { onlyResourceOfType, reference, resourcesOfType } from '@kestrel/infra-constructs/testing';
import type { SynthesizedBlock, SynthesizedStack } from '@kestrel/infra-constructs/testing';
import { describe, expect, it } from 'vitest';
import manifest from '../../service';
import { synthesize } from './synth';

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const { json } = synthesize('staging');
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
const table = onlyResourceOfType(json, 'aws_dynamodb_table');
const tableArn = reference(table.address, 'arn');

function where(stack: SynthesizedStack, type: string, attribute: string, value: unknown): SynthesizedBlock {
  const found = resourcesOfType(stack, type).filter((block) => JSON.stringify(block.values[attribute]) === JSON.stringify(value));
  if (found.length !== 1 || !found[0]) throw new Error(`Expected one ${type} with ${attribute} = ${JSON.stringify(value)}, found ${found.length}`);
  return found[0];
}

/** The statements of a function's role, found through the role name (the function name). */
function roleStatements(functionName: string): Statement[] {
  const role = where(json, 'aws_iam_role', 'name', `kestrel-staging-customers-${functionName}`);
  const policies = resourcesOfType(json, 'aws_iam_role_policy').filter((policy) => policy.values.role === reference(role.address, 'id'));
  return policies.flatMap((policy) => (JSON.parse(String(policy.values.policy)) as { Statement: Statement[] }).Statement);
}

const dynamoActions = (statements: Statement[]) => statements.flatMap((s) => list(s.Action)).filter((action) => action.startsWith('dynamodb:'));
const queryFunctions = ['http-get-customer', 'http-find-customers'];
const commandFunctions = Object.keys(manifest.functions).filter((name) => !queryFunctions.includes(name));

describe('customers table', () => {
  it('is on demand, with point-in-time recovery, KMS encryption, TTL on `ttl` and a NEW_IMAGE stream', () => {
    expect(table.values).toMatchObject({
      name: 'kestrel-staging-customers-customers',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'PK',
      range_key: 'SK',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: expect.stringContaining('aws_kms_key.') },
      ttl: { attribute_name: 'ttl', enabled: true },
      stream_enabled: true,
      stream_view_type: 'NEW_IMAGE',
    });
    expect((table.values.global_secondary_index as { name: string }[]).map((index) => index.name)).toEqual(['GSI1', 'GSI2']);
  });

  it('is protected from deletion in production', () => {
    expect(onlyResourceOfType(synthesize('production').json, 'aws_dynamodb_table').values.deletion_protection_enabled).toBe(true);
  });
});

describe('least privilege', () => {
  it.each(queryFunctions)('%s may only read: GetItem/BatchGetItem/Query on the table, Query on its indexes, KMS decrypt', (functionName) => {
    const statements = roleStatements(functionName);

    expect(new Set(dynamoActions(statements))).toEqual(new Set(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']));
    for (const statement of statements.filter((s) => list(s.Action).some((a) => a.startsWith('dynamodb:')))) {
      expect(list(statement.Resource).every((resource) => resource === tableArn || resource === `${tableArn}/index/*`)).toBe(true);
    }
    const kms = statements.flatMap((s) => list(s.Action)).filter((action) => action.startsWith('kms:'));
    expect(kms).toEqual(['kms:Decrypt']);
  });

  it.each(commandFunctions)('%s writes the customers table and nothing else', (functionName) => {
    const statements = roleStatements(functionName);

    expect(dynamoActions(statements)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']));
    const resources = statements.filter((s) => list(s.Action).some((a) => a.startsWith('dynamodb:'))).flatMap((s) => list(s.Resource));
    expect(new Set(resources)).toEqual(new Set([tableArn, `${tableArn}/index/*`]));
  });

  it('gives no function events:PutEvents: events leave through the outbox pipe only, as kestrel.customers', () => {
    for (const functionName of Object.keys(manifest.functions)) {
      expect(roleStatements(functionName).flatMap((s) => list(s.Action))).not.toContain('events:PutEvents');
    }
    const pipe = onlyResourceOfType(json, 'aws_pipes_pipe');
    const pipeRole = resourcesOfType(json, 'aws_iam_role').find((role) => reference(role.address, 'arn') === pipe.values.role_arn) as SynthesizedBlock;
    const pipePolicy = resourcesOfType(json, 'aws_iam_role_policy').find((policy) => policy.values.role === reference(pipeRole.address, 'id')) as SynthesizedBlock;
    const publish = (JSON.parse(String(pipePolicy.values.policy)) as { Statement: Statement[] }).Statement.filter((s) => list(s.Action).includes('events:PutEvents'));
    expect(publish).toHaveLength(1);
    expect(publish[0]?.Condition).toEqual({ StringEquals: { 'events:source': 'kestrel.customers' } });
  });
});

describe('user-registered subscription', () => {
  it('matches UserRegistered v1 and retries explicitly into a dead-letter queue', () => {
    const rule = onlyResourceOfType(json, 'aws_cloudwatch_event_rule');
    const target = onlyResourceOfType(json, 'aws_cloudwatch_event_target');

    expect(JSON.parse(String(rule.values.event_pattern))).toEqual({
      source: ['kestrel.identity'],
      'detail-type': ['UserRegistered'],
      detail: { metadata: { version: [1] } },
    });
    expect(target.values).toMatchObject({
      retry_policy: { maximum_retry_attempts: 8, maximum_event_age_in_seconds: 3600 },
      dead_letter_config: { arn: expect.stringContaining('aws_sqs_queue.') },
    });
  });

  it('sends invocations that failed all their retries to an on-failure queue', () => {
    const config = onlyResourceOfType(json, 'aws_lambda_function_event_invoke_config');
    expect(config.values).toMatchObject({ destination_config: { on_failure: { destination: expect.stringContaining('aws_sqs_queue.') } } });
  });
});

describe('outbox pipe', () => {
  it('forwards only new outbox items of declared customer events, with retries and a dead-letter queue', () => {
    const pipe = onlyResourceOfType(json, 'aws_pipes_pipe');
    const source = pipe.values.source_parameters as {
      filter_criteria: { filter: { pattern: string }[] };
      dynamodb_stream_parameters: { dead_letter_config: { arn: string }; maximum_retry_attempts: number };
    };

    expect(pipe.values.source).toBe(reference(table.address, 'stream_arn'));
    expect(JSON.parse(source.filter_criteria.filter[0]?.pattern ?? '{}')).toEqual({
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: {
          PK: { S: [{ prefix: 'OUTBOX#' }] },
          source: { S: ['kestrel.customers'] },
          detailType: { S: manifest.publishes.map((publication) => publication.event.detailType).sort() },
        },
      },
    });
    expect(source.dynamodb_stream_parameters.dead_letter_config.arn).toContain('aws_sqs_queue.');
    expect(source.dynamodb_stream_parameters.maximum_retry_attempts).toBeGreaterThan(0);
  });
});

describe('HTTP API', () => {
  it('has one JWT-authorised route per command and query', () => {
    const routes = resourcesOfType(json, 'aws_apigatewayv2_route').map((route) => route.values);
    expect(routes.map((route) => route.route_key).sort()).toEqual(
      [
        'DELETE /customers/{customerId}/delinquency',
        'DELETE /customers/{customerId}/preferred',
        'GET /customers',
        'GET /customers/{customerId}',
        'PATCH /customers/{customerId}',
        'POST /customers',
        'PUT /customers/{customerId}/delinquency',
        'PUT /customers/{customerId}/locale',
        'PUT /customers/{customerId}/preferred',
      ].sort(),
    );
    expect(routes.every((route) => route.authorization_type === 'JWT')).toBe(true);
  });
});

describe('functions', () => {
  it('run Node.js 22 with the table name in their environment and a log group with retention', () => {
    const functions = resourcesOfType(json, 'aws_lambda_function');
    expect(functions).toHaveLength(Object.keys(manifest.functions).length);
    for (const fn of functions) {
      expect(fn.values.runtime).toBe('nodejs24.x');
      expect((fn.values.environment as { variables: Record<string, string> }).variables.TABLE_NAME_CUSTOMERS).toBe(reference(table.address, 'name'));
    }
    for (const group of resourcesOfType(json, 'aws_cloudwatch_log_group')) expect(group.values.retention_in_days).toBeGreaterThan(0);
  });
});
