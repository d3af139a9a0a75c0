import { describe, expect, it } from 'vitest';
import { UserRegisteredV1, UserSignedInV1, buildPutEventsEntry, eventRegistry, parseEvent, piiPaths } from '../../src';
import { deliveredEvent, validMetadata } from '../fixtures/contracts';

describe('identity events', () => {
  it('are registered', () => {
    expect(eventRegistry.get('kestrel.identity', 'UserRegistered', 1)).toBe(UserRegisteredV1);
    expect(eventRegistry.get('kestrel.identity', 'UserSignedIn', 1)).toBe(UserSignedInV1);
  });

  it('mark the personal fields of UserRegistered and none of UserSignedIn', () => {
    expect(piiPaths(UserRegisteredV1).sort()).toEqual(['email', 'familyName', 'givenName', 'phoneNumber']);
    expect(piiPaths(UserSignedInV1)).toEqual([]);
  });

  it('round-trip the example through PutEvents and a consumer', () => {
    const entry = buildPutEventsEntry(UserRegisteredV1, UserRegisteredV1.example, { ...validMetadata, producer: 'identity' }, { eventBusName: 'bus' });

    const parsed = parseEvent(UserRegisteredV1, deliveredEvent(entry));

    expect(parsed.detail.data).toEqual(UserRegisteredV1.example);
  });

  it('reject a phone number that is not E.164, naming the field', () => {
    const bad = { ...UserRegisteredV1.example, phoneNumber: '0123 456' };
    expect(() => buildPutEventsEntry(UserRegisteredV1, bad, { ...validMetadata, producer: 'identity' }, { eventBusName: 'bus' })).toThrow(
      /detail\.data\.phoneNumber/,
    );
  });
});
