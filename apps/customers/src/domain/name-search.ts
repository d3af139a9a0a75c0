// Name search must find "Zoë Ångström" when staff type "zoe angstrom": the search key is the
// name with compatibility decomposition (NFKD), combining marks stripped, lower-cased and with
// whitespace collapsed. Letters that carry no combining mark but still have an ASCII reading
// (ß, æ, ø, ł…) are folded explicitly, and the Greek final sigma is folded to σ, so that
// upper- and lower-case spellings of one name meet on one key.

const folded: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ς: 'σ',
};
const foldable = new RegExp(`[${Object.keys(folded).join('')}]`, 'gu');
const combiningMarks = /\p{M}/gu;
const whitespace = /\s+/gu;

/**
 * The case- and accent-insensitive search form of a name. Idempotent, and equal for
 * canonically equivalent inputs (composed or decomposed accents).
 *
 * @example
 * ```ts
 * normalizeName('  Zoë   ÅNGSTRÖM '); // 'zoe angstrom'
 * normalizeName('Straße');            // 'strasse'
 * ```
 */
export function normalizeName(name: string): string {
  return (
    name
      .normalize('NFKD')
      .toLowerCase()
      // Lower-casing can yield characters with a further decomposition (e.g. 'İ' → 'i̇').
      .normalize('NFKD')
      .replace(combiningMarks, '')
      .replace(foldable, (letter) => folded[letter] ?? letter)
      .replace(whitespace, ' ')
      .trim()
  );
}

/**
 * The key a customer is found by in `GetCustomersWithName`: the normalised family name, or
 * `undefined` when there is nothing to search by (no family name, or one made only of marks).
 *
 * @example
 * ```ts
 * nameSearchKey({ familyName: 'Lovelace' }); // 'lovelace'
 * nameSearchKey({});                         // undefined
 * ```
 */
export function nameSearchKey(customer: { readonly familyName?: string }): string | undefined {
  if (customer.familyName === undefined) return undefined;
  return searchableName(customer.familyName);
}

// Compatibility decomposition can expand a character many times over (U+FDFA becomes 18
// letters); capping the key keeps it inside DynamoDB's key size limits for any 100-character name.
const MAX_KEY_CHARACTERS = 200;

/**
 * The normalised, length-capped form of a name as stored in and searched on the index, or
 * `undefined` when nothing searchable remains. Stored names and queries go through the same cap.
 *
 * @example
 * ```ts
 * searchableName(' ÅNGSTRÖM '); // 'angstrom'
 * searchableName('\u0301');     // undefined
 * ```
 */
export function searchableName(name: string): string | undefined {
  const key = [...normalizeName(name)].slice(0, MAX_KEY_CHARACTERS).join('').trimEnd();
  return key === '' ? undefined : key;
}

/** How results of one family name are ordered: by normalised given name (customers without one last). */
export function nameSortKey(customer: { readonly givenName?: string }): string {
  const key = customer.givenName === undefined ? undefined : searchableName(customer.givenName);
  // '~' sorts after every letter, so customers without a given name come last.
  return key ?? '~';
}
