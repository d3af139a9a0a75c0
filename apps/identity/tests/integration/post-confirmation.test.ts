import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Context } from 'aws-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { parseEvent, TRACEPARENT_PATTERN, UserRegisteredV1 } from '@kestrel/contracts';
import { HANDLER_METRICS, withObservability } from '@kestrel/observability';
import type { MetricPoint } from '@kestrel/observability';
import { IdentityTable } from '../../src/adapters/identity-table';
import { TEMPORARY_FAILURE_MESSAGE } from '../../src/adapters/trigger-runtime';
import { createHandler } from '../../src/handlers/cognito-post-confirmation';
import * as events from '../fixtures/cognito-events';
import { asDelivered, createIdentityTables, outboxEvents, RecordingGroupMembership, streamRecords } from './support';
import type { IdentityTables } from './support';

let tables: IdentityTables;
beforeAll(async () => {
  tables = await createIdentityTables();
});
afterAll(() => tables.delete());
afterEach(() => {
  vi.restoreAllMocks();
});

function setUp() {
  const groups = new RecordingGroupMembership();
  const handler = createHandler(() => ({ table: new IdentityTable(tables.documents, tables.identity.tableName), groups }), { log: () => undefined });
  return { groups, handler };
}

async function registrationsOf(sub: string) {
  const { Items = [] } = await tables.documents.send(
    new QueryCommand({ TableName: tables.identity.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `USER#${sub}` }, ConsistentRead: true }),
  );
  return Items.filter((item) => item.SK === 'REGISTRATION');
}

async function registeredEventsFor(sub: string) {
  const published = outboxEvents(await streamRecords(tables.client, tables.endpoint, tables.identity.tableName));
  return published.filter((event) => event.detailType === 'UserRegistered' && event.detail.data.userId === sub);
}

describe('post confirmation', () => {
  it('adds the user to customers and publishes one UserRegistered that satisfies the contract', async () => {
    // prepare
    const { groups, handler } = setUp();
    const sub = globalThis.crypto.randomUUID();
    const event = events.postConfirmation(events.attributes({ sub, email: 'Ada.Lovelace@Example.com' }));
    // act
    const result = await handler(event, { awsRequestId: 'req-1' });
    // assess
    expect(result).toEqual({ ...event, response: {} });
    expect(groups.calls).toEqual([{ userPoolId: events.USER_POOL_ID, userName: events.SUB, group: 'customers' }]);
    const [published, ...more] = await registeredEventsFor(sub);
    expect(more).toEqual([]);
    const delivered = parseEvent([UserRegisteredV1], asDelivered(published!));
    expect(delivered.source).toBe('kestrel.identity');
    expect(delivered.detail.data).toMatchObject({ userId: sub, email: 'ada.lovelace@example.com', givenName: 'Ada', familyName: 'Lovelace', locale: 'en-GB', origin: 'sign-up' });
    expect(delivered.detail.metadata).toMatchObject({ producer: 'identity', causationId: 'req-1', correlationId: `user-${sub}` });
  });

  it('publishes one event however often Cognito retries, sequentially or concurrently', async () => {
    // prepare
    const { groups, handler } = setUp();
    const sub = globalThis.crypto.randomUUID();
    const event = events.postConfirmation(events.attributes({ sub }));
    // act: three retries one after another, then three at once
    for (const attempt of [1, 2, 3]) await handler(event, { awsRequestId: `retry-${attempt}` });
    const concurrent = await Promise.allSettled([4, 5, 6].map((attempt) => handler(event, { awsRequestId: `retry-${attempt}` })));
    // assess
    expect(concurrent.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(await registrationsOf(sub)).toHaveLength(1);
    const published = await registeredEventsFor(sub);
    expect(published).toHaveLength(1);
    expect(published[0]?.detail.metadata.causationId).toBe('retry-1');
    expect(groups.members).toEqual(new Set([`customers/${events.SUB}`]));
  });

  it('survives a failure before recording: the retry publishes the only event', async () => {
    // prepare: Cognito's group API throttles the first attempt
    const { groups, handler } = setUp();
    groups.failNext = true;
    const sub = globalThis.crypto.randomUUID();
    const event = events.postConfirmation(events.attributes({ sub }));
    // act
    const first = await handler(event, { awsRequestId: 'first' }).catch((error: Error) => error);
    await handler(event, { awsRequestId: 'second' });
    // assess
    expect(first).toMatchObject({ message: TEMPORARY_FAILURE_MESSAGE });
    const published = await registeredEventsFor(sub);
    expect(published.map((event) => event.detail.metadata.causationId)).toEqual(['second']);
  });

  it('registers nobody on a password reset of a normal user, and a migrated user on their reset', async () => {
    // prepare
    const { handler } = setUp();
    const normal = globalThis.crypto.randomUUID();
    const migrated = globalThis.crypto.randomUUID();
    // act
    await handler(events.postConfirmation(events.attributes({ sub: normal }), 'PostConfirmation_ConfirmForgotPassword'));
    await handler(events.postConfirmation(events.attributes({ sub: migrated, 'custom:origin': 'migration' }), 'PostConfirmation_ConfirmForgotPassword'));
    // assess
    expect(await registeredEventsFor(normal)).toEqual([]);
    expect((await registeredEventsFor(migrated)).map((event) => event.detail.data.origin)).toEqual(['migration']);
  });

  it('refuses hostile attributes before writing anything', async () => {
    // prepare
    const { groups, handler } = setUp();
    const sub = globalThis.crypto.randomUUID();
    // act
    const error = await handler(events.postConfirmation(events.attributes({ sub, given_name: 'Ada<script>' }))).catch((e: Error) => e);
    // assess
    expect(error).toMatchObject({ name: 'Rejected', message: 'Your first name can only contain letters, spaces, apostrophes, hyphens and periods.' });
    expect(groups.calls).toEqual([]);
    expect(await registrationsOf(sub)).toEqual([]);
  });
});

describe('post confirmation as deployed (wrapped with withObservability)', () => {
  /** The production wiring around the test's table: the wrapper reads the ids, the trigger publishes them. */
  function setUpWrapped() {
    const metrics: MetricPoint[] = [];
    const lines: Array<Record<string, unknown>> = [];
    // Powertools' logger writes one JSON line per call to stdout.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = String(chunk);
      if (text.startsWith('{')) lines.push(JSON.parse(text) as Record<string, unknown>);
      return true;
    });
    const groups = new RecordingGroupMembership();
    const handler = withObservability(
      createHandler(() => ({ table: new IdentityTable(tables.documents, tables.identity.tableName), groups })),
      { service: 'identity', functionName: 'cognito-post-confirmation', metricSink: { send: async (points) => void metrics.push(...points) }, env: {} },
    );
    return { handler, lines, metrics };
  }
  const lambdaContext = (awsRequestId: string) => ({ awsRequestId, functionName: 'kestrel-staging-identity-cognito-post-confirmation' }) as Context;

  it('continues the app’s ClientMetadata.correlationId, names the request as the cause and carries the invocation’s traceparent', async () => {
    // prepare
    const { handler, lines } = setUpWrapped();
    const sub = globalThis.crypto.randomUUID();
    const event = { ...events.postConfirmation(events.attributes({ sub })), request: { userAttributes: events.attributes({ sub }), clientMetadata: { correlationId: 'app-flow-42' } } };
    // act
    await handler(event, lambdaContext('req-wrapped-1'));
    // assess
    const [published] = await registeredEventsFor(sub);
    const metadata = parseEvent([UserRegisteredV1], asDelivered(published!)).detail.metadata;
    expect(metadata).toMatchObject({ correlationId: 'app-flow-42', causationId: 'req-wrapped-1' });
    expect(metadata.traceparent).toMatch(TRACEPARENT_PATTERN);
    const finished = lines.find((line) => line.message === 'invocation finished');
    expect(finished).toMatchObject({ correlation_id: 'app-flow-42', cause_id: 'req-wrapped-1', trigger: 'cognito', function: 'cognito-post-confirmation' });
    // The event continues this invocation's trace: same trace id, parent = this span.
    expect(metadata.traceparent).toMatch(new RegExp(`^00-${String(finished?.trace_id)}-${String(finished?.span_id)}-0[01]$`));
  });

  it('without one, correlates the registration as user-<sub>, in the event and in the trigger’s log lines', async () => {
    // prepare
    const { handler, lines, metrics } = setUpWrapped();
    const sub = globalThis.crypto.randomUUID();
    // act
    await handler(events.postConfirmation(events.attributes({ sub })), lambdaContext('req-wrapped-2'));
    // assess
    const [published] = await registeredEventsFor(sub);
    expect(published?.detail.metadata).toMatchObject({ correlationId: `user-${sub}`, causationId: 'req-wrapped-2' });
    const triggerLine = lines.find((line) => line.message === 'trigger ok');
    expect(triggerLine).toMatchObject({ correlation_id: `user-${sub}`, trigger: 'cognito', cognito_trigger: 'PostConfirmation', outcome: 'ok' });
    expect(lines.find((line) => line.message === 'invocation finished')).toMatchObject({ correlation_id: `user-${sub}` });
    expect(metrics.map((point) => point.name)).toContain(HANDLER_METRICS.invocations);
  });
});
