import Ajv2020 from 'ajv/dist/2020';
import AjvDraft4 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { environment } from '@kestrel/infra-constructs';
import { onlyResourceOfType, reference, resourcesOfType, synthStack, testApp } from '@kestrel/infra-constructs/testing';
import { Draft4ConversionError, DRAFT4_DIALECT, toDraft4 } from '../src/draft4';
import { registrySchemaName } from '../src/event-schemas';
import { organizationId } from '../src/organization.config';
import { PlatformStack } from '../src/platform.stack';
import { readSchemaLock } from '../src/schema-lock';

type Schema = Record<string, unknown>;

function dataSchemaOf(schema: Schema): Schema {
  const detail = (schema.properties as Record<string, Schema>).detail!;
  return (detail.properties as Record<string, Schema>).data!;
}

function draft4Validator() {
  const ajv = new AjvDraft4({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

function draft2020Validator() {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

describe('toDraft4', () => {
  it('rewrites the draft 2020-12 keywords our contracts use into their draft-4 forms', () => {
    // prepare
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'urn:example',
      type: 'object',
      properties: {
        kind: { type: 'string', const: 'a' },
        amount: { type: 'integer', exclusiveMinimum: 0, minimum: -5, maximum: 10 },
        tags: { type: 'array', items: { type: 'string', examples: ['x'] } },
        either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['kind'],
      'x-kestrel-pii': true,
    };

    // act
    const converted = toDraft4(schema);

    // assess
    expect(converted).toEqual({
      $schema: DRAFT4_DIALECT,
      id: 'urn:example',
      type: 'object',
      properties: {
        kind: { type: 'string', enum: ['a'] },
        amount: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 10 },
        tags: { type: 'array', items: { type: 'string' } },
        either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      },
      required: ['kind'],
      'x-kestrel-pii': true,
    });
  });

  it('keeps an inclusive minimum that is tighter than the exclusive one', () => {
    // act
    const converted = toDraft4({ type: 'number', minimum: 5, exclusiveMinimum: 1 });

    // assess
    expect(converted).toEqual({ $schema: DRAFT4_DIALECT, type: 'number', minimum: 5 });
  });

  it('refuses keywords it cannot translate, naming each path', () => {
    // prepare
    const schema = { type: 'object', properties: { list: { prefixItems: [{ type: 'string' }] }, odd: { frobnicate: 1 } }, $defs: {} };

    // act
    const attempt = () => toDraft4(schema);

    // assess
    expect(attempt).toThrow(Draft4ConversionError);
    expect(attempt).toThrow(/#\/properties\/list\/prefixItems: "prefixItems" has no draft-4 translation/);
    expect(attempt).toThrow(/#\/properties\/odd\/frobnicate: unknown keyword "frobnicate"/);
    expect(attempt).toThrow(/#\/\$defs/);
  });
});

describe('the committed schema lock in draft 4', () => {
  const lock = readSchemaLock();

  it('finds every contract version', () => {
    // assess
    expect(lock.length).toBeGreaterThan(0);
    expect(lock.map((entry) => entry.file)).toContain('kestrel.customers/CustomerCreated.v1.json');
  });

  it.each(lock.map((entry) => [entry.file, entry] as const))('%s is a valid draft-4 schema that accepts and refuses what the original does', (_file, entry) => {
    // prepare
    const draft4 = toDraft4(entry.schema);
    const examples = (dataSchemaOf(entry.schema).examples as unknown[] | undefined) ?? [];
    const required = (dataSchemaOf(entry.schema).required as string[] | undefined) ?? [];

    // act
    const validateDraft4 = draft4Validator().compile(dataSchemaOf(draft4));
    const validate2020 = draft2020Validator().compile(dataSchemaOf(entry.schema));
    const incomplete = examples.map((example) => {
      const copy = { ...(example as Record<string, unknown>) };
      if (required[0] !== undefined) delete copy[required[0]];
      return copy;
    });

    // assess
    expect(draft4Validator().validateSchema(draft4), JSON.stringify(draft4Validator().errors)).toBe(true);
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      expect(validate2020(example)).toBe(true);
      expect(validateDraft4(example), JSON.stringify(validateDraft4.errors)).toBe(true);
    }
    for (const example of incomplete) {
      expect(validate2020(example)).toBe(false);
      expect(validateDraft4(example)).toBe(false);
    }
  });
});

describe('platform stack: bus policy and schema registry', () => {
  const env = environment('staging');
  const synth = () => synthStack(new PlatformStack(testApp(), { env }));

  it('attaches the bus policy to the bus (what it says: platform.stack.test.ts)', () => {
    // act
    const json = synth();

    // assess
    const bus = onlyResourceOfType(json, 'aws_cloudwatch_event_bus');
    const policy = onlyResourceOfType(json, 'aws_cloudwatch_event_bus_policy');
    expect(policy.values.event_bus_name).toBe(reference(bus.address, 'name'));
  });

  it('refuses an organization id that is not one', () => {
    // act
    const attempt = () => organizationId('staging', { staging: '123456789012' });

    // assess
    expect(attempt).toThrow('Invalid organization id for staging: "123456789012"');
  });

  it('registers one JSONSchemaDraft4 schema per committed contract version in its own registry', () => {
    // prepare
    const lock = readSchemaLock();

    // act
    const json = synth();

    // assess
    const registry = onlyResourceOfType(json, 'aws_schemas_registry');
    expect(registry.values.name).toBe('kestrel-staging-platform-events');
    const schemas = resourcesOfType(json, 'aws_schemas_schema').map((schema) => schema.values);
    expect(schemas.map((schema) => schema.name).sort()).toEqual(lock.map(registrySchemaName).sort());
    for (const schema of schemas) {
      const locked = lock.find((entry) => registrySchemaName(entry) === schema.name)!;
      expect(schema).toMatchObject({ type: 'JSONSchemaDraft4', registry_name: reference(registry.address, 'name') });
      expect(JSON.parse(schema.content as string)).toEqual(toDraft4(locked.schema));
      expect((schema.description as string).length).toBeLessThanOrEqual(256);
    }
  });

  it('names schemas source@DetailType.vN', () => {
    // act
    const name = registrySchemaName({ source: 'kestrel.customers', detailType: 'CustomerCreated', version: 2 });

    // assess
    expect(name).toBe('kestrel.customers@CustomerCreated.v2');
  });
});
