/**
 * @kestrel/contracts: the published language between kestrel services.
 *
 * Producers declare events with {@link defineEvent} and publish with {@link buildPutEventsEntry};
 * consumers validate with {@link parseEvent}; the schema lock ({@link toJsonSchema}) and the
 * compatibility gate (`nx run contracts:compat`) keep versions honest. See docs/events.md.
 *
 * @example
 * ```ts
 * import * as z from 'zod/mini';
 * import { defineEvent, buildPutEventsEntry, parseEvent } from '@kestrel/contracts';
 *
 * const CustomerCreatedV1 = defineEvent({
 *   source: 'kestrel.customers', detailType: 'CustomerCreated', version: 1, owner: 'customers',
 *   description: 'A customer record was created.',
 *   data: z.object({ customerId: z.uuid(), email: z.email().check(z.meta({ pii: 'email' })) }),
 *   example: { customerId: '0b5e4b8e-8a3c-4c5e-9a57-1a1d3c0b7e21', email: 'ada@example.com' },
 * });
 * const entry = buildPutEventsEntry(CustomerCreatedV1, data, { correlationId, causationId, producer: 'customers' }, { eventBusName });
 * const event = parseEvent(CustomerCreatedV1, rawEventFromLambda);
 * ```
 */
export {
  defineEvent,
  contractKey,
  type AnyEventContract,
  type DataSchema,
  type EventContract,
  type EventData,
  type EventDataInput,
  type EventDefinition,
} from './define-event';
export {
  DETAIL_TYPE_PATTERN,
  PII_KINDS,
  SERVICE_NAME_PATTERN,
  SOURCE_PATTERN,
  SOURCE_PREFIX,
  TRACEPARENT_PATTERN,
  eventMetadataSchema,
  namingProblems,
  type EventMetadata,
  type PiiKind,
} from './envelope';
export {
  ContractDefinitionError,
  ContractViolationError,
  EventTooLargeError,
  formatIssuePath,
  type ContractIssue,
} from './errors';
export { eventSchemaFor } from './event-schema';
export { JSON_SCHEMA_DIALECT, PII_KEYWORD, toJsonSchema, type JsonSchema } from './json-schema';
export { piiFields, piiPaths, type PiiField } from './pii';
export { eventIs, parseEvent, safeParseEvent, type KestrelEvent, type ParseEventResult, type ParsedEvent } from './parse';
export { pure } from './pure';
export { rule } from './rule';
export { isoDateTime } from './iso-datetime';
export { OPEN_ENUM_KEYWORD, isKnownValue, openEnum, type Unrecognised } from './open-enum';
export { eventPatternFor, type ContractEventPattern } from './patterns';
export {
  MAX_PUT_EVENTS_ENTRY_BYTES,
  buildPutEventsEntry,
  causedBy,
  putEventsEntrySize,
  type MetadataInput,
  type PutEventsEntry,
  type PutEventsEntryOptions,
} from './publish';
export { allContracts, createEventRegistry, eventRegistry, type EventRegistry } from './registry';

// Service event contracts, one module per producing context.
export { UserRegisteredV1, UserSignedInV1 } from './events/identity';
export {
  CustomerCreatedV1,
  CustomerDelinquencyChangedV1,
  CustomerDetailsEditedV1,
  CustomerLocaleChangedV1,
  CustomerPreferredStatusChangedV1,
} from './events/customers';
export { ProductPublishedV1, ProductRetiredV1, ProductRevisedV1, StoreCollectionChangedV1 } from './events/catalog';
export { hasInvisibleOrControl, hasMarkup, isPersonName, lineText, paragraphText, personNameText, TEXT_RULE_MESSAGES, textProblem } from './text-rules';
export { datadogTraceHeaders, type DatadogTraceHeaders } from './trace-headers';
