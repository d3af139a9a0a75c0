import { describe, expect, it } from 'vitest';
import { PII_KEYWORD, allContracts, piiFields, toJsonSchema, type AnyEventContract, type JsonSchema, type PiiField } from '../../src/index';
import { OrderPlacedV1, OrderPlacedV2, StoreOpenedV1 } from '../fixtures/contracts';

/** The PII marks of the published JSON Schema, as paths under detail.data: the oracle piiFields must agree with. */
function piiInJsonSchema(contract: AnyEventContract): PiiField[] {
  const found: PiiField[] = [];
  const visit = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const schema = node as JsonSchema;
    expect(schema.$ref, 'the oracle does not follow $ref').toBeUndefined();
    const kind = schema[PII_KEYWORD];
    if (typeof kind === 'string' && !found.some((f) => f.path === path && f.kind === kind)) found.push({ path, kind: kind as PiiField['kind'] });
    const at = (key: string) => (path === '' ? key : `${path}.${key}`);
    for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) visit(child, at(key));
    if (typeof schema.items === 'object') visit(schema.items, `${path}[]`);
    ((schema.prefixItems ?? []) as unknown[]).forEach((child, index) => visit(child, `${path}[${index}]`));
    if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, at('*'));
    for (const keyword of ['anyOf', 'oneOf', 'allOf']) for (const child of (schema[keyword] ?? []) as unknown[]) visit(child, path);
  };
  const detail = (toJsonSchema(contract).properties as Record<string, JsonSchema>).detail as JsonSchema;
  visit((detail.properties as Record<string, JsonSchema>).data, '');
  return found;
}

describe('piiFields reads the zod schema directly', () => {
  it.each([...allContracts(), OrderPlacedV1, OrderPlacedV2, StoreOpenedV1].map((contract) => [contract.key, contract] as const))(
    'finds the same fields as the published JSON Schema for %s',
    (_key, contract) => {
      // Act
      const fields = piiFields(contract);

      // Assess
      expect(fields).toEqual(piiInJsonSchema(contract));
    },
  );

  it('finds personal data in the platform contracts (the comparison above is not vacuous)', () => {
    // Act
    const marked = allContracts().filter((contract) => piiFields(contract).length > 0);

    // Assess
    expect(marked.map((contract) => contract.key)).toContain('kestrel.customers/CustomerDetailsEdited/v1');
    expect(piiFields(marked.find((c) => c.key === 'kestrel.customers/CustomerDetailsEdited/v1')!)).toContainEqual({ path: 'changes.address.to.line1', kind: 'address' });
  });
});
