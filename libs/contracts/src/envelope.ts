// zod/mini: what handlers bundle (classic zod would add ~70 KB). Namespace import: `import { z }`
// makes esbuild bundle every zod locale.
import * as z from 'zod/mini';
import { isoDateTime } from './iso-datetime';
import './zod-english';

/** Every event source is `kestrel.<context>`, the producing bounded context in kebab-case. */
export const SOURCE_PREFIX = 'kestrel.';
export const SOURCE_PATTERN = /^kestrel\.[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** PascalCase; the version lives in `detail.metadata.version`, never in the name. */
export const DETAIL_TYPE_PATTERN = /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$/;
const VERSION_SUFFIX = /V\d+$/;
/** Service names (the `producer` field) are kebab-case, like the folders under apps/. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
/** W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex. */
export const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The closed set of PII kinds a data field can be marked with. */
export const PII_KINDS = ['email', 'name', 'phone', 'address', 'other'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export const eventMetadataSchema = z.object({
  eventId: z.uuid().check(z.meta({ description: 'Unique id of this event occurrence; consumers deduplicate on it.' })),
  occurredAt: isoDateTime().check(z.meta({ description: 'When the fact happened, ISO-8601 in UTC (Z).' })),
  version: z.int().check(z.positive(), z.meta({ description: 'Major version of the contract; consumers match it in their event pattern.' })),
  correlationId: z.string().check(z.minLength(1), z.maxLength(128), z.meta({ description: 'Shared by every event and request in one business flow.' })),
  causationId: z.string().check(z.minLength(1), z.maxLength(128), z.meta({ description: 'Id of the event or request that directly caused this event.' })),
  producer: z.string().check(z.regex(SERVICE_NAME_PATTERN), z.meta({ description: 'Name of the service that published the event.' })),
  traceparent: z
    .optional(z.string().check(z.regex(TRACEPARENT_PATTERN)))
    .check(z.meta({ description: 'W3C Trace Context of the publishing span, for tracing across the bus.' })),
});

/** Metadata carried in every event's `detail.metadata`. */
export type EventMetadata = z.output<typeof eventMetadataSchema>;

/**
 * Problems with a proposed source / detail-type / version triple, empty when the naming rules hold.
 * Used by `defineEvent`; exported so generators and lint-like tests can reuse the rules.
 */
export function namingProblems(source: string, detailType: string, version: number): string[] {
  const problems: string[] = [];
  if (!SOURCE_PATTERN.test(source)) problems.push(`source "${source}" must be kestrel.<context> with a kebab-case context`);
  if (!DETAIL_TYPE_PATTERN.test(detailType)) problems.push(`detailType "${detailType}" must be PascalCase (e.g. CustomerCreated)`);
  else if (VERSION_SUFFIX.test(detailType)) problems.push(`detailType "${detailType}" must not carry a version; set version instead`);
  if (!Number.isInteger(version) || version < 1) problems.push(`version ${version} must be a positive integer`);
  return problems;
}
