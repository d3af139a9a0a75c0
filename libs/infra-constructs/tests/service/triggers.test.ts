import { describe, expect, it } from 'vitest';
import { subscriptionPattern } from '@kestrel/service-manifest';
import { ordersManifest } from './fixtures/orders-manifest';
import { ordersName, policyOfRole, resourceWhere, synthOrders, USER_POOL_ARN, grants } from './fixtures/orders-stack';
import { dataSourcesOfType, onlyResourceOfType, reference, resourcesOfType } from '../../src/testing';
import { ACCESS_LOG_FORMAT, CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, httpRoutes } from '../../src/service/http-api';

const { stack, json } = synthOrders('staging');

const addressOf = (type: string, attribute: string, value: unknown) => resourceWhere(json, type, attribute, value).address;
const functionArn = (name: string) => reference(addressOf('aws_lambda_function', 'function_name', ordersName(name)), 'arn');
const functionName = (name: string) => reference(addressOf('aws_lambda_function', 'function_name', ordersName(name)), 'function_name');
const queueArn = (name: string) => reference(addressOf('aws_sqs_queue', 'name', ordersName(name)), 'arn');
const parameter = (name: string) => {
  const found = dataSourcesOfType(json, 'aws_ssm_parameter').find((p) => p.values.name === name);
  if (!found) throw new Error(`no data source for ${name}`);
  return reference(found.address, 'insecure_value');
};
const permissionsFor = (name: string) => resourcesOfType(json, 'aws_lambda_permission').filter((p) => p.values.function_name === functionName(name)).map((p) => p.values);

describe('HTTP API', () => {
  const api = onlyResourceOfType(json, 'aws_apigatewayv2_api');

  it('is one HTTP API with an auto-deployed $default stage writing JSON access logs', () => {
    // act
    const stage = onlyResourceOfType(json, 'aws_apigatewayv2_stage').values;
    const accessLogs = resourceWhere(json, 'aws_cloudwatch_log_group', 'name', `/aws/apigateway/${ordersName('http')}`);

    // assess
    expect(api.values).toMatchObject({ name: ordersName('http'), protocol_type: 'HTTP' });
    expect(stage).toMatchObject({
      api_id: reference(api.address, 'id'),
      name: '$default',
      auto_deploy: true,
      access_log_settings: { destination_arn: reference(accessLogs.address, 'arn'), format: ACCESS_LOG_FORMAT },
    });
    expect(accessLogs.values.retention_in_days).toBe(14);
  });

  it('answers browsers (CORS) from the environment’s web origins, for the methods its routes use', () => {
    // act
    const cors = api.values.cors_configuration as { allow_methods: string[]; allow_headers: string[] };
    const production = onlyResourceOfType(synthOrders('production').json, 'aws_apigatewayv2_api').values.cors_configuration;
    // assess
    expect(cors).toEqual({
      allow_origins: ['*'],
      allow_methods: [...new Set(httpRoutes(ordersManifest).map(({ trigger }) => trigger.method))].sort(),
      allow_headers: CORS_ALLOW_HEADERS,
      expose_headers: CORS_EXPOSE_HEADERS,
      max_age: 3600,
    });
    expect(cors.allow_methods.length).toBeGreaterThan(0);
    expect(cors.allow_headers).toEqual(expect.arrayContaining(['authorization', 'content-type']));
    expect(production).toMatchObject({ allow_origins: ['https://app.kestrel.example'] });
  });

  it('throttles every route of the stage (429 above 200 rps, bursts of 400) instead of taking the account quota', () => {
    // act
    const stage = onlyResourceOfType(json, 'aws_apigatewayv2_stage').values;

    // assess
    expect(stage.default_route_settings).toEqual({ throttling_rate_limit: 200, throttling_burst_limit: 400 });
  });

  it('verifies JWTs with the issuer and client ids the identity context publishes in SSM', () => {
    // act
    const authorizer = onlyResourceOfType(json, 'aws_apigatewayv2_authorizer').values;

    // assess
    expect(authorizer).toMatchObject({
      authorizer_type: 'JWT',
      identity_sources: ['$request.header.Authorization'],
      jwt_configuration: {
        issuer: parameter('/kestrel/staging/identity/user-pool-issuer'),
        audience: `\${split(",", ${parameter('/kestrel/staging/identity/user-pool-client-ids').slice(2, -1)})}`,
      },
    });
  });

  it('has one route per http trigger, JWT-protected or open as declared, with scopes', () => {
    // prepare
    const authorizer = reference(onlyResourceOfType(json, 'aws_apigatewayv2_authorizer').address, 'id');

    // act
    const routes = Object.fromEntries(resourcesOfType(json, 'aws_apigatewayv2_route').map((r) => [r.values.route_key, r.values]));

    // assess
    expect(Object.keys(routes).sort()).toEqual(['GET /health', 'GET /orders/{orderId}', 'POST /orders']);
    expect(routes['POST /orders']).toMatchObject({ authorization_type: 'JWT', authorizer_id: authorizer, authorization_scopes: ['orders/write'] });
    expect(routes['GET /orders/{orderId}']).toMatchObject({ authorization_type: 'JWT', authorizer_id: authorizer });
    expect(routes['GET /health']?.authorization_type).toBe('NONE');
    expect(routes['GET /health']?.authorizer_id).toBeUndefined();
  });

  it('routes each to a Lambda proxy integration (payload 2.0) of its function', () => {
    // prepare
    const integrations = resourcesOfType(json, 'aws_apigatewayv2_integration');

    // act
    const route = resourceWhere(json, 'aws_apigatewayv2_route', 'route_key', 'POST /orders').values;
    const integration = integrations.find((i) => route.target === `integrations/${reference(i.address, 'id')}`)?.values;

    // assess
    expect(integration).toMatchObject({ integration_type: 'AWS_PROXY', payload_format_version: '2.0', integration_uri: functionArn('http-place-order') });
  });

  it('lets API Gateway invoke each function only through its route', () => {
    // act / assess
    expect(permissionsFor('http-get-order')).toEqual([
      {
        action: 'lambda:InvokeFunction',
        function_name: functionName('http-get-order'),
        principal: 'apigateway.amazonaws.com',
        source_arn: `${reference(api.address, 'execution_arn')}/*/GET/orders/*`,
      },
    ]);
    expect(permissionsFor('http-place-order').map((p) => p.source_arn)).toEqual([`${reference(api.address, 'execution_arn')}/*/POST/orders`]);
  });

  it('outputs the API URL', () => {
    // act / assess
    expect(json.output?.['http-api-url']?.value).toBe(reference(onlyResourceOfType(json, 'aws_apigatewayv2_stage').address, 'invoke_url'));
  });
});

describe('subscriptions', () => {
  const subscription = ordersManifest.consumes[0];
  const rule = resourceWhere(json, 'aws_cloudwatch_event_rule', 'name', ordersName('customer-registered'));

  it('puts a rule on the platform bus (read from SSM) with the pattern derived from the contracts', () => {
    // act / assess
    expect(rule.values).toMatchObject({ event_bus_name: parameter('/kestrel/staging/platform/event-bus-name') });
    expect(JSON.parse(String(rule.values.event_pattern))).toEqual(subscriptionPattern(subscription!));
    expect(JSON.parse(String(rule.values.event_pattern))).toEqual({
      source: ['kestrel.customers'],
      'detail-type': ['CustomerRegistered'],
      detail: { metadata: { version: [1] } },
    });
  });

  it('targets its function with the manifest’s retry policy and a dead-letter queue', () => {
    // act
    const target = resourceWhere(json, 'aws_cloudwatch_event_target', 'rule', reference(rule.address, 'name')).values;

    // assess
    expect(target).toMatchObject({
      arn: functionArn('on-customer-registered'),
      event_bus_name: parameter('/kestrel/staging/platform/event-bus-name'),
      retry_policy: { maximum_retry_attempts: 8, maximum_event_age_in_seconds: 7200 },
      dead_letter_config: { arn: queueArn('customer-registered-dlq') },
    });
  });

  it('every rule target has a DLQ and an explicit retry policy', () => {
    // act
    const targets = resourcesOfType(json, 'aws_cloudwatch_event_target').map((t) => t.values);

    // assess
    expect(targets).toHaveLength(ordersManifest.consumes.length + 1); // + the schedule
    for (const target of targets) {
      expect(target.dead_letter_config).toEqual({ arn: expect.stringMatching(/^\$\{aws_sqs_queue\./) });
      expect(target.retry_policy).toEqual({ maximum_retry_attempts: expect.any(Number), maximum_event_age_in_seconds: expect.any(Number) });
    }
  });

  it('the dead-letter queue is encrypted, keeps 14 days, and only this rule may send to it', () => {
    // prepare
    const dlq = resourceWhere(json, 'aws_sqs_queue', 'name', ordersName('customer-registered-dlq'));

    // act
    const policy = resourceWhere(json, 'aws_sqs_queue_policy', 'queue_url', reference(dlq.address, 'url')).values;

    // assess
    expect(dlq.values).toMatchObject({ kms_master_key_id: reference(onlyResourceOfType(json, 'aws_kms_key').address, 'arn'), message_retention_seconds: 1_209_600 });
    expect(JSON.parse(String(policy.policy))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'OnlyItsRuleSendsDeadLetters',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: reference(dlq.address, 'arn'),
          Condition: { ArnEquals: { 'aws:SourceArn': reference(rule.address, 'arn') } },
        },
      ],
    });
  });

  it('lets EventBridge invoke the function only from its rules', () => {
    // act / assess
    expect(permissionsFor('on-customer-registered')).toEqual([
      { action: 'lambda:InvokeFunction', function_name: functionName('on-customer-registered'), principal: 'events.amazonaws.com', source_arn: reference(rule.address, 'arn') },
    ]);
  });
});

describe('schedules', () => {
  it('puts a scheduled rule on the default bus, targeting its function with retry policy and DLQ', () => {
    // act
    const rule = resourceWhere(json, 'aws_cloudwatch_event_rule', 'name', ordersName('schedule-expire-carts-schedule'));
    const target = resourceWhere(json, 'aws_cloudwatch_event_target', 'rule', reference(rule.address, 'name')).values;

    // assess
    expect(rule.values).toMatchObject({ schedule_expression: 'rate(1 hour)' });
    expect(rule.values.event_bus_name).toBeUndefined();
    expect(target).toMatchObject({
      arn: functionArn('schedule-expire-carts'),
      retry_policy: { maximum_retry_attempts: 3, maximum_event_age_in_seconds: 3600 },
      dead_letter_config: { arn: queueArn('schedule-expire-carts-schedule-dlq') },
    });
    expect(permissionsFor('schedule-expire-carts').map((p) => p.source_arn)).toEqual([reference(rule.address, 'arn')]);
  });
});

describe('stream triggers', () => {
  it('map the table stream to the function with bisection, bounded retries and an on-failure queue', () => {
    // prepare
    const table = addressOf('aws_dynamodb_table', 'name', ordersName('orders'));

    // act
    const mapping = onlyResourceOfType(json, 'aws_lambda_event_source_mapping').values;

    // assess
    expect(mapping).toMatchObject({
      function_name: functionArn('stream-order-audit'),
      event_source_arn: reference(table, 'stream_arn'),
      starting_position: 'LATEST',
      batch_size: 50,
      bisect_batch_on_function_error: true,
      maximum_retry_attempts: 5,
      function_response_types: ['ReportBatchItemFailures'],
      destination_config: { on_failure: { destination_arn: queueArn('stream-order-audit-orders-stream-failures') } },
    });
  });
});

describe('Cognito triggers', () => {
  it('exposes the trigger functions by trigger name and as a user-pool lambda_config', () => {
    // act / assess
    expect(Object.keys(stack.cognitoTriggerArns)).toEqual(['PreSignUp']);
    expect(stack.cognitoTriggers.lambdaConfig).toEqual({ preSignUp: stack.functions.get('cognito-pre-sign-up').arn });
  });

  it('lets Cognito invoke them only from the given user pool', () => {
    // act / assess
    expect(permissionsFor('cognito-pre-sign-up')).toEqual([
      { action: 'lambda:InvokeFunction', function_name: functionName('cognito-pre-sign-up'), principal: 'cognito-idp.amazonaws.com', source_arn: USER_POOL_ARN },
    ]);
  });
});

describe('outbox pipe', () => {
  const pipe = onlyResourceOfType(json, 'aws_pipes_pipe').values;
  const table = addressOf('aws_dynamodb_table', 'name', ordersName('orders'));

  it('pipes the outbox table’s stream to the platform bus', () => {
    // act / assess
    expect(pipe).toMatchObject({
      name: ordersName('orders-outbox'),
      source: reference(table, 'stream_arn'),
      target: parameter('/kestrel/staging/platform/event-bus-arn'),
    });
  });

  it('passes only inserted outbox items of declared detail-types under the service’s source', () => {
    // act
    const filters = (pipe.source_parameters as { filter_criteria: { filter: Array<{ pattern: string }> } }).filter_criteria.filter;

    // assess
    expect(filters.map((f) => JSON.parse(f.pattern))).toEqual([
      {
        eventName: ['INSERT'],
        dynamodb: {
          NewImage: {
            PK: { S: [{ prefix: 'OUTBOX#' }] },
            source: { S: ['kestrel.orders'] },
            detailType: { S: ['OrderPlaced', 'OrderShipped'] },
          },
        },
      },
    ]);
  });

  it('takes source and detail-type from the item, and the detail JSON string as the event detail', () => {
    // act / assess
    expect(pipe.target_parameters).toEqual({
      input_template: '<$.dynamodb.NewImage.detail.S>',
      eventbridge_event_bus_parameters: { source: '$.dynamodb.NewImage.source.S', detail_type: '$.dynamodb.NewImage.detailType.S' },
    });
  });

  it('retries a bounded number of times, bisecting, then dead-letters to an encrypted queue', () => {
    // act / assess
    expect((pipe.source_parameters as Record<string, unknown>).dynamodb_stream_parameters).toEqual({
      starting_position: 'LATEST',
      batch_size: 10,
      maximum_retry_attempts: 10,
      on_partial_batch_item_failure: 'AUTOMATIC_BISECT',
      dead_letter_config: { arn: queueArn('orders-outbox-dlq') },
    });
  });

  it('runs with a role that may only read that stream, publish as kestrel.orders, and dead-letter', () => {
    // prepare
    const stream = reference(table, 'stream_arn');
    const key = reference(onlyResourceOfType(json, 'aws_kms_key').address, 'arn');

    // act
    const policy = policyOfRole(json, ordersName('orders-outbox'));

    // assess
    expect(grants(policy)).toEqual(
      [
        `dynamodb:DescribeStream on ${stream}`,
        `dynamodb:GetRecords on ${stream}`,
        `dynamodb:GetShardIterator on ${stream}`,
        `dynamodb:ListStreams on ${reference(table, 'arn')}/stream/*`,
        `kms:Decrypt on ${key}`,
        `events:PutEvents on ${parameter('/kestrel/staging/platform/event-bus-arn')}`,
        `sqs:SendMessage on ${queueArn('orders-outbox-dlq')}`,
        `kms:GenerateDataKey on ${key}`,
        `kms:Decrypt on ${key}`,
      ].sort(),
    );
    expect(policy.Statement.find((s) => s.Action.includes('events:PutEvents'))?.Condition).toEqual({ StringEquals: { 'events:source': 'kestrel.orders' } });
    const trust = JSON.parse(String(resourceWhere(json, 'aws_iam_role', 'name', ordersName('orders-outbox')).values.assume_role_policy));
    expect(trust.Statement[0].Principal).toEqual({ Service: 'pipes.amazonaws.com' });
  });
});
