import { subscriptionPattern, type FunctionDeclaration } from '@kestrel/service-manifest';
import { describe, expect, it } from 'vitest';
import service from '../../service';

const functions: Record<string, FunctionDeclaration> = service.functions;

const queryFunctions = Object.entries(functions).filter(([, fn]) => fn.triggers.some((t) => t.kind === 'http' && t.method === 'GET'));
const commandFunctions = Object.entries(functions).filter(([, fn]) => !fn.triggers.some((t) => t.kind === 'http' && t.method === 'GET'));

describe('customers manifest', () => {
  it('gives query functions read-only access and command functions write access to the customers table only', () => {
    expect(queryFunctions.map(([name]) => name).sort()).toEqual(['http-find-customers', 'http-get-customer']);
    for (const [, fn] of queryFunctions) expect(fn.access?.tables).toEqual([{ table: 'customers', mode: 'read' }]);
    for (const [, fn] of commandFunctions) expect(fn.access?.tables).toEqual([{ table: 'customers', mode: 'write' }]);
  });

  it('never publishes directly: every event goes through the outbox of the customers table', () => {
    for (const [, fn] of Object.entries(functions)) expect(fn.access?.publishesDirectly ?? []).toEqual([]);
    expect(service.publishes.every((p) => p.via === 'outbox' && p.table === 'customers')).toBe(true);
    expect(service.tables.customers).toMatchObject({ stream: true, ttl: true });
  });

  it('subscribes to UserRegistered v1 only, with an explicit retry policy', () => {
    const [subscription] = service.consumes;
    expect(service.consumes).toHaveLength(1);
    expect(subscriptionPattern(subscription!)).toEqual({
      source: ['kestrel.identity'],
      'detail-type': ['UserRegistered'],
      detail: { metadata: { version: [1] } },
    });
    expect(subscription!.retry).toEqual({ maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 });
  });

  it('serves every route with a JWT', () => {
    const routes = Object.values(functions).flatMap((fn) => fn.triggers.filter((t) => t.kind === 'http'));
    expect(routes.length).toBe(9);
    expect(routes.every((route) => route.auth === 'jwt')).toBe(true);
  });
});
