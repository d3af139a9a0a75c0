// Personal-data paths read straight from the zod schema (its `pii` marks in zod's registry), not
// from the generated JSON Schema: handlers that redact or pseudonymise events (observability's
// event redactor, analytics-ingest) would otherwise bundle zod's JSON Schema generator (~20 KB)
// and build every contract's schema at their first event. The paths are those the JSON Schema
// would give (`tests/unit/pii.test.ts` compares both for every contract).
import * as z from 'zod/mini';
import type { AnyEventContract } from './define-event';
import { PII_KINDS, type PiiKind } from './envelope';
import { ContractDefinitionError } from './errors';

/** A personal-data field of an event, located relative to `detail.data`. */
export interface PiiField {
  /** Dotted path inside `detail.data`; `[]` means every array element, `*` every value of a record: `items[].email`. */
  readonly path: string;
  readonly kind: PiiKind;
}

type Node = z.core.$ZodType;
// The defs of the schema kinds a contract is made of, as far as the walk needs them.
type Def = z.core.$ZodTypeDef & {
  innerType?: Node;
  shape?: Record<string, Node>;
  element?: Node;
  valueType?: Node;
  options?: readonly Node[];
  items?: readonly Node[];
  rest?: Node | null;
  in?: Node;
  left?: Node;
  right?: Node;
  getter?: () => Node;
};

// Wrappers whose PII mark and children are those of the schema they wrap.
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch', 'success']);

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const cache = new WeakMap<AnyEventContract, PiiField[]>();

/**
 * Every field of a contract's `detail.data` marked as personal data, with its kind. Paths are
 * relative to `detail.data`: `email`, `address.street`, `items[].email`, `contacts.*.phone`.
 *
 * @throws {@link ContractDefinitionError} for an unknown PII kind or PII inside a recursive schema.
 *
 * @example
 * ```ts
 * piiFields(CustomerCreatedV1); // [{ path: 'email', kind: 'email' }, { path: 'name', kind: 'name' }]
 * ```
 */
export function piiFields(contract: AnyEventContract): PiiField[] {
  let fields = cache.get(contract);
  if (!fields) {
    fields = collect(contract);
    cache.set(contract, fields);
  }
  return [...fields];
}

/**
 * The dotted paths (relative to `detail.data`) of every PII-marked field, for pseudonymisation.
 *
 * @example
 * ```ts
 * piiPaths(OrderPlacedV1); // ['customer.email', 'items[].recipient.name']
 * ```
 */
export function piiPaths(contract: AnyEventContract): string[] {
  return [...new Set(piiFields(contract).map((field) => field.path))];
}

function collect(contract: AnyEventContract): PiiField[] {
  const found = new Map<string, PiiField>();
  const lazyStack: Node[] = [];
  const recursive = new Set<Node>();

  const visit = (node: Node, path: string): void => {
    const kind = z.globalRegistry.get(node)?.pii;
    if (kind !== undefined) {
      if (!(PII_KINDS as readonly unknown[]).includes(kind)) {
        throw new ContractDefinitionError(`Event contract ${contract.key}: unknown PII kind ${JSON.stringify(kind)} at ${path}`, [
          { path, message: `pii must be one of ${PII_KINDS.join(', ')}`, code: 'invalid_pii' },
        ]);
      }
      found.set(`${path}|${kind}`, { path, kind });
    }
    const def = node._zod.def as Def;
    if (WRAPPERS.has(def.type) && def.innerType) return visit(def.innerType, path);
    switch (def.type) {
      case 'object':
        for (const [key, child] of Object.entries(def.shape ?? {})) visit(child, join(path, key));
        return;
      case 'array':
        if (def.element) visit(def.element, `${path}[]`);
        return;
      case 'record':
        if (def.valueType) visit(def.valueType, join(path, '*'));
        return;
      case 'union':
        for (const option of def.options ?? []) visit(option, path);
        return;
      case 'intersection':
        if (def.left) visit(def.left, path);
        if (def.right) visit(def.right, path);
        return;
      case 'tuple':
        (def.items ?? []).forEach((item, index) => visit(item, `${path}[${index}]`));
        if (def.rest) visit(def.rest, `${path}[]`);
        return;
      case 'pipe':
        // What travels on the bus is the input side, as in the JSON Schema (io: 'input').
        if (def.in) visit(def.in, path);
        return;
      case 'lazy': {
        if (lazyStack.includes(node)) {
          recursive.add(node);
          return;
        }
        const before = found.size;
        lazyStack.push(node);
        visit((def.getter as () => Node)(), path);
        lazyStack.pop();
        // A recursive structure has no finite list of paths; refuse rather than silently miss PII.
        if (recursive.has(node) && found.size > before) {
          throw new ContractDefinitionError(
            `Event contract ${contract.key}: PII inside a recursive schema at ${path} cannot be listed as paths; flatten the structure`,
          );
        }
        return;
      }
      default:
        return;
    }
  };

  visit(contract.data, '');
  return [...found.values()];
}
