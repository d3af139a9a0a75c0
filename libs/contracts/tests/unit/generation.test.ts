// The generation property on the gate's own change table: for every change the gate lets through,
// events drawn from the new schema must parse with the old consumer parser (forward) and events
// drawn from the old schema with the new one (replay). Both sides here are real zod contracts, and
// the base side is also rebuilt from its lock, as the gate does on a pull request.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { arbitraryFromSchema, UngeneratableSchemaError } from '../../compat/arbitrary';
import type { SchemaNode } from '../../compat/compare';
import { compareSchemas } from '../../compat/compare';
import { generateBothWays, sideFromContract, sideFromLock, type GenerationOutcome } from '../../compat/generation';
import { allContracts, buildPutEventsEntry, defineEvent, openEnum, parseEvent, safeParseEvent, toJsonSchema, type Unrecognised } from '../../src/index';
import { CHANGE_TABLE } from '../fixtures/change-table';

/** Events per direction: CONTRACTS_GENERATION_EVENTS raises it (e.g. 2000 for a long run). */
const EVENTS = Number(process.env.CONTRACTS_GENERATION_EVENTS ?? 100);

const found = (outcomes: readonly GenerationOutcome[]) => outcomes.filter((o) => o.counterexample).map((o) => o.direction);

describe('generation property on the change table', () => {
  it.each(CHANGE_TABLE.map((c) => [c.name, c] as const))('%s', (_name, { base, current, refuted }) => {
    // Arrange
    const baseLock = toJsonSchema(base) as SchemaNode;
    const currentLock = toJsonSchema(current) as SchemaNode;
    const blocks = compareSchemas(baseLock, currentLock).some((c) => c.breaking);

    // Act: real zod parsers on both sides, then the base rebuilt from its lock (what CI has).
    const withCode = generateBothWays(sideFromContract(base, baseLock), sideFromContract(current, currentLock), { events: EVENTS });
    const withLock = generateBothWays(sideFromLock(baseLock), sideFromContract(current, currentLock), { events: EVENTS });

    // Assess: a verdict that lets the change through is never refuted ...
    if (!blocks) {
      expect(found(withCode)).toEqual([]);
      expect(found(withLock)).toEqual([]);
    }
    // ... and the breaks parsers can see are seen, so the property is not vacuous.
    if (refuted !== undefined) {
      expect(found(withCode).length > 0).toBe(refuted);
      expect(found(withLock).length > 0).toBe(refuted);
    }
    expect([...withCode, ...withLock].every((o) => o.skipped === undefined)).toBe(true);
  });
});

describe('generation property on the registered contracts', () => {
  it.each(allContracts().map((c) => [c.key, c] as const))('%s: every drawn event is valid for its producer and its consumer, and the lock rebuilds the same parser', (_key, contract) => {
    // Arrange
    const lock = toJsonSchema(contract) as SchemaNode;

    // Act
    const outcomes = generateBothWays(sideFromLock(lock), sideFromContract(contract, lock), { events: EVENTS });

    // Assess
    expect(outcomes.map((o) => ({ direction: o.direction, counterexample: o.counterexample, skipped: o.skipped }))).toEqual([
      { direction: 'forward', counterexample: undefined, skipped: undefined },
      { direction: 'replay', counterexample: undefined, skipped: undefined },
    ]);
    expect(outcomes.every((o) => o.parsed === EVENTS)).toBe(true);
  });
});

describe('arbitraryFromSchema', () => {
  it('draws whole events the contract accepts', () => {
    // Arrange
    const contract = allContracts().find((c) => c.detailType === 'ProductRevised')!;

    // Act
    const events = fc.sample(arbitraryFromSchema(toJsonSchema(contract) as SchemaNode), { numRuns: 50, seed: 1 });

    // Assess
    expect(events.filter((event) => !safeParseEvent(contract, event).success)).toEqual([]);
  });

  it('refuses keywords it cannot honour instead of drawing invalid values', () => {
    // Act + Assess
    expect(() => arbitraryFromSchema({ not: { type: 'string' } })).toThrow(UngeneratableSchemaError);
    expect(() => arbitraryFromSchema({ type: 'string', format: 'hostname' })).toThrow('format hostname without a pattern');
  });
});

describe('openEnum: the tolerant reader', () => {
  const ChannelChosenV1 = defineEvent({
    source: 'kestrel.test-shop',
    detailType: 'ChannelChosen',
    version: 1,
    owner: 'test-shop',
    description: 'A shopper chose a channel (fixture).',
    data: z.object({ channel: openEnum(['web', 'app']) }),
    example: { channel: 'web' },
  });
  const raw = (channel: string) => ({
    version: '0',
    id: 'e-1',
    'detail-type': 'ChannelChosen',
    source: 'kestrel.test-shop',
    account: '111122223333',
    time: '2026-01-15T09:30:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      metadata: { eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b', occurredAt: '2026-01-15T09:30:00.000Z', version: 1, correlationId: 'c', causationId: 'c', producer: 'test-shop' },
      data: { channel },
    },
  });

  it('hands a consumer a value it does not know as the string sent, typed apart from the known ones', () => {
    // Act
    const event = parseEvent(ChannelChosenV1, raw('kiosk'));
    const channel: 'web' | 'app' | Unrecognised = event.detail.data.channel;

    // Assess
    expect(channel).toBe('kiosk');
  });

  it('still refuses a value that is not a string at all', () => {
    // Act + Assess
    expect(safeParseEvent(ChannelChosenV1, { ...raw('web'), detail: { ...raw('web').detail, data: { channel: 7 } } }).success).toBe(false);
  });

  it('lets a producer publish only the listed values', () => {
    // Act + Assess
    const meta = { correlationId: 'c', causationId: 'c', producer: 'test-shop' };
    expect(() => buildPutEventsEntry(ChannelChosenV1, { channel: 'kiosk' as 'web' }, meta, { eventBusName: 'bus' })).toThrow(/detail\.data\.channel/);
    expect(buildPutEventsEntry(ChannelChosenV1, { channel: 'app' }, meta, { eventBusName: 'bus' }).Detail).toContain('"channel":"app"');
  });

  it('publishes the values and the open mark in the lock', () => {
    // Act
    const node = (toJsonSchema(ChannelChosenV1) as { properties: { detail: { properties: { data: { properties: { channel: SchemaNode } } } } } }).properties.detail.properties.data.properties.channel;

    // Assess
    expect(node).toEqual({ type: 'string', enum: ['web', 'app'], 'x-kestrel-open-enum': true });
  });
});
