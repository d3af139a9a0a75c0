import { fieldErrorsOf, HttpProblem, validationProblem } from '@kestrel/http-api';
import { pure } from '@kestrel/contracts';
import * as z from 'zod/mini';
import type { VersionPrecondition } from '../../application/commands';

/**
 * The strong ETag of a customer version: `"7"`. Clients send it back in `If-Match` to make a
 * command conditional on the version they saw.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

const entityTag = /^(W\/)?"(\d{1,15})"$/;

/**
 * The version precondition of an `If-Match` header (RFC 9110 §13.1.1): `*` (any existing
 * customer) or a list of ETags. Weak tags never match (If-Match uses strong comparison).
 *
 * @throws HttpProblem 400 naming the header when it is not a valid list of entity tags.
 *
 * @example
 * ```ts
 * parseIfMatch('"3", "4"'); // { kind: 'versions', versions: [3, 4] }
 * parseIfMatch(undefined);  // undefined
 * ```
 */
export function parseIfMatch(header: string | undefined): VersionPrecondition | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return { kind: 'any' };
  const tags = value.split(',').map((tag) => tag.trim());
  const versions: number[] = [];
  for (const tag of tags) {
    const match = entityTag.exec(tag);
    if (!match) throw validationProblem([{ field: 'header.if-match', message: 'must be * or a list of ETags like "3" (from the ETag of a previous response)' }]);
    if (match[1] === undefined) versions.push(Number(match[2]));
  }
  return { kind: 'versions', versions };
}

/**
 * The `If-Match` header as `readRequest` reads it (`headers: { 'if-match': ifMatchHeader }`):
 * the version precondition, or undefined without the header.
 */
export const ifMatchHeader = /* @__PURE__ */ pure(() =>
  z.pipe(
    z.optional(z.string()),
    z.transform((header: string | undefined, context): VersionPrecondition | undefined => {
      try {
        return parseIfMatch(header);
      } catch (error) {
        if (!(error instanceof HttpProblem)) throw error;
        for (const { message } of fieldErrorsOf(error)) context.issues.push({ code: 'custom', message, input: header });
        return z.NEVER;
      }
    }),
  ),
);
