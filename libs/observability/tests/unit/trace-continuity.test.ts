// One flow, one trace: a producer's published event carries its span twice (metadata.traceparent
// for our wrapper, detail._datadog for datadog-lambda-js's EventBridge extractor), and the consumer's
// log lines and trace context carry the producer's trace id — through the bus, and through an outbox
// record read from a table stream.
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildPutEventsEntry, UserRegisteredV1 } from '@kestrel/contracts';
import { traceFromDatadogHeaders } from '../../src/trace-context';
import { withObservability, type Observability } from '../../src/with-observability';
import { captureLogLines } from './log-lines';
import { cognitoEvent } from './events';

const context = (awsRequestId: string) => ({ awsRequestId }) as Context;
const quiet = { send: async () => undefined };

let lines: Record<string, unknown>[] = [];
beforeEach(() => {
  lines = [];
  captureLogLines(lines);
});
afterEach(() => vi.restoreAllMocks());

/** The producer: a Cognito trigger that publishes UserRegistered with its invocation's metadata. */
async function produce(): Promise<{ detail: Record<string, unknown>; span: Observability['trace'] }> {
  let span: Observability['trace'] | undefined;
  const producer = withObservability(
    async (_event: unknown, _c, { eventMetadata, trace }) => {
      span = trace;
      return buildPutEventsEntry(UserRegisteredV1, UserRegisteredV1.example, { ...eventMetadata(), producer: 'identity' }, { eventBusName: 'outbox', includeTime: false });
    },
    { service: 'identity', functionName: 'cognito-post-confirmation', metricSink: quiet },
  );
  const entry = await producer(cognitoEvent({}), context('producer-1'));
  return { detail: JSON.parse(entry.Detail) as Record<string, unknown>, span: span as Observability['trace'] };
}

function consumer() {
  return withObservability(async (_event: unknown, _c, { logger, trace }) => {
    logger.info('consumed');
    return trace;
  }, { service: 'customers', functionName: 'on-user-registered', metricSink: quiet });
}

const envelope = (detail: Record<string, unknown>) => ({ version: '0', id: 'evt-1', 'detail-type': 'UserRegistered', source: 'kestrel.identity', detail });

describe('trace continuity from producer to consumer', () => {
  it('publishes the producer span as Datadog headers that name the same trace and span', async () => {
    // act
    const { detail, span } = await produce();

    // assess: what datadog-lambda-js extracts in the consumer is the producer's span.
    const headers = detail._datadog as Record<string, string>;
    expect(headers['x-datadog-parent-id']).toBe(BigInt(`0x${span.spanId}`).toString(10));
    expect(headers['x-datadog-trace-id']).toBe(BigInt(`0x${span.traceId.slice(16)}`).toString(10));
    expect(headers['x-datadog-tags']).toBe(`_dd.p.tid=${span.traceId.slice(0, 16)}`);
    expect(traceFromDatadogHeaders(headers)).toEqual(span);
  });

  it("puts the producer's trace id on the consumer's log lines, as trace_id and as the dd.trace_id Datadog links", async () => {
    // prepare
    const { detail, span } = await produce();
    lines.length = 0;

    // act
    const consumed = await consumer()(envelope(detail), context('consumer-1'));

    // assess
    expect(consumed.traceId).toBe(span.traceId);
    const line = lines.find((l) => l.message === 'consumed');
    expect(line).toMatchObject({ trace_id: span.traceId, parent_span_id: span.spanId, dd: { trace_id: (detail._datadog as Record<string, string>)['x-datadog-trace-id'] } });
  });

  it('continues a dd-trace producer that sent only Datadog headers (no metadata.traceparent)', async () => {
    // prepare: the event as a producer traced by dd-trace alone would publish it.
    const { detail, span } = await produce();
    const metadata = { ...(detail.metadata as Record<string, unknown>) };
    delete metadata.traceparent;
    const { traceparent: _w3c, ...datadogOnly } = detail._datadog as Record<string, string>;

    // act
    const consumed = await consumer()(envelope({ ...detail, metadata, _datadog: datadogOnly }), context('consumer-2'));

    // assess
    expect(consumed.traceId).toBe(span.traceId);
    expect(lines.find((l) => l.message === 'consumed')).toMatchObject({ trace_id: span.traceId, parent_span_id: span.spanId });
  });

  it('continues the trace through the outbox: a stream record whose item holds the published detail', async () => {
    // prepare
    const { detail, span } = await produce();
    const record = { eventSource: 'aws:dynamodb', dynamodb: { NewImage: { detail: { S: JSON.stringify(detail) } } } };

    // act
    const consumed = await consumer()({ Records: [record] }, context('pipe-1'));

    // assess
    expect(consumed.traceId).toBe(span.traceId);
  });
});
