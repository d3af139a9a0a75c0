import { describe, expect, it } from 'vitest';
import { ManifestError, defineService, functionTriggers, subscriptionPattern } from '../../src';
import type { ServiceManifest } from '../../src';

const userRegistered = { source: 'kestrel.identity', detailType: 'UserRegistered', version: 1 };
const userSignedIn = { source: 'kestrel.identity', detailType: 'UserSignedIn', version: 1 };
const productPublished = { source: 'kestrel.catalog', detailType: 'ProductPublished', version: 2 };

function validManifest(): ServiceManifest {
  return {
    name: 'customers',
    description: 'Customer profiles with CQRS commands and queries.',
    owner: { team: 'customer-experience' },
    functions: {
      'on-user-registered': {
        description: 'Creates the customer profile for a new user.',
        handler: 'src/handlers/on-user-registered.ts',
        triggers: [{ kind: 'event', subscription: 'user-registered' }],
        access: { tables: [{ table: 'customers', mode: 'write' }] },
      },
      'http-get-customer': {
        description: 'Reads one customer profile by id.',
        handler: 'src/handlers/http-get-customer.ts',
        triggers: [{ kind: 'http', method: 'GET', path: '/customers/{customerId}', auth: 'jwt' }],
        access: { tables: [{ table: 'customers', mode: 'read' }] },
      },
    },
    tables: { customers: { description: 'Every customer item.', globalIndexes: ['GSI1'], stream: true, ttl: true } },
    publishes: [{ event: { source: 'kestrel.customers', detailType: 'CustomerCreated', version: 1 }, via: 'outbox', table: 'customers' }],
    consumes: [
      {
        name: 'user-registered',
        description: 'A person finished signing up.',
        events: [userRegistered],
        target: 'on-user-registered',
        retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
      },
    ],
  };
}

function issuesOf(manifest: unknown): string[] {
  try {
    defineService(manifest as ServiceManifest);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as ManifestError).issues;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('defineService', () => {
  it('accepts operator secrets a function reads, and refuses one no function reads or with a bad name, naming the field', () => {
    // prepare
    const read = validManifest();
    read.functions['http-get-customer']!.access = { ...read.functions['http-get-customer']!.access, parameters: ['/kestrel/{env}/customers/signing-key'] };
    read.operatorSecrets = [{ parameter: '/kestrel/{env}/customers/signing-key', description: 'Signs the export links.' }];
    const unread = { ...validManifest(), operatorSecrets: [{ parameter: '/kestrel/{env}/customers/unused', description: 'Nobody reads this one.' }] };
    const badName = { ...validManifest(), operatorSecrets: [{ parameter: 'kestrel/{stage}/x', description: 'A name without a slash.' }] };

    // act + assess
    expect(defineService(read)).toBe(read);
    expect(issuesOf(unread)).toEqual([expect.stringMatching(/^operatorSecrets\.0\.parameter: no function reads "\/kestrel\/\{env\}\/customers\/unused"/)]);
    expect(issuesOf(badName).join('\n')).toMatch(/operatorSecrets\.0\.parameter: SSM parameter names start with "\/"/);
  });

  it('returns a valid manifest unchanged', () => {
    const manifest = validManifest();
    expect(defineService(manifest)).toBe(manifest);
  });

  it('lists every schema problem with its path', () => {
    const manifest = validManifest() as unknown as Record<string, unknown>;
    manifest.name = 'Customers';
    (manifest.functions as Record<string, { handler: string }>)['http-get-customer']!.handler = 'handlers/get.ts';
    manifest.extra = true;

    const issues = issuesOf(manifest);

    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: must be kebab-case/),
        expect.stringMatching(/^functions\.http-get-customer\.handler: handlers live in src\/handlers/),
        expect.stringMatching(/extra/),
      ]),
    );
  });

  it('rejects a subscription trigger that names no declared subscription', () => {
    const manifest = validManifest();
    manifest.functions['on-user-registered']!.triggers = [{ kind: 'event', subscription: 'user-signed-in' }];

    expect(issuesOf(manifest)).toEqual(
      expect.arrayContaining([
        'functions.on-user-registered.triggers[0].subscription: "user-signed-in" is not declared in consumes',
        'consumes[0].target: function "on-user-registered" does not declare an event trigger for "user-registered"',
      ]),
    );
  });

  it('forbids access to a table the service does not own', () => {
    const manifest = validManifest();
    manifest.functions['http-get-customer']!.access = { tables: [{ table: 'catalog', mode: 'read' }] };

    expect(issuesOf(manifest)).toEqual([
      'functions.http-get-customer.access.tables[0].table: "catalog" is not a table of this service (no function may reach another service\'s table)',
    ]);
  });

  it('forbids publishing under another context\'s source', () => {
    const manifest = validManifest();
    manifest.publishes = [{ event: userRegistered, via: 'direct' }];
    manifest.functions['http-get-customer']!.access!.publishesDirectly = ['kestrel.identity'];

    expect(issuesOf(manifest)).toEqual([
      'functions.http-get-customer.access.publishesDirectly[0]: a service publishes only as "kestrel.customers", not "kestrel.identity"',
      'publishes[0].event.source: "kestrel.identity" — a service publishes only its own source "kestrel.customers"',
    ]);
  });

  it('requires an outbox publication to name a streamed table', () => {
    const manifest = validManifest();
    manifest.tables.customers!.stream = false;

    expect(issuesOf(manifest)).toEqual(['publishes[0].table: "customers" has no stream, so its outbox can\'t be piped']);
  });

  it('rejects retry policies outside EventBridge\'s ranges and duplicate routes', () => {
    const manifest = validManifest();
    manifest.consumes[0]!.retry = { maximumRetryAttempts: 200, maximumEventAgeSeconds: 30 };
    manifest.functions['on-user-registered']!.triggers.push({ kind: 'http', method: 'GET', path: '/customers/{customerId}', auth: 'jwt' });

    const issues = issuesOf(manifest);

    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^consumes\.0\.retry\.maximumRetryAttempts: /),
        expect.stringMatching(/^consumes\.0\.retry\.maximumEventAgeSeconds: /),
      ]),
    );
  });

  it('rejects a route declared twice once the schema is valid', () => {
    const manifest = validManifest();
    manifest.functions['on-user-registered']!.triggers.push({ kind: 'http', method: 'GET', path: '/customers/{customerId}', auth: 'jwt' });

    expect(issuesOf(manifest)).toEqual(['functions.http-get-customer.triggers[0]: route "GET /customers/{customerId}" is declared twice']);
  });

  it('rejects a function with no trigger', () => {
    const manifest = validManifest();
    manifest.functions['http-get-customer']!.triggers = [];

    expect(issuesOf(manifest)).toEqual(['functions.http-get-customer.triggers: a function nothing triggers is dead code']);
  });
});

describe('subscriptionPattern', () => {
  const base = validManifest().consumes[0]!;

  it('derives source, detail-type and version from one contract', () => {
    expect(subscriptionPattern(base)).toEqual({
      source: ['kestrel.identity'],
      'detail-type': ['UserRegistered'],
      detail: { metadata: { version: [1] } },
    });
  });

  it('collects the versions of one event type into one pattern', () => {
    const pattern = subscriptionPattern({ ...base, events: [{ ...userRegistered, version: 2 }, userRegistered] });

    expect(pattern).toEqual({
      source: ['kestrel.identity'],
      'detail-type': ['UserRegistered'],
      detail: { metadata: { version: [1, 2] } },
    });
  });

  it('uses $or for several event types so they never widen into their cross product', () => {
    const pattern = subscriptionPattern({ ...base, events: [productPublished, userSignedIn] });

    expect(pattern).toEqual({
      $or: [
        { source: ['kestrel.catalog'], 'detail-type': ['ProductPublished'], detail: { metadata: { version: [2] } } },
        { source: ['kestrel.identity'], 'detail-type': ['UserSignedIn'], detail: { metadata: { version: [1] } } },
      ],
    });
  });

  it('keeps an explicit pattern', () => {
    const pattern = { source: [{ prefix: 'kestrel.' }] };
    expect(subscriptionPattern({ ...base, pattern, wide: { reason: 'analytics keeps every business event' } })).toBe(pattern);
  });
});

describe('functionTriggers', () => {
  it('flattens every trigger with its function', () => {
    expect(functionTriggers(validManifest())).toEqual([
      { functionName: 'on-user-registered', trigger: { kind: 'event', subscription: 'user-registered' } },
      { functionName: 'http-get-customer', trigger: { kind: 'http', method: 'GET', path: '/customers/{customerId}', auth: 'jwt' } },
    ]);
  });
});
