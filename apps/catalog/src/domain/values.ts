import { lineText, paragraphText, pure } from '@kestrel/contracts';
import * as z from 'zod/mini';

// Value rules of the catalog, shared by HTTP validation, the domain and the stored items. They
// match the event contracts' bounds (libs/contracts/src/events/catalog.ts) so that anything the
// API accepts can be published.

export const idSchema = /* @__PURE__ */ pure(() => z.uuid({ message: 'must be a UUID' }));

export const slugSchema = /* @__PURE__ */ pure(() =>
  z
    .string({ message: 'must be a string' })
    .check(
      z.maxLength(40, { message: 'must be at most 40 characters' }),
      z.regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, { message: 'must be a lower-case slug like home-office (letters, digits, single hyphens)' }),
    ),
);

// Names and descriptions follow the platform's shared text rules (@kestrel/contracts text-rules):
// no control characters (NUL, ESC, CRLF), invisible or bidi formatting, separators, lone
// surrogates or markup; descriptions may hold line feeds.
export const productNameSchema = /* @__PURE__ */ pure(() => lineText({ max: 200 }));

export const descriptionSchema = /* @__PURE__ */ pure(() => paragraphText({ max: 2000 }));

export const MAX_TAGS = 10;

/** Tags are a set: duplicates are refused (not silently merged) so a client learns its list was wrong; stored sorted. */
export const tagsSchema = /* @__PURE__ */ pure(() =>
  z.pipe(
    z.array(slugSchema, { message: 'must be an array of tags' }).check(
      z.maxLength(MAX_TAGS, { message: `must hold at most ${MAX_TAGS} tags` }),
      z.superRefine((tags, context) => {
        const seen = new Set<string>();
        tags.forEach((tag, index) => {
          if (seen.has(tag)) context.addIssue({ code: 'custom', path: [index], message: `duplicate tag ${tag}` });
          seen.add(tag);
        });
      }),
    ),
    z.transform((tags: string[]) => [...tags].sort()),
  ),
);

/**
 * A price in integer minor units (cents) of an ISO 4217 currency. Floats are refused: 6.95 could
 * not be stored exactly, and a client sending it has misunderstood the unit.
 */
export const priceSchema = /* @__PURE__ */ pure(() =>
  z.strictObject(
    {
      amountMinor: z
        .number({ message: 'must be a number' })
        .check(
          z.int({ message: 'must be an integer amount in minor units (cents), not a decimal' }),
          z.nonnegative({ message: 'must not be negative' }),
          z.maximum(Number.MAX_SAFE_INTEGER, { message: 'is too large' }),
        ),
      currency: z.string({ message: 'must be a string' }).check(z.regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 currency code like EUR' })),
    },
    { message: 'must be an object { amountMinor, currency }' },
  ),
);

export type Price = z.output<typeof priceSchema>;

/** Equal prices (same amount, same currency). */
export const samePrice = (a: Price, b: Price) => a.amountMinor === b.amountMinor && a.currency === b.currency;

export const storeNameSchema = /* @__PURE__ */ pure(() => lineText({ max: 200 }));
