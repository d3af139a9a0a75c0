import { describe, expect, it } from 'vitest';
import { TRACEPARENT_PATTERN } from '@kestrel/contracts';
import { continueTrace, datadogSpanId, datadogTraceId, formatTraceparent, parseTraceparent, traceFromDatadogHeaders, TRACEPARENT_FORMAT } from '../../src/trace-context';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  it('accepts exactly the traceparents the contracts envelope accepts (one format, written twice)', () => {
    // assess
    expect(TRACEPARENT_FORMAT.source).toBe(TRACEPARENT_PATTERN.source);
    expect(TRACEPARENT_FORMAT.flags).toBe(TRACEPARENT_PATTERN.flags);
  });

  it('parses a traceparent and formats it back unchanged', () => {
    // prepare / act
    const parsed = parseTraceparent(PARENT);

    // assess
    expect(parsed).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
    expect(formatTraceparent(parsed!)).toBe(PARENT);
  });

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['all-zero span id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`],
    ['a number', 42],
  ])('ignores %s so the invocation starts a new trace', (_label, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('continues the parent trace with a new span, keeping the sampling decision', () => {
    // prepare
    const parent = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00')!;

    // act
    const child = continueTrace(parent);

    // assess
    expect(child.traceId).toBe(parent.traceId);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(parent.spanId);
    expect(child.sampled).toBe(false);
  });

  it('starts a sampled trace when there is no parent', () => {
    const span = continueTrace(undefined);
    expect(parseTraceparent(formatTraceparent(span))).toEqual(span);
    expect(span.sampled).toBe(true);
  });

  it('derives the 64-bit decimal ids Datadog links logs to traces with', () => {
    expect(datadogTraceId('4bf92f3577b34da6a3ce929d0e0e4736')).toBe(BigInt('0xa3ce929d0e0e4736').toString());
    expect(datadogSpanId('00f067aa0ba902b7')).toBe('67667974448284343');
  });

  it('reads Datadog propagation headers back into a W3C context, and ignores what is not one', () => {
    const headers = { 'x-datadog-trace-id': '11803532876627986230', 'x-datadog-parent-id': '67667974448284343' };
    expect(traceFromDatadogHeaders({ ...headers, 'x-datadog-tags': '_dd.p.dm=-1,_dd.p.tid=4bf92f3577b34da6' })).toEqual(parseTraceparent(PARENT));
    // A 64-bit trace (no _dd.p.tid) keeps an all-zero upper half; priority 0 or below is not sampled.
    expect(traceFromDatadogHeaders({ ...headers, 'x-datadog-sampling-priority': '-1' })).toEqual({ traceId: '0000000000000000a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false });
    expect(traceFromDatadogHeaders({ 'x-datadog-trace-id': '0', 'x-datadog-parent-id': '1' })).toBeUndefined();
    expect(traceFromDatadogHeaders({ 'x-datadog-trace-id': '18446744073709551616', 'x-datadog-parent-id': '1' })).toBeUndefined();
    expect(traceFromDatadogHeaders({ 'x-datadog-trace-id': 'abc', 'x-datadog-parent-id': '1' })).toBeUndefined();
    expect(traceFromDatadogHeaders('x-datadog-trace-id=1')).toBeUndefined();
  });
});
