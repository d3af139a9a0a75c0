import { describe, expect, it } from 'vitest';
import { detectTrigger, flowContextOf, httpFlowContextOf, isOpaqueCorrelationId } from '../../src/flow-context';
import { cognitoEvent, eventBridgeEvent, httpEvent, streamEvent } from './events';

describe('flowContextOf', () => {
  it('reads correlation, event id and trace from an EventBridge event, tolerating _datadog in detail', () => {
    // prepare
    const event = eventBridgeEvent({ correlationId: 'signup-42', eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' });
    (event.detail as Record<string, unknown>)._datadog = { 'x-datadog-trace-id': '123', 'x-datadog-parent-id': '456' };

    // act
    const flow = flowContextOf(event, 'lambda-request');

    // assess
    expect(flow).toMatchObject({
      trigger: 'eventbridge',
      correlationId: 'signup-42',
      causeId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b',
      parent: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' },
      event: { source: 'kestrel.identity', detailType: 'UserRegistered', version: 1 },
    });
  });

  it('falls back on the traceparent dd-trace put in detail._datadog when metadata has none', () => {
    const event = eventBridgeEvent({ traceparent: undefined });
    (event.detail as Record<string, unknown>)._datadog = { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' };
    expect(flowContextOf(event, 'r').parent?.traceId).toBe('11111111111111111111111111111111');
  });

  it('takes an HTTP caller’s x-correlation-id and traceparent, and the API request id as cause', () => {
    const flow = flowContextOf(httpEvent({ 'x-correlation-id': 'web-7f1d', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }), 'r');
    expect(flow).toMatchObject({ trigger: 'http', correlationId: 'web-7f1d', causeId: 'api-req-1', parent: { spanId: '00f067aa0ba902b7' } });
  });

  it('refuses a correlation id that could forge log content and uses the request id instead', () => {
    const flow = flowContextOf(httpEvent({ 'x-correlation-id': 'evil\n{"level":"ERROR"}' }), 'r');
    expect(flow.correlationId).toBe('api-req-1');
  });

  it.each([
    ['an email address', 'grace.hopper@example.com'],
    ['an email address without its domain dots', 'grace@example'],
    ['a phone number', '+447700900123'],
    ['digits only (a phone or card number)', '07700900123'],
    ['a name', 'grace.hopper'],
    ['free text', 'Grace Hopper'],
    ['a path', 'users/42'],
    ['a bidi override', 'web-7f1d\u202e'],
    ['129 characters', `a1${'x'.repeat(127)}`],
  ])('replaces a client correlation id that is not an opaque identifier (%s) by the request id, in HTTP and Cognito alike', (_kind, value) => {
    expect(flowContextOf(httpEvent({ 'x-correlation-id': value }), 'r').correlationId).toBe('api-req-1');
    expect(flowContextOf(cognitoEvent({ correlationId: value }), 'lambda-1').correlationId).toBe('lambda-1');
    expect(isOpaqueCorrelationId(value)).toBe(false);
  });

  it('accepts opaque identifiers from clients: UUIDs, ULIDs, short tagged tokens', () => {
    for (const id of ['2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b', '01J9ZK3C1M8Q4W7E2R5T6Y8U0I', 'web-7f1d', 'app-signup-9']) expect(isOpaqueCorrelationId(id)).toBe(true);
  });

  it('never carries an email address along a flow, even in event metadata', () => {
    expect(flowContextOf(eventBridgeEvent({ correlationId: 'grace@example.com', eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b' }), 'r').correlationId).not.toContain('@');
  });

  it('starts a flow at a Cognito trigger from the client metadata, else the Lambda request id', () => {
    expect(flowContextOf(cognitoEvent({ correlationId: 'app-signup-9' }), 'lambda-1').correlationId).toBe('app-signup-9');
    expect(flowContextOf(cognitoEvent(), 'lambda-1')).toEqual({ trigger: 'cognito', correlationId: 'lambda-1', causeId: 'lambda-1' });
  });

  it('continues the flow of a stream batch whose records share one correlation id, lists them when they differ', () => {
    expect(flowContextOf(streamEvent(['flow-a', 'flow-a']), 'batch-1')).toMatchObject({ correlationId: 'flow-a', correlationIds: ['flow-a'] });
    expect(flowContextOf(streamEvent(['flow-a', 'flow-b']), 'batch-1')).toMatchObject({ correlationId: 'batch-1', correlationIds: ['flow-a', 'flow-b'] });
  });

  it('reads queued EventBridge events in SQS records (a redriven DLQ)', () => {
    const body = JSON.stringify(eventBridgeEvent({ correlationId: 'queued-flow' }));
    const flow = flowContextOf({ Records: [{ eventSource: 'aws:sqs', body }] }, 'r');
    expect(flow).toMatchObject({ trigger: 'sqs', correlationId: 'queued-flow' });
  });

  it('treats anything else as its own flow', () => {
    expect(detectTrigger({ hello: 'world' })).toBe('unknown');
    expect(flowContextOf(null, 'r')).toEqual({ trigger: 'unknown', correlationId: 'r', causeId: 'r' });
  });
});

describe('httpFlowContextOf', () => {
  it.each([
    ['a caller’s correlation id and traceparent', { 'x-correlation-id': 'web-7f1d', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }],
    ['no headers', {}],
    ['a correlation id that could forge log content', { 'x-correlation-id': 'grace@example.com', traceparent: 'not-a-traceparent' }],
    ['upper-case header names of a hand-built event', { 'X-Correlation-Id': 'web-9', TraceParent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' }],
  ])('reads an HTTP request exactly as flowContextOf does: %s', (_case, headers) => {
    const event = httpEvent(headers);
    expect(httpFlowContextOf(event, 'lambda-request')).toEqual(flowContextOf(event, 'lambda-request'));
  });
});

