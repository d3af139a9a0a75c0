/**
 * The service manifest: one typed declaration per bounded context that says
 * who owns it, which functions it runs and what triggers them, which tables it
 * owns, and which events it publishes and consumes. The stack, the event
 * catalog, the monitors and the compatibility gate are all derived from it, so
 * a newcomer opens `apps/<context>/service.ts` first and learns the service in
 * a minute — no hunting through infrastructure code for where a function's
 * trigger is wired.
 */
import * as z from 'zod';

/** Identifies one version of an event contract (what `@kestrel/contracts` contracts expose). */
export interface EventRef {
  source: string;
  detailType: string;
  version: number;
}

/** An EventBridge event pattern, as JSON. */
export type EventPattern = { [field: string]: unknown };

export const COGNITO_TRIGGERS = [
  'PreSignUp',
  'CustomMessage',
  'PostConfirmation',
  'PreAuthentication',
  'PostAuthentication',
  'PreTokenGeneration',
  'UserMigration',
  'DefineAuthChallenge',
  'CreateAuthChallenge',
  'VerifyAuthChallengeResponse',
] as const;
export type CognitoTrigger = (typeof COGNITO_TRIGGERS)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export type Trigger =
  /** An API Gateway HTTP API route (payload format 2.0). */
  | { kind: 'http'; method: (typeof HTTP_METHODS)[number]; path: string; auth: 'jwt' | 'none'; scopes?: string[] }
  /** An EventBridge subscription declared in `consumes` (by its name). */
  | { kind: 'event'; subscription: string }
  /** A Cognito user-pool Lambda trigger. */
  | { kind: 'cognito'; trigger: CognitoTrigger }
  /** An EventBridge scheduled rule: `rate(5 minutes)` or `cron(0 12 * * ? *)`. */
  | { kind: 'schedule'; expression: string }
  /** A DynamoDB stream of one of this service's tables. */
  | { kind: 'stream'; table: string; batchSize?: number };

export interface TableAccess {
  table: string;
  /** `read`: GetItem/Query/BatchGetItem on the table and its indexes. `write`: read plus Put/Update/Delete/TransactWrite. */
  mode: 'read' | 'write';
}

export interface FunctionDeclaration {
  /** One sentence: what this function decides or does. */
  description: string;
  /** Entry file relative to the service folder, e.g. `src/handlers/http-create-customer.ts`. */
  handler: string;
  triggers: Trigger[];
  memoryMb?: number;
  timeoutSeconds?: number;
  reservedConcurrency?: number;
  /** Least privilege is derived from this: nothing here, no access. */
  access?: {
    tables?: TableAccess[];
    /** Sources this function may put on the bus directly (restricts `events:PutEvents` by `events:source`). */
    publishesDirectly?: string[];
    /**
     * SSM parameter names (or path prefixes ending in `/*`) the function may read.
     * `{env}` stands for the environment's name (`/kestrel/{env}/orders/api-key`),
     * so a grant names exactly one environment's parameter.
     */
    parameters?: string[];
    /**
     * Firehose delivery streams of this service the function may put records
     * to (`PutRecord`, `PutRecordBatch`), by the logical name the stack gives
     * them (`raw-events` → `kestrel-<env>-<service>-raw-events`).
     */
    deliveryStreams?: string[];
  };
}

export interface TableDeclaration {
  description: string;
  /** Generic global secondary indexes this table has (`GSI1`, `GSI2`…); keys come from `@kestrel/table-keys`. */
  globalIndexes: string[];
  /** A DynamoDB stream (NEW_IMAGE) feeding the outbox pipe. */
  stream: boolean;
  /** TTL on the generic `ttl` attribute (outbox items, idempotency records). */
  ttl: boolean;
}

export interface Publication {
  event: EventRef;
  /** `outbox`: written in the same transaction as the state change and piped to the bus; `direct`: PutEvents from a function. */
  via: 'outbox' | 'direct';
  /** The table whose outbox carries it (for `outbox`). */
  table?: string;
}

/** The placeholder a parameter name may use for the environment's name. */
export const ENV_PLACEHOLDER = '{env}';

/**
 * A parameter name from `access.parameters` in one environment.
 *
 * @example
 * resolveParameterName('/kestrel/{env}/orders/api-key', 'staging'); // '/kestrel/staging/orders/api-key'
 */
export function resolveParameterName(name: string, env: string): string {
  return name.split(ENV_PLACEHOLDER).join(env);
}

/**
 * How a subscription's events reach its function.
 *
 * - `direct` (the default): the rule invokes the function asynchronously, one
 *   event per invocation.
 * - `queue`: the rule sends to an SQS queue of the service, and a Lambda event
 *   source mapping hands the function batches (an SQS event whose `Records[].body`
 *   is one EventBridge event each). For consumers whose cost or throughput is
 *   per call rather than per event (Firehose bills each record rounded up to 5 KB).
 *   The handler answers `{ batchItemFailures: [{ itemIdentifier: messageId }] }`
 *   for the messages that failed; only those are received again.
 */
export type SubscriptionDelivery = { kind: 'direct' } | QueuedDelivery;

export interface QueuedDelivery {
  kind: 'queue';
  /** Messages per invocation at most (1–10,000; above 10 needs a batching window, as Lambda requires). */
  batchSize: number;
  /** How long Lambda gathers a batch before invoking with fewer than `batchSize` (0–300 s). */
  maximumBatchingWindowSeconds: number;
  /**
   * How long a received message stays hidden before it can be received again
   * (a failed one is retried after this). Default: six times the function's
   * timeout plus the batching window, as AWS recommends; never below the timeout.
   */
  visibilityTimeoutSeconds?: number;
  /** Receives before a message moves to the subscription's dead-letter queue (1–1000; AWS suggests at least 5). */
  maxReceiveCount: number;
  /**
   * Most invocations the mapping runs at once (2–1000, the event source mapping's
   * `scaling_config.maximum_concurrency`). Without it, a burst can take the account's
   * concurrency, and every throttled batch goes back to the queue counting as a receive
   * toward `maxReceiveCount`: throttling alone can dead-letter messages. AWS recommends
   * it no higher than the function's reserved concurrency, which the manifest checks.
   */
  maximumConcurrency?: number;
}

export interface Subscription {
  /** kebab-case, unique in the service; becomes the rule name. */
  name: string;
  description: string;
  /** The contract versions this subscription expects to receive. */
  events: EventRef[];
  /**
   * The rule's pattern. Omitted: derived from `events` (source, detail-type and
   * `detail.metadata.version`), which is what most subscriptions want.
   */
  pattern?: EventPattern;
  /** A deliberately wide pattern (e.g. "every business event"), with the reason; exempts it from the narrowness check. */
  wide?: { reason: string };
  /** Function (key of `functions`) the rule targets. */
  target: string;
  /**
   * Set explicitly: custom buses' defaults (185 attempts / 24 h) are rarely what a
   * consumer wants. With queued delivery it governs the rule's sends to the queue.
   */
  retry: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
  /** Default `{ kind: 'direct' }`: one asynchronous invocation per event. */
  delivery?: SubscriptionDelivery;
}

export interface ServiceManifest {
  /** The bounded context, kebab-case: `customers`. Also the Nx project name and the event source suffix. */
  name: string;
  description: string;
  owner: { team: string };
  functions: Record<string, FunctionDeclaration>;
  tables: Record<string, TableDeclaration>;
  publishes: Publication[];
  consumes: Subscription[];
  /**
   * Secrets an operator creates by hand in each environment (SSM SecureStrings holding
   * base64 of at least 32 random bytes), never Terraform: a value Terraform writes or
   * reads is kept in its state. The stack names them in its `operator-secrets` output;
   * the local cloud plays the operator and generates each one missing.
   */
  operatorSecrets?: OperatorSecret[];
}

/** One secret an operator puts in SSM by hand (see `ServiceManifest.operatorSecrets`). */
export interface OperatorSecret {
  /** The SSM parameter name; `{env}` stands for the environment's name. Functions still need it in `access.parameters`. */
  parameter: string;
  /** What it protects and how to make one, for the runbook. */
  description: string;
}

/** The stack output listing a stack's operator secrets (resolved parameter names). */
export const OPERATOR_SECRETS_OUTPUT = 'operator-secrets';

const kebab = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const eventRef = z.object({
  source: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/, 'must look like <org>.<context>'),
  detailType: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'must be PascalCase'),
  version: z.number().int().positive(),
});

const trigger = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('http'),
    method: z.enum(HTTP_METHODS),
    path: z.string().regex(/^\/[A-Za-z0-9\-_/{}+]*$/, 'must be an HTTP API route path like /customers/{customerId}'),
    auth: z.enum(['jwt', 'none']),
    scopes: z.array(z.string()).optional(),
  }),
  z.object({ kind: z.literal('event'), subscription: z.string() }),
  z.object({ kind: z.literal('cognito'), trigger: z.enum(COGNITO_TRIGGERS) }),
  z.object({
    kind: z.literal('schedule'),
    expression: z.string().regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, 'must be rate(...) or cron(...)'),
  }),
  z.object({ kind: z.literal('stream'), table: z.string(), batchSize: z.number().int().min(1).max(10_000).optional() }),
]);

// Lambda's and SQS's documented ranges for an SQS event source mapping and its queue.
const delivery = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('direct') }),
  z
    .strictObject({
      kind: z.literal('queue'),
      batchSize: z.number().int().min(1, 'batchSize is 1 to 10000').max(10_000, 'batchSize is 1 to 10000 (Lambda\'s limit for SQS)'),
      maximumBatchingWindowSeconds: z.number().int().min(0).max(300, 'maximumBatchingWindowSeconds is 0 to 300'),
      visibilityTimeoutSeconds: z.number().int().min(0).max(43_200, 'visibilityTimeoutSeconds is 0 to 43200 (12 hours)').optional(),
      maxReceiveCount: z.number().int().min(1).max(1_000, 'maxReceiveCount is 1 to 1000'),
      maximumConcurrency: z.number().int().min(2, 'maximumConcurrency is 2 to 1000 (Lambda\'s range for SQS)').max(1_000, 'maximumConcurrency is 2 to 1000 (Lambda\'s range for SQS)').optional(),
    })
    .refine((d) => d.batchSize <= 10 || d.maximumBatchingWindowSeconds >= 1, {
      message: 'a batchSize above 10 needs maximumBatchingWindowSeconds of at least 1 (Lambda refuses the mapping otherwise)',
      path: ['maximumBatchingWindowSeconds'],
    }),
]);

const manifestSchema = z.strictObject({
  name: z.string().regex(kebab, 'must be kebab-case'),
  description: z.string().min(10),
  owner: z.strictObject({ team: z.string().min(1) }),
  functions: z.record(
    z.string().regex(kebab, 'function names must be kebab-case'),
    z.strictObject({
      description: z.string().min(10),
      handler: z
        .string()
        .regex(/^src\/handlers\/[a-z0-9]+(-[a-z0-9]+)*\.ts$/, 'handlers live in src/handlers/<kebab-case>.ts'),
      triggers: z.array(trigger).min(1, 'a function nothing triggers is dead code'),
      memoryMb: z.number().int().min(128).max(10_240).optional(),
      timeoutSeconds: z.number().int().min(1).max(900).optional(),
      reservedConcurrency: z.number().int().min(0).optional(),
      access: z
        .strictObject({
          tables: z.array(z.strictObject({ table: z.string(), mode: z.enum(['read', 'write']) })).optional(),
          publishesDirectly: z.array(z.string()).optional(),
          parameters: z
            .array(
              z
                .string()
                .startsWith('/', 'SSM parameter names start with "/"')
                .refine((name) => !/[{}]/.test(name.split(ENV_PLACEHOLDER).join('')), `the only placeholder a parameter name may hold is ${ENV_PLACEHOLDER}`),
            )
            .optional(),
          deliveryStreams: z.array(z.string().regex(kebab, 'delivery streams are named by their kebab-case logical name, e.g. raw-events')).optional(),
        })
        .optional(),
    }),
  ),
  tables: z.record(
    z.string().regex(kebab, 'table names must be kebab-case'),
    z.strictObject({
      description: z.string().min(10),
      globalIndexes: z.array(z.string().regex(/^GSI\d+$/, 'generic index names: GSI1, GSI2…')),
      stream: z.boolean(),
      ttl: z.boolean(),
    }),
  ),
  publishes: z.array(
    z.strictObject({ event: eventRef, via: z.enum(['outbox', 'direct']), table: z.string().optional() }),
  ),
  consumes: z.array(
    z.strictObject({
      name: z.string().regex(kebab, 'subscription names must be kebab-case'),
      description: z.string().min(10),
      events: z.array(eventRef),
      pattern: z.record(z.string(), z.unknown()).optional(),
      wide: z.strictObject({ reason: z.string().min(10) }).optional(),
      target: z.string(),
      retry: z.strictObject({
        // EventBridge's documented ranges for a target's RetryPolicy.
        maximumRetryAttempts: z.number().int().min(0).max(185),
        maximumEventAgeSeconds: z.number().int().min(60).max(86_400),
      }),
      delivery: delivery.optional(),
    }),
  ),
  operatorSecrets: z
    .array(
      z.strictObject({
        parameter: z
          .string()
          .startsWith('/', 'SSM parameter names start with "/"')
          .refine((name) => !/[{}]/.test(name.split(ENV_PLACEHOLDER).join('')), `the only placeholder a parameter name may hold is ${ENV_PLACEHOLDER}`),
        description: z.string().min(10),
      }),
    )
    .optional(),
});

/** A manifest that failed validation; `issues` lists every problem with its path. */
export class ManifestError extends Error {
  constructor(
    readonly service: string,
    readonly issues: string[],
  ) {
    super(`Service manifest "${service}" is invalid:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

/** Cross-references the schema alone can't check: every name must point at something declared. */
function crossReferenceIssues(manifest: ServiceManifest): string[] {
  const issues: string[] = [];
  const subscriptions = new Set(manifest.consumes.map((s) => s.name));
  const tables = new Set(Object.keys(manifest.tables));
  const routes = new Set<string>();
  const source = `kestrel.${manifest.name}`;

  for (const [fnName, fn] of Object.entries(manifest.functions)) {
    fn.triggers.forEach((t, i) => {
      const at = `functions.${fnName}.triggers[${i}]`;
      if (t.kind === 'event' && !subscriptions.has(t.subscription)) {
        issues.push(`${at}.subscription: "${t.subscription}" is not declared in consumes`);
      }
      if (t.kind === 'stream' && !tables.has(t.table)) issues.push(`${at}.table: "${t.table}" is not declared in tables`);
      if (t.kind === 'http') {
        const route = `${t.method} ${t.path}`;
        if (routes.has(route)) issues.push(`${at}: route "${route}" is declared twice`);
        routes.add(route);
      }
    });
    fn.access?.tables?.forEach((access, i) => {
      if (!tables.has(access.table)) {
        issues.push(`functions.${fnName}.access.tables[${i}].table: "${access.table}" is not a table of this service (no function may reach another service's table)`);
      }
    });
    fn.access?.publishesDirectly?.forEach((s, i) => {
      if (s !== source) issues.push(`functions.${fnName}.access.publishesDirectly[${i}]: a service publishes only as "${source}", not "${s}"`);
    });
  }

  const seen = new Set<string>();
  const deliveries = new Map<string, Set<string>>();
  manifest.consumes.forEach((sub, i) => {
    const kinds = deliveries.get(sub.target) ?? new Set<string>();
    kinds.add(sub.delivery?.kind ?? 'direct');
    deliveries.set(sub.target, kinds);
    const queued = sub.delivery?.kind === 'queue' ? sub.delivery : undefined;
    const timeout = manifest.functions[sub.target]?.timeoutSeconds;
    if (queued?.visibilityTimeoutSeconds !== undefined && timeout !== undefined && queued.visibilityTimeoutSeconds < timeout) {
      issues.push(
        `consumes[${i}].delivery.visibilityTimeoutSeconds: ${queued.visibilityTimeoutSeconds} s is shorter than ${sub.target}'s timeout of ${timeout} s: a message would be received again while it is still being processed (Lambda refuses the mapping)`,
      );
    }
  });
  for (const [target, kinds] of deliveries) {
    if (kinds.size > 1) {
      issues.push(`functions.${target}: its subscriptions mix direct and queued delivery, so its handler would receive two event shapes; give it one delivery kind`);
    }
  }

  manifest.consumes.forEach((sub, i) => {
    const at = `consumes[${i}]`;
    if (seen.has(sub.name)) issues.push(`${at}.name: "${sub.name}" is declared twice`);
    seen.add(sub.name);
    const target = manifest.functions[sub.target];
    if (!target) issues.push(`${at}.target: "${sub.target}" is not declared in functions`);
    else if (!target.triggers.some((t) => t.kind === 'event' && t.subscription === sub.name)) {
      issues.push(`${at}.target: function "${sub.target}" does not declare an event trigger for "${sub.name}"`);
    }
    const reserved = target?.reservedConcurrency;
    if (sub.delivery?.kind === 'queue' && sub.delivery.maximumConcurrency !== undefined && reserved !== undefined && sub.delivery.maximumConcurrency > reserved) {
      issues.push(
        `${at}.delivery.maximumConcurrency: ${sub.delivery.maximumConcurrency} is above function "${sub.target}"'s reservedConcurrency ${reserved}; the extra invocations would be throttled back into the queue (AWS recommends at most the reserved concurrency)`,
      );
    }
    if (sub.events.length === 0 && !sub.wide) issues.push(`${at}.events: name the contracts it expects, or declare the pattern wide with a reason`);
    if (!sub.pattern && sub.events.length === 0) issues.push(`${at}.pattern: a subscription with no events needs an explicit pattern`);
  });

  manifest.publishes.forEach((pub, i) => {
    const at = `publishes[${i}]`;
    if (pub.event.source !== source) issues.push(`${at}.event.source: "${pub.event.source}" — a service publishes only its own source "${source}"`);
    if (pub.via === 'outbox') {
      if (!pub.table) issues.push(`${at}.table: an outbox publication names the table whose outbox carries it`);
      else if (!tables.has(pub.table)) issues.push(`${at}.table: "${pub.table}" is not declared in tables`);
      else if (!manifest.tables[pub.table]?.stream) issues.push(`${at}.table: "${pub.table}" has no stream, so its outbox can't be piped`);
    }
  });
  const granted = new Set(Object.values(manifest.functions).flatMap((fn) => fn.access?.parameters ?? []));
  (manifest.operatorSecrets ?? []).forEach((secret, i) => {
    if (!granted.has(secret.parameter)) issues.push(`operatorSecrets.${i}.parameter: no function reads "${secret.parameter}" (add it to a function's access.parameters, or drop the secret)`);
  });
  return issues;
}

/**
 * Declare a service. Validates the manifest when the module loads, so a broken
 * manifest fails lint, tests and synth with every problem listed.
 *
 * @example
 * export default defineService({
 *   name: 'customers',
 *   description: 'Customer profiles: CQRS commands and queries on one table.',
 *   owner: { team: 'customer-experience' },
 *   functions: {
 *     'on-user-registered': {
 *       description: 'Creates the customer profile for a newly registered user.',
 *       handler: 'src/handlers/on-user-registered.ts',
 *       triggers: [{ kind: 'event', subscription: 'user-registered' }],
 *       access: { tables: [{ table: 'customers', mode: 'write' }] },
 *     },
 *   },
 *   tables: { customers: { description: 'All customer items.', globalIndexes: ['GSI1'], stream: true, ttl: true } },
 *   publishes: [],
 *   consumes: [{
 *     name: 'user-registered', description: 'A person finished signing up.',
 *     events: [UserRegisteredV1], target: 'on-user-registered',
 *     retry: { maximumRetryAttempts: 8, maximumEventAgeSeconds: 3600 },
 *   }],
 * });
 */
export function defineService<const M extends ServiceManifest>(manifest: M): M {
  const parsed = manifestSchema.safeParse(manifest);
  const name = typeof manifest?.name === 'string' ? manifest.name : '<unnamed>';
  if (!parsed.success) {
    throw new ManifestError(
      name,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '<root>'}: ${issue.message}`),
    );
  }
  const issues = crossReferenceIssues(manifest);
  if (issues.length > 0) throw new ManifestError(name, issues);
  return manifest;
}

/**
 * The EventBridge pattern a subscription's rule uses: its explicit pattern, or
 * one derived from the contract versions it names.
 */
export function subscriptionPattern(subscription: Subscription): EventPattern {
  if (subscription.pattern) return subscription.pattern;
  // Group versions by (source, detail-type): one pattern per event type, so two
  // events from different sources never widen into their cross product.
  const byType = new Map<string, { source: string; detailType: string; versions: number[] }>();
  for (const e of subscription.events) {
    const key = `${e.source}\u0000${e.detailType}`;
    const entry = byType.get(key) ?? { source: e.source, detailType: e.detailType, versions: [] };
    if (!entry.versions.includes(e.version)) entry.versions.push(e.version);
    byType.set(key, entry);
  }
  const patterns = [...byType.values()]
    .sort((a, b) => `${a.source} ${a.detailType}`.localeCompare(`${b.source} ${b.detailType}`))
    .map((t) => ({
      source: [t.source],
      'detail-type': [t.detailType],
      detail: { metadata: { version: t.versions.sort((a, b) => a - b) } },
    }));
  if (patterns.length === 1) return patterns[0] as EventPattern;
  return { $or: patterns };
}

/** Every trigger of every function, flattened, for derivation (stack, monitors, catalog). */
export function functionTriggers(manifest: ServiceManifest): Array<{ functionName: string; trigger: Trigger }> {
  return Object.entries(manifest.functions).flatMap(([functionName, fn]) =>
    fn.triggers.map((trigger) => ({ functionName, trigger })),
  );
}

/**
 * How a subscription delivers: its declared delivery, or `direct`.
 *
 * @example
 * if (subscriptionDelivery(subscription).kind === 'queue') { ... } // rule -> queue -> event source mapping
 */
export function subscriptionDelivery(subscription: Subscription): SubscriptionDelivery {
  return subscription.delivery ?? { kind: 'direct' };
}
