import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ContractDefinitionError, PII_KEYWORD, type DataSchema, buildPutEventsEntry, defineEvent, eventPatternFor, piiFields, piiPaths, toJsonSchema } from '../../src/index';
import { OrderPlacedV1, OrderPlacedV2, StoreOpenedV1, deliveredEvent, validMetadata } from '../fixtures/contracts';

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- navigating generated JSON

function validatorFor(schema: object) {
  // An independent validator proves the published schema means what the zod contract means.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

function defineWith(data: DataSchema, example: Record<string, unknown>) {
  return defineEvent({ source: 'kestrel.test-shop', detailType: 'CartShared', version: 1, owner: 'test-shop', description: 'Fixture.', data, example });
}

describe('toJsonSchema', () => {
  it('describes the whole EventBridge event in draft 2020-12 with the contract identity', () => {
    // Act
    const schema: Schema = toJsonSchema(OrderPlacedV1);

    // Assess
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('urn:kestrel:event:kestrel.test-shop:OrderPlaced:v1');
    expect(schema['x-kestrel-event']).toEqual({ source: 'kestrel.test-shop', detailType: 'OrderPlaced', version: 1, owner: 'test-shop' });
    expect(schema.required).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(schema.properties.source).toEqual({ type: 'string', const: 'kestrel.test-shop' });
    expect(schema.properties['detail-type']).toEqual({ type: 'string', const: 'OrderPlaced' });
    expect(schema.properties.detail.properties.metadata.properties.version).toEqual({ type: 'number', const: 1 });
    expect(schema.properties.detail.properties.data.examples).toEqual([OrderPlacedV1.example]);
  });

  it('marks PII fields with x-kestrel-pii and leaves no raw pii keyword behind', () => {
    // Act
    const data: Schema = (toJsonSchema(OrderPlacedV1) as Schema).properties.detail.properties.data;

    // Assess
    expect(data.properties.customer.properties.email[PII_KEYWORD]).toBe('email');
    expect(data.properties.phone[PII_KEYWORD]).toBe('phone');
    expect(data.properties.items.items.properties.recipient.properties.name[PII_KEYWORD]).toBe('name');
    expect(JSON.stringify(data)).not.toContain('"pii"');
  });

  it('keeps objects open so consumers and validators tolerate unknown fields', () => {
    // Arrange
    const validate = validatorFor(toJsonSchema(OrderPlacedV1));
    const event = deliveredEvent(buildPutEventsEntry(OrderPlacedV1, OrderPlacedV1.example, validMetadata, { eventBusName: 'b' }), {
      extra: 1,
    });
    (event.detail as Schema)._datadog = { trace: '1' };

    // Act
    const valid = validate(event);

    // Assess
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects, through an independent validator, what the contract rejects', () => {
    // Arrange
    const validate = validatorFor(toJsonSchema(OrderPlacedV1));
    const event = deliveredEvent(buildPutEventsEntry(OrderPlacedV1, OrderPlacedV1.example, validMetadata, { eventBusName: 'b' }));
    (event.detail.data as Schema).customer.email = 'not-an-email';
    (event.detail.metadata as Schema).version = 2;

    // Act
    const valid = validate(event);

    // Assess
    expect(valid).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(['/detail/data/customer/email', '/detail/data/customer/email', '/detail/metadata/version']);
  });

  it('returns a fresh copy each time, so callers cannot corrupt the cache', () => {
    // Arrange
    const first: Schema = toJsonSchema(StoreOpenedV1);
    first.properties.detail = 'mutated';

    // Act
    const second: Schema = toJsonSchema(StoreOpenedV1);

    // Assess
    expect(second.properties.detail.type).toBe('object');
  });

  it('refuses data that would reject unknown fields', () => {
    // Arrange
    const contract = defineWith(z.object({ cart: z.strictObject({ id: z.string() }) }), { cart: { id: 'c' } });

    // Act / Assess
    expect(() => toJsonSchema(contract)).toThrow(ContractDefinitionError);
    expect(() => toJsonSchema(contract)).toThrow(/detail\.data\.cart: object rejects unknown fields/);
  });

  it('refuses types JSON cannot carry', () => {
    // Arrange
    const contract = defineWith(z.object({ at: z.date() }), { at: new Date() });

    // Act / Assess
    expect(() => toJsonSchema(contract)).toThrow(/cannot be represented in JSON Schema/);
  });

  it('refuses an unknown PII kind', () => {
    // Arrange: the type forbids it; a JS caller or a cast can still try
    const contract = defineWith(z.object({ ssn: z.string().meta({ pii: 'national-id' as never }) }), { ssn: '1' });

    // Act / Assess
    expect(() => toJsonSchema(contract)).toThrow(/unknown PII kind "national-id"/);
  });
});

describe('piiPaths / piiFields', () => {
  it('lists PII paths relative to detail.data, with [] for array elements and * for record values', () => {
    // Act
    const v1 = piiFields(OrderPlacedV1);
    const v2 = piiPaths(OrderPlacedV2);

    // Assess
    expect(v1).toEqual([
      { path: 'customer.email', kind: 'email' },
      { path: 'customer.name', kind: 'name' },
      { path: 'phone', kind: 'phone' },
      { path: 'items[].recipient.name', kind: 'name' },
      { path: 'items[].recipient.email', kind: 'email' },
    ]);
    expect(v2).toEqual(['customerEmail', 'addresses.*']);
    expect(piiPaths(StoreOpenedV1)).toEqual([]);
  });

  it('finds PII inside union members and nullable fields', () => {
    // Arrange
    const contract = defineWith(
      z.object({
        contact: z.discriminatedUnion('by', [
          z.object({ by: z.literal('email'), email: z.email().meta({ pii: 'email' }) }),
          z.object({ by: z.literal('phone'), phone: z.string().meta({ pii: 'phone' }) }),
        ]),
        nickname: z.string().nullable().meta({ pii: 'name' }),
        tags: z.tuple([z.string(), z.string().meta({ pii: 'other' })]),
      }),
      { contact: { by: 'phone', phone: '+3312345678' }, nickname: null, tags: ['a', 'b'] },
    );

    // Act
    const fields = piiFields(contract);

    // Assess
    expect(fields).toEqual([
      { path: 'contact.email', kind: 'email' },
      { path: 'contact.phone', kind: 'phone' },
      { path: 'nickname', kind: 'name' },
      { path: 'tags[1]', kind: 'other' },
    ]);
  });

  it('refuses PII inside a recursive structure, which has no finite list of paths', () => {
    // Arrange
    type Node = { name: string; children: Node[] };
    const node: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string().meta({ pii: 'name' }), children: z.array(node) }));
    const contract = defineWith(z.object({ tree: node }), { tree: { name: 'a', children: [] } });

    // Act / Assess
    expect(() => piiPaths(contract)).toThrow(/PII inside a recursive schema/);
  });
});

describe('eventPatternFor', () => {
  it('selects the declared versions of one event through detail.metadata.version', () => {
    // Act
    const pattern = eventPatternFor([OrderPlacedV2, OrderPlacedV1]);

    // Assess
    expect(pattern).toEqual({ source: ['kestrel.test-shop'], 'detail-type': ['OrderPlaced'], detail: { metadata: { version: [1, 2] } } });
  });

  it('refuses to mix different events in one pattern', () => {
    // Act / Assess
    expect(() => eventPatternFor([OrderPlacedV1, StoreOpenedV1])).toThrow('takes versions of one event');
  });
});
