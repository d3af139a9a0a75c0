import { Aspects, TerraformStack } from 'cdktn';
import type { IAspect } from 'cdktn';
import type { IConstruct } from 'constructs';

/**
 * Synth-time checks in the spirit of the aws-samples e-commerce platform's
 * lint rules: each guard is a cdktn Aspect that reads the stack's resolved
 * Terraform (what would be deployed, not how the code built it) and fails
 * the synth naming every offending resource by address and construct path.
 */

/** One resource as it will be synthesized. */
export interface SynthesizedResource {
  type: string;
  /** `aws_sqs_queue.orders_dead-letters_queue_1A2B3C4D` */
  address: string;
  /** Construct path, e.g. `orders-staging/subscriptions/order-placed/dead-letters/queue`. */
  path: string;
  values: Record<string, unknown>;
}

export interface GuardViolation {
  guard: string;
  address: string;
  path: string;
  problem: string;
}

/** Synth stopped: at least one resource breaks a guard. */
export class GuardViolationError extends Error {
  constructor(readonly violations: readonly GuardViolation[]) {
    super(
      `Kestrel guards failed for ${violations.length} resource${violations.length === 1 ? '' : 's'}:\n` +
        violations.map((v) => `  - [${v.guard}] ${v.address} (${v.path}): ${v.problem}`).join('\n'),
    );
    this.name = 'GuardViolationError';
  }
}

/** Every resource of a stack, resolved as `cdk.tf.json` will hold it. */
export function synthesizedResources(stack: TerraformStack): SynthesizedResource[] {
  const terraform = stack.toTerraform() as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return Object.entries(terraform.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, values]) => {
      const metadata = (values['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
      return { type, address: `${type}.${name}`, path: metadata?.path ?? name, values };
    }),
  );
}

/** A guard: a name (what it protects) and a check over the whole stack. */
export abstract class StackGuard implements IAspect {
  abstract readonly name: string;

  protected abstract check(resources: SynthesizedResource[]): Array<Omit<GuardViolation, 'guard'>>;

  visit(node: IConstruct): void {
    // Whole-stack view: some rules relate resources (a rule target and the
    // function's async config), so each guard looks once, from the stack.
    if (!TerraformStack.isStack(node)) return;
    const violations = this.check(synthesizedResources(node)).map((v) => ({ guard: this.name, ...v }));
    if (violations.length > 0) throw new GuardViolationError(violations);
  }
}

// Terraform JSON renders a single nested block as an object or a one-element list.
function block(value: unknown): Record<string, unknown> | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

const referenceTo = (type: string, attributes: string[]) => new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.(?:${attributes.join('|')})\\}$`);

/** Every EventBridge-invoked function has an on-failure destination for its asynchronous invocations. */
export class OnFailureDestinationGuard extends StackGuard {
  readonly name = 'eventbridge-invoked-function-has-on-failure-destination';

  protected check(resources: SynthesizedResource[]) {
    const functionReference = referenceTo('aws_lambda_function', ['arn', 'function_name', 'qualified_arn']);
    const covered = new Set(
      resources
        .filter((r) => r.type === 'aws_lambda_function_event_invoke_config')
        .filter((r) => present(block(block(r.values.destination_config)?.on_failure)?.destination))
        .map((r) => functionReference.exec(String(r.values.function_name))?.[1])
        .filter((name): name is string => name !== undefined),
    );
    const invoked = new Set(
      resources
        .filter((r) => r.type === 'aws_cloudwatch_event_target')
        .map((r) => functionReference.exec(String(r.values.arn))?.[1])
        .filter((name): name is string => name !== undefined),
    );
    return resources
      .filter((r) => r.type === 'aws_lambda_function' && invoked.has(r.address.split('.')[1] as string) && !covered.has(r.address.split('.')[1] as string))
      .map((r) => ({
        address: r.address,
        path: r.path,
        problem:
          'EventBridge invokes it asynchronously, but no aws_lambda_function_event_invoke_config gives it an on_failure destination: events that exhaust their retries would be lost',
      }));
  }
}

/** Every EventBridge rule target has a dead-letter queue and an explicit retry policy. */
export class RuleTargetGuard extends StackGuard {
  readonly name = 'rule-target-has-dlq-and-retry-policy';

  protected check(resources: SynthesizedResource[]) {
    return resources
      .filter((r) => r.type === 'aws_cloudwatch_event_target')
      .flatMap((r) => {
        const missing: string[] = [];
        if (!present(block(r.values.dead_letter_config)?.arn)) missing.push('dead_letter_config.arn');
        const retry = block(r.values.retry_policy);
        if (!present(retry?.maximum_retry_attempts)) missing.push('retry_policy.maximum_retry_attempts');
        if (!present(retry?.maximum_event_age_in_seconds)) missing.push('retry_policy.maximum_event_age_in_seconds');
        return missing.length > 0 ? [{ address: r.address, path: r.path, problem: `missing ${missing.join(', ')}` }] : [];
      });
  }
}

/** Every SQS queue and DynamoDB table is encrypted explicitly. */
export class EncryptionGuard extends StackGuard {
  readonly name = 'queues-and-tables-encrypted';

  protected check(resources: SynthesizedResource[]) {
    return resources.flatMap((r) => {
      if (r.type === 'aws_sqs_queue' && !present(r.values.kms_master_key_id) && r.values.sqs_managed_sse_enabled !== true) {
        return [{ address: r.address, path: r.path, problem: 'not encrypted: set kms_master_key_id (the service key) or sqs_managed_sse_enabled' }];
      }
      if (r.type === 'aws_dynamodb_table' && block(r.values.server_side_encryption)?.enabled !== true) {
        return [{ address: r.address, path: r.path, problem: 'server_side_encryption is not enabled with a KMS key' }];
      }
      return [];
    });
  }
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: unknown;
  Resource?: string | string[];
  NotResource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Identity policies (attached to roles) in the stack, parsed; an unreadable one is reported. */
function identityPolicies(resources: SynthesizedResource[]): Array<{ resource: SynthesizedResource; statements?: Statement[]; unreadable?: string }> {
  const documents = resources.flatMap((r) => {
    if (r.type === 'aws_iam_role_policy' || r.type === 'aws_iam_policy') return [{ resource: r, policy: r.values.policy }];
    if (r.type === 'aws_iam_role') {
      const inline = r.values.inline_policy;
      return (Array.isArray(inline) ? inline : inline ? [inline] : []).map((p) => ({ resource: r, policy: (p as Record<string, unknown>).policy }));
    }
    return [];
  });
  return documents.map(({ resource, policy }) => {
    try {
      const parsed = JSON.parse(String(policy)) as { Statement?: Statement | Statement[] };
      const statements = parsed.Statement === undefined ? [] : Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
      return { resource, statements };
    } catch {
      return { resource, unreadable: 'its policy is not literal JSON, so the guards cannot read it; write the document as JSON (PolicyBuilder) rather than an expression' };
    }
  });
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's action wildcard matching: `events:*` and `*` allow `events:PutEvents`. */
function actionMatches(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** Every statement allowing `events:PutEvents` restricts it with an `events:source` condition. */
export class PutEventsSourceConditionGuard extends StackGuard {
  readonly name = 'put-events-conditioned-on-source';

  protected check(resources: SynthesizedResource[]) {
    return identityPolicies(resources).flatMap(({ resource, statements, unreadable }) => {
      if (unreadable) return [{ address: resource.address, path: resource.path, problem: unreadable }];
      return (statements ?? [])
        .filter((s) => s.Effect === 'Allow' && (s.NotAction !== undefined || list(s.Action).some((a) => actionMatches(a, 'events:PutEvents'))))
        .filter((s) => !Object.values(s.Condition ?? {}).some((keys) => Object.keys(keys).some((key) => key.toLowerCase() === 'events:source')))
        .map((s) => ({
          address: resource.address,
          path: resource.path,
          problem: `statement ${s.Sid ?? '(no Sid)'} allows events:PutEvents without an events:source condition: the role could publish as any service`,
        }));
    });
  }
}

/** Service prefixes whose actions read or write data; "*" resources for them are never least privilege. */
export const DATA_SERVICES = ['dynamodb', 'sqs', 'sns', 's3', 'kms', 'events', 'ssm', 'secretsmanager', 'kinesis', 'firehose', 'lambda', 'logs'] as const;

function isDataAction(action: string): boolean {
  return action === '*' || DATA_SERVICES.some((service) => action.toLowerCase().startsWith(`${service}:`));
}

/** `*`, or an ARN whose resource part is only `*` (every resource of the service). */
function isWildcardResource(resource: string): boolean {
  return resource === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource);
}

/** No identity policy grants a data action on "*". */
export class WildcardDataResourceGuard extends StackGuard {
  readonly name = 'no-wildcard-resources-for-data-actions';

  protected check(resources: SynthesizedResource[]) {
    return identityPolicies(resources).flatMap(({ resource, statements, unreadable }) => {
      if (unreadable) return [{ address: resource.address, path: resource.path, problem: unreadable }];
      return (statements ?? []).flatMap((s) => {
        if (s.Effect !== 'Allow') return [];
        if (s.NotAction !== undefined || s.NotResource !== undefined) {
          return [{ address: resource.address, path: resource.path, problem: `statement ${s.Sid ?? '(no Sid)'} uses NotAction/NotResource, which grants more than it names` }];
        }
        const dataActions = list(s.Action).filter(isDataAction);
        const wildcards = list(s.Resource).filter(isWildcardResource);
        return dataActions.length > 0 && wildcards.length > 0
          ? [{ address: resource.address, path: resource.path, problem: `statement ${s.Sid ?? '(no Sid)'} allows ${dataActions.join(', ')} on ${wildcards.join(', ')}` }]
          : [];
      });
    });
  }
}

/**
 * Every IAM role carries a permissions boundary from the pipeline's path
 * (bootstrap's `kestrel-<env>-<service>-boundary`): without it, the deploy role
 * could not create the role, and with another one it could escalate.
 */
export class RoleBoundaryGuard extends StackGuard {
  readonly name = 'role-has-service-boundary';

  protected check(resources: SynthesizedResource[]) {
    return resources
      .filter((r) => r.type === 'aws_iam_role')
      .filter((r) => !/^arn:aws:iam::\d{12}:policy\/kestrel-pipeline\/kestrel-[a-z0-9-]+-boundary$/.test(String(r.values.permissions_boundary ?? '')))
      .map((r) => ({
        address: r.address,
        path: r.path,
        problem: `permissions_boundary is ${JSON.stringify(r.values.permissions_boundary ?? null)}: every service role carries its service's boundary (policy/kestrel-pipeline/kestrel-<env>-<service>-boundary)`,
      }));
  }
}

/** Every guard, in the order they are reported. */
export function kestrelGuards(): StackGuard[] {
  return [
    new OnFailureDestinationGuard(),
    new PutEventsSourceConditionGuard(),
    new RuleTargetGuard(),
    new EncryptionGuard(),
    new WildcardDataResourceGuard(),
    new RoleBoundaryGuard(),
  ];
}

/**
 * Adds every guard to a stack; synth then fails on the first guard with
 * violations, listing each offending resource.
 *
 * @example
 * ```ts
 * applyKestrelGuards(this); // in any KestrelStack constructor
 * ```
 */
export function applyKestrelGuards(stack: TerraformStack): void {
  for (const guard of kestrelGuards()) Aspects.of(stack).add(guard);
}
