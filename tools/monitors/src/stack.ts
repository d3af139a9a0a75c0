import { readFileSync } from 'node:fs';

/** A synthesized Terraform JSON stack (`cdktf.out/stacks/<stack>/cdk.tf.json`), the parts the walker reads. */
export interface TerraformJson {
  provider?: { aws?: Array<{ default_tags?: Array<{ tags?: Record<string, string> }> }> };
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/** One resource of the stack with its Terraform address (`aws_sqs_queue.dlq_1A2B`). */
export interface StackResource {
  readonly type: string;
  readonly address: string;
  readonly values: Record<string, unknown>;
}

/** A stack ready to walk: who owns it, for which environment, and its resources. */
export interface LoadedStack {
  /** Where it came from (a file path or a label), for messages. */
  readonly origin: string;
  readonly service: string;
  readonly env: string;
  /** The `owner` default tag (the manifest's team), when the stack sets it. */
  readonly owner?: string;
  readonly resources: readonly StackResource[];
}

/**
 * Reads a synthesized stack. The service and environment come from the provider's
 * `default_tags` (every kestrel stack sets `service` and `env`), not from file names.
 *
 * @example
 * ```ts
 * const stack = loadStack('apps/customers/cdktf.out/stacks/customers-staging/cdk.tf.json');
 * ```
 */
export function loadStack(path: string): LoadedStack {
  return stackFromJson(JSON.parse(readFileSync(path, 'utf8')) as TerraformJson, path);
}

/** Same as {@link loadStack} for JSON already in memory (e.g. `synthStack` in a test). */
export function stackFromJson(json: TerraformJson, origin: string): LoadedStack {
  const tags = json.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {};
  const problems = (['service', 'env'] as const).filter((tag) => !tags[tag]).map((tag) => `provider default_tags has no "${tag}"`);
  if (problems.length > 0) throw new Error(`${origin}: not a kestrel stack: ${problems.join('; ')}`);
  const resources = Object.entries(json.resource ?? {}).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, values]) => ({ type, address: `${type}.${id}`, values })),
  );
  return { origin, service: tags.service as string, env: tags.env as string, ...(tags.owner ? { owner: tags.owner } : {}), resources };
}

const REFERENCE = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)\}$/;

/**
 * Resolves a value that is a plain reference to another resource's attribute
 * (`${aws_lambda_function.fn_1A2B.function_name}`) to that resource and attribute.
 */
export function referenceOf(value: unknown): { address: string; attribute: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = REFERENCE.exec(value);
  return match ? { address: match[1] as string, attribute: match[2] as string } : undefined;
}

/** Looks resources up by address and resolves literal attribute values through references. */
export class StackIndex {
  private readonly byAddress = new Map<string, StackResource>();

  constructor(readonly stack: LoadedStack) {
    for (const resource of stack.resources) this.byAddress.set(resource.address, resource);
  }

  ofType(type: string): StackResource[] {
    return this.stack.resources.filter((resource) => resource.type === type);
  }

  get(address: string): StackResource | undefined {
    return this.byAddress.get(address);
  }

  /** The resource a reference-valued attribute points at. */
  referenced(value: unknown): StackResource | undefined {
    const reference = referenceOf(value);
    return reference ? this.byAddress.get(reference.address) : undefined;
  }

  /** A literal string attribute, following one reference (`${aws_x.y.name}` → that resource's literal `name`). */
  literal(value: unknown): string | undefined {
    if (typeof value === 'string' && !value.includes('${')) return value;
    const reference = referenceOf(value);
    if (!reference) return undefined;
    const target = this.byAddress.get(reference.address)?.values[reference.attribute];
    return typeof target === 'string' && !target.includes('${') ? target : undefined;
  }
}
