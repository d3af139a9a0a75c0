import { Construct } from 'constructs';
import { SchemasRegistry } from '@cdktn/provider-aws/lib/schemas-registry';
import { SchemasSchema } from '@cdktn/provider-aws/lib/schemas-schema';
import { toDraft4 } from './draft4';
import type { LockedEventSchema } from './schema-lock';

export interface EventSchemasProps {
  /** Registry name, e.g. `kestrel-staging-platform-events`. */
  registryName: string;
  /** The committed contract versions (`readSchemaLock()`). */
  schemas: readonly LockedEventSchema[];
}

/**
 * The name of one contract version in the registry: `<source>@<DetailType>.v<N>`,
 * the `source@detail-type` shape EventBridge gives the schemas it discovers,
 * plus the version, so every version is its own schema and v1 stays readable
 * while v2 is published alongside it.
 *
 * @example
 * ```ts
 * registrySchemaName({ source: 'kestrel.customers', detailType: 'CustomerCreated', version: 1 });
 * // 'kestrel.customers@CustomerCreated.v1'
 * ```
 */
export function registrySchemaName({ source, detailType, version }: Pick<LockedEventSchema, 'source' | 'detailType' | 'version'>): string {
  return `${source}@${detailType}.v${version}`;
}

/**
 * An EventBridge Schema Registry holding one `JSONSchemaDraft4` schema per
 * contract version in the committed lock, so the registry (code bindings,
 * console search) shows exactly what the compatibility gate protects.
 */
export class EventSchemas extends Construct {
  readonly registry: SchemasRegistry;
  readonly schemas: SchemasSchema[];

  constructor(scope: Construct, id: string, { registryName, schemas }: EventSchemasProps) {
    super(scope, id);
    this.registry = new SchemasRegistry(this, 'registry', {
      name: registryName,
      description: 'Kestrel business events: one schema per contract version, generated from libs/contracts/schemas',
    });
    this.schemas = schemas.map((locked) => {
      const name = registrySchemaName(locked);
      const description = typeof locked.schema.description === 'string' ? locked.schema.description : `${locked.detailType} v${locked.version}`;
      return new SchemasSchema(this, name, {
        name,
        registryName: this.registry.name,
        type: 'JSONSchemaDraft4',
        // The registry caps descriptions at 256 characters.
        description: description.length > 256 ? `${description.slice(0, 255)}…` : description,
        content: JSON.stringify(toDraft4(locked.schema)),
      });
    });
  }
}
