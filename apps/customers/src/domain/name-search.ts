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
  const key = normalizeName(customer.familyName);
  return key === '' ? undefined : key;
}

/** How results of one family name are ordered: by normalised given name (customers without one last). */
export function nameSortKey(customer: { readonly givenName?: string }): string {
  const key = customer.givenName === undefined ? '' : normalizeName(customer.givenName);
  // '~' sorts after every letter, so customers without a given name come last.
  return key === '' ? '~' : key;
}
