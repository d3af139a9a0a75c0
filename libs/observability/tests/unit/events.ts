// Trigger events as AWS delivers them, trimmed to what the wrappers read.

export function eventBridgeEvent(metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'UserRegistered',
    source: 'kestrel.identity',
    account: '111122223333',
    time: '2026-01-15T09:30:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      metadata: {
        eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b',
        occurredAt: '2026-01-15T09:30:00.000Z',
        version: 1,
        correlationId: 'signup-1',
        causationId: 'signup-1',
        producer: 'identity',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        ...metadata,
      },
      data: {
        userId: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
        email: 'ada@example.com',
        givenName: 'Ada',
        familyName: 'Lovelace',
        locale: 'en-GB',
        registeredAt: '2026-01-15T09:30:00.000Z',
        origin: 'sign-up',
      },
    },
  };
}

export function httpEvent(headers: Record<string, string> = {}): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: 'GET /customers/{customerId}',
    rawPath: '/customers/c-1',
    headers,
    requestContext: { requestId: 'api-req-1', http: { method: 'GET', path: '/customers/c-1' } },
  };
}

export function cognitoEvent(clientMetadata?: Record<string, string>): Record<string, unknown> {
  return {
    version: '1',
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_Example',
    userName: '3f1c2b9e-8a4d-4d6e-9c1f-2b7a5e0d4c3a',
    request: { userAttributes: { email: 'ada@example.com' }, ...(clientMetadata ? { clientMetadata } : {}) },
    response: {},
  };
}

export function streamEvent(correlationIds: string[]): Record<string, unknown> {
  return {
    Records: correlationIds.map((correlationId, i) => ({
      eventSource: 'aws:dynamodb',
      eventName: 'INSERT',
      dynamodb: {
        NewImage: {
          PK: { S: `OUTBOX#${i}` },
          detail: { S: JSON.stringify({ metadata: { correlationId, eventId: `e-${i}` }, data: {} }) },
        },
      },
    })),
  };
}
