import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { codeRootFor, prepareCode } from '../../src/services/lambda/code-assets';
import { parseEventInvokeSettings, parseFunctionSettings, parsePermission } from '../../src/services/lambda/function-config';
import { parseFunctionReference } from '../../src/services/lambda/function-registry';
import { PermissionStore } from '../../src/services/lambda/permissions';
import { resource } from './support';

const scratch = mkdtempSync(join(tmpdir(), 'lambda-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fn = (config: Record<string, unknown>) => resource(scratch, 'aws_lambda_function', 'fn', config);
const minimal = { function_name: 'orders', handler: 'index.handler', runtime: 'nodejs22.x', filename: 'assets/fn/abc/archive.zip' };

describe('aws_lambda_function settings', () => {
  it("applies Lambda's defaults", () => {
    // act
    const settings = parseFunctionSettings(fn(minimal));

    // assess
    expect(settings).toMatchObject({
      name: 'orders',
      timeoutSeconds: 3,
      memorySizeMb: 128,
      reservedConcurrency: undefined,
      environment: {},
      tracingMode: 'PassThrough',
      logGroupName: '/aws/lambda/orders',
      architectures: ['x86_64'],
    });
  });

  it('reads nested blocks written as objects or as one-element lists', () => {
    // act
    const asList = parseFunctionSettings(fn({ ...minimal, environment: [{ variables: { A: '1' } }], dead_letter_config: [{ target_arn: 'arn:aws:sqs:eu-west-1:000000000000:dlq' }] }));
    const asObject = parseFunctionSettings(fn({ ...minimal, environment: { variables: { A: '1' } }, reserved_concurrent_executions: 5 }));

    // assess
    expect(asList.environment).toEqual({ A: '1' });
    expect(asList.deadLetterTargetArn).toBe('arn:aws:sqs:eu-west-1:000000000000:dlq');
    expect(asObject.environment).toEqual({ A: '1' });
    expect(asObject.reservedConcurrency).toBe(5);
  });

  it('names every bad field in one error', () => {
    // act
    const attempt = () => parseFunctionSettings(fn({ function_name: 'bad name!', handler: 'index', runtime: 'python3.12', timeout: 901, memory_size: 64 }));

    // assess
    expect(attempt).toThrow(/^aws_lambda_function\.fn: /);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const field of ['function_name', 'handler', 'runtime', 'filename', 'timeout', 'memory_size']) expect(message).toContain(`${field}:`);
  });

  it('refuses the environment variables Lambda reserves', () => {
    // act
    const attempt = () => parseFunctionSettings(fn({ ...minimal, environment: { variables: { AWS_REGION: 'eu-west-1', OK: 'yes' } } }));

    // assess
    expect(attempt).toThrow(/Reserved keys used in this request: AWS_REGION$/);
  });
});

describe('event invoke config and permission settings', () => {
  it('defaults to 2 retries and 6 hours, and validates the bounds', () => {
    // act
    const defaults = parseEventInvokeSettings(resource(scratch, 'aws_lambda_function_event_invoke_config', 'c', { function_name: 'orders' }));
    const tooMany = () => parseEventInvokeSettings(resource(scratch, 'aws_lambda_function_event_invoke_config', 'c', { function_name: 'orders', maximum_retry_attempts: 3 }));

    // assess
    expect(defaults).toMatchObject({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 });
    expect(tooMany).toThrow(/maximum_retry_attempts/);
  });

  it('records a permission statement', () => {
    // act
    const statement = parsePermission(
      resource(scratch, 'aws_lambda_permission', 'bus', {
        statement_id: 'AllowEventBridge',
        action: 'lambda:InvokeFunction',
        function_name: 'orders',
        principal: 'events.amazonaws.com',
        source_arn: 'arn:aws:events:eu-west-1:000000000000:rule/platform/orders-*',
      }),
    );

    // assess
    expect(statement).toMatchObject({ statementId: 'AllowEventBridge', principal: 'events.amazonaws.com' });
  });
});

describe('function references', () => {
  it.each([
    ['orders', { name: 'orders' }],
    ['orders:$LATEST', { name: 'orders', qualifier: '$LATEST' }],
    ['arn:aws:lambda:eu-west-1:000000000000:function:orders', { name: 'orders' }],
    ['arn:aws:lambda:eu-west-1:000000000000:function:orders:1', { name: 'orders', qualifier: '1' }],
    ['000000000000:function:orders', { name: 'orders' }],
  ])('reads %s', (reference, expected) => {
    expect(parseFunctionReference(reference)).toEqual(expected);
  });

  it('rejects what is not a function reference', () => {
    expect(parseFunctionReference('arn:aws:sqs:eu-west-1:000000000000:queue')).toBeUndefined();
  });
});

describe('permission checks', () => {
  const store = new PermissionStore();
  store.put('aws_lambda_permission.bus', {
    statementId: 'AllowBus',
    functionName: 'arn:aws:lambda:eu-west-1:000000000000:function:orders',
    action: 'lambda:InvokeFunction',
    principal: 'events.amazonaws.com',
    sourceArn: 'arn:aws:events:eu-west-1:000000000000:rule/platform/orders-*',
  });
  store.put('aws_lambda_permission.cognito', { statementId: 'AllowCognito', functionName: 'pre-sign-up', action: 'lambda:InvokeFunction', principal: 'cognito-idp.amazonaws.com' });
  const orders = 'arn:aws:lambda:eu-west-1:000000000000:function:orders';

  it('allows the recorded principal from a matching source', () => {
    expect(store.isInvokeAllowed(orders, 'events.amazonaws.com', 'arn:aws:events:eu-west-1:000000000000:rule/platform/orders-created')).toBe(true);
  });

  it('refuses another source, another principal, a missing source and an unknown function', () => {
    expect(store.isInvokeAllowed(orders, 'events.amazonaws.com', 'arn:aws:events:eu-west-1:000000000000:rule/platform/billing')).toBe(false);
    expect(store.isInvokeAllowed(orders, 'apigateway.amazonaws.com', 'arn:aws:events:eu-west-1:000000000000:rule/platform/orders-created')).toBe(false);
    expect(store.isInvokeAllowed(orders, 'events.amazonaws.com')).toBe(false);
    expect(store.isInvokeAllowed('billing', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:000000000000:rule/platform/orders-x')).toBe(false);
  });

  it('allows a statement without source condition from any source', () => {
    expect(store.isInvokeAllowed('pre-sign-up', 'cognito-idp.amazonaws.com', 'arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_x')).toBe(true);
  });

  it('renders the resource policy as GetPolicy returns it', () => {
    // act
    const document = store.policyDocument('orders', orders);

    // assess
    expect(document.Statement).toEqual([
      {
        Sid: 'AllowBus',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: orders,
        Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:events:eu-west-1:000000000000:rule/platform/orders-*' } },
      },
    ]);
  });
});

describe('code assets', () => {
  const stackDir = join(scratch, 'stack');
  const codeRoot = join(scratch, 'code');

  it('unpacks a zip asset into a content-addressed task root, once', () => {
    // prepare
    mkdirSync(join(stackDir, 'assets', 'fn', 'h1'), { recursive: true });
    const archive = zipSync({ 'index.mjs': new TextEncoder().encode('export const handler = async () => 1;'), 'lib/': new Uint8Array(), 'lib/util.mjs': new TextEncoder().encode('export {}') });
    writeFileSync(join(stackDir, 'assets', 'fn', 'h1', 'archive.zip'), archive);

    // act
    const first = prepareCode(stackDir, 'assets/fn/h1/archive.zip', codeRoot);
    const again = prepareCode(stackDir, 'assets/fn/h1/archive.zip', codeRoot);

    // assess
    expect(first.source).toBe('zip');
    expect(first.codeSize).toBe(archive.length);
    expect(again.taskRoot).toBe(first.taskRoot);
    expect(readFileSync(join(first.taskRoot, 'index.mjs'), 'utf8')).toContain('handler');
    expect(existsSync(join(first.taskRoot, 'lib', 'util.mjs'))).toBe(true);
  });

  it('copies a directory asset', () => {
    // prepare
    mkdirSync(join(stackDir, 'assets', 'dir', 'h2'), { recursive: true });
    writeFileSync(join(stackDir, 'assets', 'dir', 'h2', 'index.js'), 'exports.handler = async () => 2;');

    // act
    const code = prepareCode(stackDir, 'assets/dir/h2', codeRoot);

    // assess
    expect(code.source).toBe('directory');
    expect(readFileSync(join(code.taskRoot, 'index.js'), 'utf8')).toContain('exports.handler');
  });

  it('refuses a missing asset, a file that is not a zip and an archive escaping its root', () => {
    // prepare
    writeFileSync(join(stackDir, 'handler.js'), '');
    mkdirSync(join(stackDir, 'assets', 'evil'), { recursive: true });
    writeFileSync(join(stackDir, 'assets', 'evil', 'archive.zip'), zipSync({ '../../escape.js': new Uint8Array([1]) }));

    // act + assess
    expect(() => prepareCode(stackDir, 'assets/none/archive.zip', codeRoot)).toThrow(/^filename: .* does not exist/);
    expect(() => prepareCode(stackDir, 'handler.js', codeRoot)).toThrow(/neither a \.zip archive nor a directory/);
    expect(() => prepareCode(stackDir, 'assets/evil/archive.zip', codeRoot)).toThrow(/entry outside the archive root/);
  });

  it('keeps task roots out of folders with node_modules above them', () => {
    expect(codeRootFor(join(scratch, 'data'))).toBe(join(scratch, 'data', 'lambda', 'code'));
    expect(codeRootFor(process.cwd())).not.toContain(process.cwd());
  });
});
