import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nameSearchKey, nameSortKey, normalizeName, searchableName } from '../../../src/domain/name-search';

describe('normalizeName', () => {
  it.each([
    ['Zoë Ångström', 'zoe angstrom'],
    ['ZOË ÅNGSTRÖM', 'zoe angstrom'],
    ['  Núñez   García\t', 'nunez garcia'],
    ['Straße', 'strasse'],
    ['STRASSE', 'strasse'],
    ['Øster', 'oster'],
    ['Łukasz', 'lukasz'],
    ['Æsir', 'aesir'],
    ['İstanbul', 'istanbul'],
    ['ＡＤＡ', 'ada'], // full-width letters (compatibility decomposition)
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
    ['Οδυσσευς', 'οδυσσευσ'],
    ["O'Brien", "o'brien"],
    ['Jean-Luc', 'jean-luc'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        expect(normalizeName(normalizeName(name))).toBe(normalizeName(name));
      }),
    );
  });

  it('does not care whether accents are composed or decomposed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        expect(normalizeName(name.normalize('NFC'))).toBe(normalizeName(name.normalize('NFD')));
      }),
    );
  });

  const latinLetter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzàáâãäåçèéêëìíîïñòóôõöùúûüýÿāăąćčďēęěğīıłńňőœřśşšťūůűźżžßæøð'.split(''));
  const latinName = fc.array(fc.oneof(latinLetter, fc.constant(' ')), { minLength: 1, maxLength: 30 }).map((letters) => letters.join(''));

  it('ignores case for Latin names', () => {
    fc.assert(
      fc.property(latinName, (name) => {
        expect(normalizeName(name.toUpperCase())).toBe(normalizeName(name.toLowerCase()));
      }),
    );
  });

  it('ignores accents: an accented name meets its unaccented spelling', () => {
    fc.assert(
      fc.property(latinName, (name) => {
        const unaccented = name.normalize('NFD').replace(/\p{M}/gu, '');
        expect(normalizeName(name)).toBe(normalizeName(unaccented));
      }),
    );
  });

  it('yields only lower-case text without combining marks or repeated or outer spaces', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const key = normalizeName(name);
        expect(key).not.toMatch(/\p{M}/u);
        expect(key).not.toMatch(/\s\s|^\s|\s$/u);
        expect(key).toBe(key.toLowerCase());
      }),
    );
  });
});

describe('nameSearchKey and nameSortKey', () => {
  it('search by the normalised family name; customers without one are not searchable by name', () => {
    expect(nameSearchKey({ familyName: 'Ångström' })).toBe('angstrom');
    expect(nameSearchKey({})).toBeUndefined();
    expect(nameSearchKey({ familyName: '\u0301' })).toBeUndefined();
  });

  it('sort by the normalised given name, customers without one last', () => {
    expect(nameSortKey({ givenName: 'Élodie' })).toBe('elodie');
    expect(nameSortKey({})).toBe('~');
    expect(['zoe', '~', 'ada'].sort()).toEqual(['ada', 'zoe', '~']);
  });
});

describe('searchableName', () => {
  it('caps keys so a name that expands under NFKD still fits a DynamoDB key', () => {
    // U+FDFA decomposes into 18 letters and spaces.
    const key = searchableName('\uFDFA'.repeat(100));

    expect(key).toBeDefined();
    expect([...(key as string)].length).toBeLessThanOrEqual(200);
    expect(new TextEncoder().encode(key).length).toBeLessThan(1024);
  });

  it('is nameSearchKey for a family name, and undefined when nothing searchable remains', () => {
    expect(searchableName('  LOVELACE ')).toBe('lovelace');
    expect(searchableName('   ')).toBeUndefined();
  });
});
