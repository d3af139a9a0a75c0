import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger';

let stdout: Record<string, unknown>[] = [];
let stderr: Record<string, unknown>[] = [];
const parseLines = (into: Record<string, unknown>[]) => (chunk: string | Uint8Array) => {
  for (const line of String(chunk).split('\n').filter(Boolean)) into.push(JSON.parse(line) as Record<string, unknown>);
  return true;
};
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation(parseLines(stdout));
  vi.spyOn(process.stderr, 'write').mockImplementation(parseLines(stderr));
});
afterEach(() => vi.restoreAllMocks());

const context = { functionName: 'kestrel-staging-customers-http-get-customer', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:1:function:f', memoryLimitInMB: '256', awsRequestId: 'req-1' } as Context;

describe('logger', () => {
  it('writes Powertools-shaped JSON lines with the Lambda context, cold start only on the first invocation', () => {
    // prepare
    const logger = createLogger({ service: 'customers', functionName: 'http-get-customer', env: { DD_ENV: 'staging', _X_AMZN_TRACE_ID: 'Root=1-abc-def;Parent=1;Sampled=1' } });

    // act
    logger.addContext(context);
    logger.setCorrelationId('web-1');
    logger.appendKeys({ trigger: 'http' });
    logger.info('loaded', { customerId: 'c-1' });
    logger.resetKeys();
    logger.addContext({ ...context, awsRequestId: 'req-2' });
    logger.info('again');

    // assess
    expect(stdout[0]).toEqual({
      level: 'INFO', message: 'loaded', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'customers',
      cold_start: true, function_arn: context.invokedFunctionArn, function_memory_size: 256, function_name: context.functionName, function_request_id: 'req-1',
      xray_trace_id: '1-abc-def', correlation_id: 'web-1', function: 'http-get-customer', env: 'staging', trigger: 'http', customerId: 'c-1',
    });
    expect(stdout[1]).toMatchObject({ message: 'again', cold_start: false, function_request_id: 'req-2' });
    expect(stdout[1]).not.toHaveProperty('trigger');
  });

  it('filters below its level and sends WARN and above to stderr, errors formatted', () => {
    // prepare
    const logger = createLogger({ service: 's', functionName: 'f', env: { LOG_LEVEL: 'warn' } });

    // act
    logger.info('dropped');
    logger.warn('careful');
    logger.error('failed', new Error('table unavailable', { cause: new Error('timeout') }));

    // assess
    expect(stdout).toEqual([]);
    expect(stderr.map((line) => line.level)).toEqual(['WARN', 'ERROR']);
    expect(stderr[1]).toMatchObject({ error: { name: 'Error', message: 'table unavailable', cause: { message: 'timeout' } } });
    expect((stderr[1] as { error: { location: string } }).error.location).toMatch(/logger\.test\.ts:\d+$/);
  });

  it('never throws on what a handler logs: bigints, cycles', () => {
    // prepare
    const logger = createLogger({ service: 's', functionName: 'f', env: {} });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;

    // act
    logger.info('odd values', { big: 12345678901234567890n, cyclic });

    // assess
    expect(stdout[0]).toMatchObject({ big: '12345678901234567890', cyclic: { name: 'loop', self: '[Circular]' } });
  });
});
