import { describe, expect, it } from 'vitest';
import type { FunctionDeclaration } from '@kestrel/service-manifest';
import { ordersManifest } from './fixtures/orders-manifest';
import { grants, ordersName, policyOfRole, resourceWhere, synthOrders } from './fixtures/orders-stack';
import { dataSourcesOfType, onlyResourceOfType, reference, resourcesOfType } from '../../src/testing';
import type { SynthesizedStack } from '../../src/testing';
import { TABLE_READ_ACTIONS, TABLE_WRITE_ACTIONS } from '../../src/service/functions';
import { DATADOG_REDIRECT_HANDLER } from '../../src/service/datadog';
import { environment } from '../../src/environments';

const { json } = synthOrders('staging');

const fn = (name: string) => resourceWhere(json, 'aws_lambda_function', 'function_name', ordersName(name)).values;
const policy = (name: string) => policyOfRole(json, ordersName(name));
const arnOf = (type: string, nameAttribute: string, name: string, attribute = 'arn') =>
  reference(resourceWhere(json, type, nameAttribute, name).address, attribute);
const table = (name: string) => arnOf('aws_dynamodb_table', 'name', ordersName(name));
const key = () => reference(onlyResourceOfType(json, 'aws_kms_key').address, 'arn');
const logGroup = (name: string) => `${arnOf('aws_cloudwatch_log_group', 'name', `/aws/lambda/${ordersName(name)}`)}:*`;
const queue = (name: string) => arnOf('aws_sqs_queue', 'name', ordersName(name));
const busArn = (stack: SynthesizedStack) => {
  const parameter = dataSourcesOfType(stack, 'aws_ssm_parameter').find((p) => p.values.name === '/kestrel/staging/platform/event-bus-arn');
  if (!parameter) throw new Error('no bus ARN parameter');
  return reference(parameter.address, 'insecure_value');
};

const datadogOn = environment('staging').datadog.enabled;
const datadogSecret = () => {
  const [secret, ...others] = dataSourcesOfType(json, 'aws_secretsmanager_secret');
  if (!secret || others.length > 0) throw new Error('expected exactly one Datadog API key secret lookup');
  return reference(secret.address, 'arn');
};
/** The variables every function has where Datadog is on (datadog.test.ts covers them in detail). */
const datadogVariables = () =>
  datadogOn
    ? {
        DD_SERVICE: 'orders',
        DD_ENV: 'staging',
        DD_VERSION: expect.any(String),
        DD_SITE: 'datadoghq.eu',
        DD_API_KEY_SECRET_ARN: datadogSecret(),
        DD_SERVERLESS_LOGS_ENABLED: 'true',
        DD_TRACE_ENABLED: 'true',
        DD_MERGE_XRAY_TRACES: 'true',
        DD_LOGS_INJECTION: 'false',
        DD_CAPTURE_LAMBDA_PAYLOAD: 'false',
        DD_LAMBDA_HANDLER: 'index.handler',
      }
    : {};
/** Where Datadog is on, Lambda starts Datadog's wrapper, which runs the bundle's index.handler. */
const expectedHandler = datadogOn ? DATADOG_REDIRECT_HANDLER : 'index.handler';

/** The grants every function has: its own log group, X-Ray, and (Datadog on) the Datadog API key. */
const baseline = (name: string) => [
  `logs:CreateLogStream on ${logGroup(name)}`,
  `logs:PutLogEvents on ${logGroup(name)}`,
  'xray:PutTelemetryRecords on *',
  'xray:PutTraceSegments on *',
  ...(datadogOn ? [`secretsmanager:GetSecretValue on ${datadogSecret()}`] : []),
];
const tableGrants = (name: string, actions: readonly string[]) => [
  ...actions.map((action) => `${action} on ${table(name)}`),
  `dynamodb:Query on ${table(name)}/index/*`,
];

describe('service functions', () => {
  it('creates one Node.js 22 arm64 function per manifest function, running index.handler (through Datadog where on) with active tracing and JSON logs', () => {
    // act
    const functions = resourcesOfType(json, 'aws_lambda_function').map((f) => f.values);

    // assess
    expect(functions.map((f) => f.function_name).sort()).toEqual(Object.keys(ordersManifest.functions).map((name) => ordersName(name)).sort());
    for (const f of functions) {
      expect(f).toMatchObject({ runtime: 'nodejs24.x', architectures: ['arm64'], handler: expectedHandler, tracing_config: { mode: 'Active' } });
      expect(f.logging_config).toMatchObject({ log_format: 'JSON' });
    }
  });

  it('ships the prebuilt bundle folder as its zip, copied as a file asset and hashed by Terraform', () => {
    // act
    const f = fn('http-get-order');

    // assess
    expect(f.filename).toMatch(/^assets\/functions_http-get-order_bundle_[0-9A-F]+\/[0-9A-F]+\/http-get-order\.zip$/);
    expect(f.source_code_hash).toBe(`\${filebase64sha256("${f.filename}")}`);
  });

  it('takes memory and timeout from the manifest, else the defaults', () => {
    // act / assess
    expect(fn('http-place-order')).toMatchObject({ memory_size: 1024, timeout: 6 });
    expect(fn('http-get-order')).toMatchObject({ memory_size: 512, timeout: 10 });
  });

  it('reserves concurrency only where the manifest does', () => {
    // act
    const reserved = resourcesOfType(json, 'aws_lambda_function').filter((f) => f.values.reserved_concurrent_executions !== undefined);

    // assess
    expect(reserved.map((f) => [f.values.function_name, f.values.reserved_concurrent_executions])).toEqual([[ordersName('on-customer-registered'), 5]]);
  });

  it('sets the service name, source maps, and a TABLE_NAME_ variable per table the function may use', () => {
    // act / assess
    expect(fn('http-place-order').environment).toEqual({
      variables: {
        SERVICE_NAME: 'orders',
        POWERTOOLS_SERVICE_NAME: 'orders',
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME_ORDERS: arnOf('aws_dynamodb_table', 'name', ordersName('orders'), 'name'),
        TABLE_NAME_CARTS: arnOf('aws_dynamodb_table', 'name', ordersName('carts'), 'name'),
        ...datadogVariables(),
      },
    });
    expect(fn('http-health').environment).toEqual({
      variables: { SERVICE_NAME: 'orders', POWERTOOLS_SERVICE_NAME: 'orders', NODE_OPTIONS: '--enable-source-maps', ...datadogVariables() },
    });
  });

  it('gives EVENT_BUS_NAME (from the platform SSM parameter) only to functions that publish directly', () => {
    // prepare
    const busName = dataSourcesOfType(json, 'aws_ssm_parameter').find((p) => p.values.name === '/kestrel/staging/platform/event-bus-name');

    // act
    const withBus = resourcesOfType(json, 'aws_lambda_function').filter((f) => 'EVENT_BUS_NAME' in ((f.values.environment as { variables: object }).variables ?? {}));

    // assess
    expect(withBus.map((f) => f.values.function_name)).toEqual([ordersName('on-customer-registered')]);
    expect((fn('on-customer-registered').environment as { variables: Record<string, string> }).variables.EVENT_BUS_NAME).toBe(
      reference(busName?.address ?? 'missing', 'insecure_value'),
    );
  });

  it('writes each function’s logs to its own log group, kept for the environment’s retention', () => {
    // act
    const f = fn('http-health');
    const group = resourceWhere(json, 'aws_cloudwatch_log_group', 'name', `/aws/lambda/${ordersName('http-health')}`);

    // assess
    expect(group.values.retention_in_days).toBe(14);
    expect(f.logging_config).toEqual({ log_format: 'JSON', log_group: reference(group.address, 'name') });
    expect(f.depends_on).toContain(group.address);
  });

  it('gives each function its own role that only Lambda can assume', () => {
    // act
    const roles = resourcesOfType(json, 'aws_iam_role').filter((r) => JSON.parse(String(r.values.assume_role_policy)).Statement[0].Principal.Service === 'lambda.amazonaws.com');

    // assess
    expect(roles).toHaveLength(Object.keys(ordersManifest.functions).length);
    for (const name of Object.keys(ordersManifest.functions)) {
      expect(fn(name).role).toBe(arnOf('aws_iam_role', 'name', ordersName(name)));
    }
  });
});

describe('least privilege derived from access', () => {
  it('a function without access gets its logs and traces only', () => {
    // act / assess
    expect(grants(policy('http-health'))).toEqual(baseline('http-health').sort());
    expect(grants(policy('cognito-pre-sign-up'))).toEqual(baseline('cognito-pre-sign-up').sort());
  });

  it('read access: Get/BatchGet/Query on the table, Query on its indexes, Decrypt through DynamoDB', () => {
    // act
    const document = policy('http-get-order');

    // assess
    expect(grants(document)).toEqual([...baseline('http-get-order'), ...tableGrants('orders', TABLE_READ_ACTIONS), `kms:Decrypt on ${key()}`].sort());
    expect(document.Statement.find((s) => s.Sid === 'TableKey')?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' },
    });
  });

  it('a read-only function can’t write', () => {
    // act
    const actions = policy('http-get-order').Statement.flatMap((s) => s.Action);

    // assess
    const writes = TABLE_WRITE_ACTIONS.filter((action) => !(TABLE_READ_ACTIONS as readonly string[]).includes(action));
    expect(actions.filter((action) => (writes as readonly string[]).includes(action))).toEqual([]);
    expect(actions).not.toContain('dynamodb:TransactWriteItems');
  });

  it('write access: read plus Put/Update/Delete/ConditionCheck/BatchWrite, and encrypt through DynamoDB', () => {
    // act / assess
    expect(grants(policy('http-place-order'))).toEqual(
      [
        ...baseline('http-place-order'),
        ...tableGrants('orders', TABLE_WRITE_ACTIONS),
        ...tableGrants('carts', TABLE_READ_ACTIONS),
        `kms:Decrypt on ${key()}`,
        `kms:Encrypt on ${key()}`,
        `kms:GenerateDataKey on ${key()}`,
      ].sort(),
    );
  });

  it('no function reaches a table it didn’t declare', () => {
    for (const [name, declaration] of Object.entries<FunctionDeclaration>(ordersManifest.functions)) {
      // act
      const reached = new Set(
        policy(name)
          .Statement.filter((s) => s.Action.some((action) => action.startsWith('dynamodb:')))
          .flatMap((s) => s.Resource)
          // "*" is only ListStreams (no resource-level permissions); the wildcard guard fails "*" for any data action.
          .filter((resource) => resource !== '*')
          .map((resource) => resourcesOfType(json, 'aws_dynamodb_table').find((t) => resource.startsWith('${' + t.address + '.'))?.values.name),
      );

      // assess
      const declared = new Set((declaration.access?.tables ?? []).map(({ table: t }) => ordersName(t)));
      for (const trigger of declaration.triggers) if (trigger.kind === 'stream') declared.add(ordersName(trigger.table));
      expect([...reached].sort(), name).toEqual([...declared].sort());
    }
  });

  it('publishing directly allows PutEvents on the platform bus only as the service’s own source', () => {
    // act
    const statement = policy('on-customer-registered').Statement.find((s) => s.Action.includes('events:PutEvents'));

    // assess
    expect(statement).toEqual({
      Sid: 'PublishDirectly',
      Effect: 'Allow',
      Action: ['events:PutEvents'],
      Resource: [busArn(json)],
      Condition: { StringEquals: { 'events:source': 'kestrel.orders' } },
    });
  });

  it('no other function may put events', () => {
    // act
    const publishers = Object.keys(ordersManifest.functions).filter((name) =>
      policy(name).Statement.some((s) => s.Action.some((action) => action.startsWith('events:'))),
    );

    // assess
    expect(publishers).toEqual(['on-customer-registered']);
  });

  it('an EventBridge-invoked function gets exactly: access, parameters, and its async failure queue', () => {
    // prepare
    const ssm = (path: string) => `arn:aws:ssm:eu-west-1:111111111111:parameter${path}`;

    // act / assess
    expect(grants(policy('on-customer-registered'))).toEqual(
      [
        ...baseline('on-customer-registered'),
        ...tableGrants('carts', TABLE_WRITE_ACTIONS),
        `kms:Decrypt on ${key()}`,
        `kms:Encrypt on ${key()}`,
        `kms:GenerateDataKey on ${key()}`,
        `events:PutEvents on ${busArn(json)}`,
        `ssm:GetParameter on ${ssm('/kestrel/orders/feature-flags')}`,
        `ssm:GetParameters on ${ssm('/kestrel/orders/feature-flags')}`,
        `ssm:GetParameter on ${ssm('/kestrel/orders/limits/*')}`,
        `ssm:GetParameters on ${ssm('/kestrel/orders/limits/*')}`,
        `ssm:GetParametersByPath on ${ssm('/kestrel/orders/limits')}`,
        `sqs:SendMessage on ${queue('on-customer-registered-failures')}`,
        `kms:GenerateDataKey on ${key()}`,
        `kms:Decrypt on ${key()}`,
      ].sort(),
    );
  });

  it('a stream reader may read that table’s stream and write its failure queue, nothing of the table itself', () => {
    // prepare
    const stream = arnOf('aws_dynamodb_table', 'name', ordersName('orders'), 'stream_arn');

    // act / assess
    expect(grants(policy('stream-order-audit'))).toEqual(
      [
        ...baseline('stream-order-audit'),
        `dynamodb:DescribeStream on ${stream}`,
        `dynamodb:GetRecords on ${stream}`,
        `dynamodb:GetShardIterator on ${stream}`,
        'dynamodb:ListStreams on *',
        `kms:Decrypt on ${key()}`,
        `sqs:SendMessage on ${queue('stream-order-audit-orders-stream-failures')}`,
        `kms:GenerateDataKey on ${key()}`,
        `kms:Decrypt on ${key()}`,
      ].sort(),
    );
  });
});

describe('asynchronous invocation', () => {
  it('configures an on-failure queue for exactly the EventBridge-invoked functions', () => {
    // act
    const configs = resourcesOfType(json, 'aws_lambda_function_event_invoke_config').map((c) => c.values);

    // assess
    expect(configs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          function_name: arnOf('aws_lambda_function', 'function_name', ordersName('on-customer-registered'), 'function_name'),
          maximum_retry_attempts: 2,
          maximum_event_age_in_seconds: 7200,
          destination_config: { on_failure: { destination: queue('on-customer-registered-failures') } },
        }),
        expect.objectContaining({
          function_name: arnOf('aws_lambda_function', 'function_name', ordersName('schedule-expire-carts'), 'function_name'),
          maximum_retry_attempts: 2,
          maximum_event_age_in_seconds: 3600,
          destination_config: { on_failure: { destination: queue('schedule-expire-carts-failures') } },
        }),
      ]),
    );
    expect(configs).toHaveLength(2);
  });

  it('keeps failed invocations for 14 days, encrypted with the service key', () => {
    // act
    const failures = resourceWhere(json, 'aws_sqs_queue', 'name', ordersName('on-customer-registered-failures')).values;

    // assess
    expect(failures).toMatchObject({ kms_master_key_id: key(), message_retention_seconds: 1_209_600 });
  });
});
