import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../src/core/types';
import { resolveLocalHandler } from '../../src/services/lambda/handler-redirect';
import { buildFixtureStack, createTestCloud, invokeJson } from './support';
import type { FixtureStack, TestCloud } from './support';

const DATADOG_HANDLER = '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler';
const address = 'aws_lambda_function.fn';

/** The error `act` throws (or a failure when it throws none). */
function errorOf(act: () => unknown): AwsServiceError {
  try {
    act();
  } catch (error) {
    return error as AwsServiceError;
  }
  throw new Error('expected an error');
}

describe('resolveLocalHandler', () => {
  it('runs a bundle handler as configured', () => {
    // act
    const local = resolveLocalHandler(address, 'orders', 'index.handler', { DD_LAMBDA_HANDLER: 'other.handler' });

    // assess
    expect(local).toEqual({ handler: 'index.handler' });
  });

  it("runs the handler DD_LAMBDA_HANDLER names when the handler is Datadog's layer redirect", () => {
    // act
    const local = resolveLocalHandler(address, 'orders', DATADOG_HANDLER, { DD_LAMBDA_HANDLER: 'index.handler' });

    // assess
    expect(local).toEqual({
      handler: 'index.handler',
      redirect: { vendor: 'Datadog', layerHandler: DATADOG_HANDLER, variable: 'DD_LAMBDA_HANDLER', runs: 'index.handler' },
    });
  });

  it('refuses the Datadog layer handler without DD_LAMBDA_HANDLER, naming the function and the layer path', () => {
    // act
    const error = errorOf(() => resolveLocalHandler(address, 'orders', DATADOG_HANDLER, {}));

    // assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.code).toBe('InvalidParameterValueException');
    expect(error.message).toContain(`aws_lambda_function.fn: handler: function 'orders' runs '${DATADOG_HANDLER}' from a layer`);
    expect(error.message).toContain('set DD_LAMBDA_HANDLER');
  });

  it('refuses any other layer handler even when DD_LAMBDA_HANDLER is set, instead of running something else', () => {
    // act
    const error = errorOf(() => resolveLocalHandler(address, 'orders', '/opt/nodejs/node_modules/other-vendor/wrapper.handler', { DD_LAMBDA_HANDLER: 'index.handler' }));

    // assess
    expect(error.message).toContain("function 'orders' runs '/opt/nodejs/node_modules/other-vendor/wrapper.handler' from a layer");
    expect(error.message).toContain('only a known wrapper');
  });

  it('refuses a DD_LAMBDA_HANDLER that is not a handler in the bundle', () => {
    // act
    const intoLayer = errorOf(() => resolveLocalHandler(address, 'orders', DATADOG_HANDLER, { DD_LAMBDA_HANDLER: '/opt/other/index.handler' }));
    const noExport = errorOf(() => resolveLocalHandler(address, 'orders', DATADOG_HANDLER, { DD_LAMBDA_HANDLER: 'index' }));

    // assess
    expect(intoLayer.message).toContain("DD_LAMBDA_HANDLER '/opt/other/index.handler' must name a file in the function's own bundle");
    expect(noExport.message).toContain("DD_LAMBDA_HANDLER 'index' must name a file in the function's own bundle");
  });
});

describe('a function configured with the Datadog handler redirect', () => {
  let stack: FixtureStack;
  let cloud: TestCloud;
  const datadog = { handler: DATADOG_HANDLER, environment: { variables: { DD_LAMBDA_HANDLER: 'index.handler', DD_TRACE_ENABLED: 'true' } } };

  beforeAll(async () => {
    stack = await buildFixtureStack();
    cloud = createTestCloud(stack);
    await cloud.module.start?.();
  });

  afterAll(async () => {
    await cloud.stop();
    stack.cleanup();
  });

  it('applies with the configured handler in its attributes, logs the redirect once, and runs the bundle handler', async () => {
    // act
    const attributes = await cloud.deployFunction('traced', datadog);
    await cloud.deployFunction('traced', datadog);
    const result = await invokeJson(cloud, 'traced', { action: 'env', keys: ['_HANDLER', 'DD_LAMBDA_HANDLER'] });

    // assess
    expect(attributes.handler).toBe(DATADOG_HANDLER);
    const redirects = cloud.logs.filter((line) => line.message.includes('handler redirect'));
    expect(redirects).toEqual([
      {
        message: 'lambda: Datadog handler redirect: running index.handler; layers are not loaded locally',
        fields: { function: 'traced', handler: DATADOG_HANDLER, DD_LAMBDA_HANDLER: 'index.handler' },
      },
    ]);
    expect(result.functionError).toBeUndefined();
    expect(result.body).toEqual({ _HANDLER: 'index.handler', DD_LAMBDA_HANDLER: 'index.handler' });
  });

  it('shows the configured handler, what runs and why in the functions state', async () => {
    // prepare
    await cloud.deployFunction('traced', datadog);

    // act
    const state = cloud.module.service.describe() as Array<Record<string, unknown>>;

    // assess
    expect(state.find((fn) => fn.name === 'traced')).toMatchObject({
      handler: DATADOG_HANDLER,
      runs: 'index.handler',
      handlerRedirect: { vendor: 'Datadog', layerHandler: DATADOG_HANDLER, variable: 'DD_LAMBDA_HANDLER', runs: 'index.handler', reason: 'layers are not loaded locally' },
    });
  });

  it('fails to provision a layer handler without the redirect variable, and creates nothing', async () => {
    // act
    const applying = cloud.deployFunction('untraceable', { handler: DATADOG_HANDLER });

    // assess
    await expect(applying).rejects.toThrow(`aws_lambda_function.untraceable: handler: function 'untraceable' runs '${DATADOG_HANDLER}' from a layer`);
    expect(cloud.module.service.registry.get('untraceable')).toBeUndefined();
  });
});
