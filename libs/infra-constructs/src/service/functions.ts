import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset } from 'cdktn';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { resolveParameterName, subscriptionDelivery } from '@kestrel/service-manifest';
import type { FunctionDeclaration, ServiceManifest, Subscription } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import type { PlatformBusReference } from '../platform-parameters';
import { ssmParameterArn, viaService } from './arns';
import { bundleArchives } from './bundles';
import { DatadogInstrumentation } from './datadog';
import { DeadLetterQueue } from './dead-letter-queue';
import { assumeRolePolicy, PolicyBuilder, sid } from './iam';
import type { PolicyStatement } from './iam';
import type { ServiceKey } from './service-key';
import { tableEnvironmentVariable } from './tables';
import type { ServiceTables } from './tables';

/** What a function gets when its manifest entry doesn't say. */
export interface FunctionDefaults {
  memoryMb: number;
  timeoutSeconds: number;
}

export const FUNCTION_DEFAULTS: FunctionDefaults = Object.freeze({ memoryMb: 512, timeoutSeconds: 10 });

export const LAMBDA_RUNTIME = 'nodejs24.x';

/** Every bundle's entry point: `index.mjs` exporting `handler`. */
export const BUNDLE_HANDLER = 'index.handler';

/**
 * Lambda retries a failed asynchronous invocation at most twice; after that
 * the event goes to the function's on-failure destination. Handlers are
 * idempotent, so both retries are safe.
 */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** Lambda's bounds for how long an asynchronous event may wait for a successful run. */
const ASYNC_EVENT_AGE_BOUNDS = { min: 60, max: 21_600 };

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
/** Writes include ConditionCheckItem (transactions); TransactWriteItems is authorised per item action. */
export const TABLE_WRITE_ACTIONS = [
  ...TABLE_READ_ACTIONS,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * True when EventBridge invokes the function (a directly delivered subscription
 * or a schedule): asynchronously, so it needs an on-failure destination. A
 * queued subscription (named in `consumes`) doesn't count: its function is
 * invoked synchronously by an event source mapping.
 */
export function isEventBridgeInvoked(declaration: FunctionDeclaration, consumes: readonly Subscription[] = []): boolean {
  const queued = new Set(consumes.filter((s) => subscriptionDelivery(s).kind === 'queue').map((s) => s.name));
  return declaration.triggers.some((trigger) => (trigger.kind === 'event' && !queued.has(trigger.subscription)) || trigger.kind === 'schedule');
}

/** The ARN of one of the stack's Firehose delivery streams, by its physical name. */
export function deliveryStreamArn(env: EnvironmentConfig, streamName: string): string {
  return `arn:aws:firehose:${env.region}:${env.accountId}:deliverystream/${streamName}`;
}

export interface ServiceFunctionProps {
  functionName: string;
  declaration: FunctionDeclaration;
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  tables: ServiceTables;
  key: ServiceKey;
  bus: () => PlatformBusReference;
  /** `<bundlesDir>/<function>.zip`, built by tools/bundle. */
  bundleArchive: string;
  defaults: FunctionDefaults;
  /** Longest `maximumEventAgeSeconds` among the subscriptions and schedules that invoke it. */
  asyncEventAgeSeconds?: number;
  /** The stack's Datadog wiring, when the environment turns Datadog on. */
  datadog?: DatadogInstrumentation;
}

/**
 * One manifest function: the Lambda function (Node.js 22, arm64, active
 * tracing, JSON logs) running its prebuilt bundle, its log group with the
 * environment's retention, and its own IAM role whose policy is derived from
 * the manifest's `access` — plus, when EventBridge invokes it, an on-failure
 * destination queue for asynchronous invocations that exhausted their retries.
 * Where the environment turns Datadog on, it also gets the Datadog extension
 * and Node library layers, the `DD_*` variables, read access to the API key
 * secret, and Datadog's handler redirect so the library traces every invocation
 * ({@link DatadogInstrumentation}); elsewhere the handler is {@link BUNDLE_HANDLER}.
 * Triggers that need more (a stream to read) add it with {@link grant}.
 */
export class ServiceFunction extends Construct {
  readonly functionName: string;
  readonly lambda: LambdaFunction;
  /** The function's ARN (one token, so it compares equal wherever it is handed out). */
  readonly arn: string;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly policy = new PolicyBuilder();
  /** The role's only policy; resources that need the permissions in place depend on it. */
  readonly rolePolicy: IamRolePolicy;
  /** Where asynchronous invocations go after their last retry; only for EventBridge-invoked functions. */
  readonly failureQueue?: DeadLetterQueue;
  readonly eventInvokeConfig?: LambdaFunctionEventInvokeConfig;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { functionName, declaration, manifest, env, stack, tables, key, defaults, datadog } = props;
    this.functionName = stack.resourceName(functionName);

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: env.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: this.functionName,
      description: `${manifest.name}/${functionName}: ${declaration.description}`.slice(0, 1000),
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
    });
    const rolePolicy = new IamRolePolicy(this, 'policy', { name: 'least-privilege', role: this.role.id, policy: this.policy.render() });
    this.rolePolicy = rolePolicy;

    // The zip tools/bundle built (copied, not re-archived, at synth: see zipBundleFolder there).
    const code = new TerraformAsset(this, 'bundle', { path: props.bundleArchive, type: AssetType.FILE });
    const access = declaration.access ?? {};
    const publishes = (access.publishesDirectly ?? []).length > 0;
    const entry = datadog ? datadog.redirect(BUNDLE_HANDLER) : { handler: BUNDLE_HANDLER, variables: {} };
    this.lambda = new LambdaFunction(this, 'function', {
      functionName: this.functionName,
      description: declaration.description.slice(0, 256),
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: entry.handler,
      filename: code.path,
      sourceCodeHash: Fn.filebase64sha256(code.path),
      memorySize: declaration.memoryMb ?? defaults.memoryMb,
      timeout: declaration.timeoutSeconds ?? defaults.timeoutSeconds,
      ...(declaration.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: declaration.reservedConcurrency } : {}),
      ...(datadog ? { layers: [...datadog.layers] } : {}),
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'JSON', logGroup: this.logGroup.name },
      environment: {
        variables: {
          SERVICE_NAME: manifest.name,
          POWERTOOLS_SERVICE_NAME: manifest.name,
          NODE_OPTIONS: '--enable-source-maps',
          ...Object.fromEntries((access.tables ?? []).map(({ table }) => [tableEnvironmentVariable(table), tables.get(table).name])),
          ...(publishes ? { EVENT_BUS_NAME: props.bus().busName } : {}),
          ...datadog?.variables,
          ...entry.variables,
        },
      },
      // The log group must exist (with its retention) before Lambda would create
      // one, and the role must hold its permissions before the first invocation.
      dependsOn: [this.logGroup, rolePolicy],
    });

    this.arn = this.lambda.arn;
    for (const statement of this.accessStatements(props)) this.policy.add(statement);

    if (isEventBridgeInvoked(declaration, manifest.consumes)) {
      this.failureQueue = new DeadLetterQueue(this, 'failures', {
        name: stack.resourceName(`${functionName}-failures`, 80),
        keyArn: key.arn,
        env,
      });
      for (const statement of this.failureQueue.sendStatements('async failures')) this.policy.add(statement);
      const age = props.asyncEventAgeSeconds ?? ASYNC_EVENT_AGE_BOUNDS.max;
      this.eventInvokeConfig = new LambdaFunctionEventInvokeConfig(this, 'async', {
        functionName: this.lambda.functionName,
        maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
        maximumEventAgeInSeconds: Math.min(ASYNC_EVENT_AGE_BOUNDS.max, Math.max(ASYNC_EVENT_AGE_BOUNDS.min, age)),
        destinationConfig: { onFailure: { destination: this.failureQueue.arn } },
        // The role must be able to send to the queue when the config is saved.
        dependsOn: [rolePolicy],
      });
    }
  }


  /** Adds statements a trigger needs (e.g. reading a stream) to this function's role. */
  grant(...statements: PolicyStatement[]): void {
    for (const statement of statements) this.policy.add(statement);
  }

  /** Logs, traces, and exactly what `access` declares. */
  private accessStatements({ declaration, env, stack, tables, key, bus, datadog }: ServiceFunctionProps): PolicyStatement[] {
    const access = declaration.access ?? {};
    const statements: PolicyStatement[] = [
      {
        Sid: 'OwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`${this.logGroup.arn}:*`],
      },
      {
        // X-Ray has no resource-level permissions: "*" is the only resource it accepts.
        Sid: 'Tracing',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        Resource: ['*'],
      },
    ];

    const tableAccess = access.tables ?? [];
    for (const { table, mode } of tableAccess) {
      const arn = tables.get(table).arn;
      statements.push({
        Sid: sid(mode, table, 'table'),
        Effect: 'Allow',
        Action: [...(mode === 'write' ? TABLE_WRITE_ACTIONS : TABLE_READ_ACTIONS)],
        Resource: [arn],
      });
      // Indexes only answer queries; GetItem and writes never apply to them.
      statements.push({ Sid: sid('query', table, 'indexes'), Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`${arn}/index/*`] });
    }
    if (tableAccess.length > 0) {
      const writes = tableAccess.some(({ mode }) => mode === 'write');
      statements.push({
        Sid: 'TableKey',
        Effect: 'Allow',
        Action: writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        Resource: [key.arn],
        Condition: viaService(env, 'dynamodb'),
      });
    }

    const sources = [...new Set(access.publishesDirectly ?? [])];
    if (sources.length > 0) {
      statements.push({
        Sid: 'PublishDirectly',
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: [bus().busArn],
        // The manifest allows only the service's own source, so this is one value.
        Condition: { StringEquals: { 'events:source': sources.length === 1 ? (sources[0] as string) : sources } },
      });
    }

    const parameters = (access.parameters ?? []).map((name) => resolveParameterName(name, env.name));
    if (parameters.length > 0) {
      statements.push({
        Sid: 'ReadParameters',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters'],
        Resource: parameters.map((name) => ssmParameterArn(env, name)),
      });
      const paths = parameters.filter((name) => name.endsWith('/*')).map((name) => name.slice(0, -2));
      if (paths.length > 0) {
        statements.push({
          Sid: 'ReadParameterPaths',
          Effect: 'Allow',
          Action: ['ssm:GetParametersByPath'],
          Resource: paths.map((path) => ssmParameterArn(env, path)),
        });
      }
    }
    const streams = [...new Set(access.deliveryStreams ?? [])];
    if (streams.length > 0) {
      statements.push({
        Sid: 'PutDeliveryStreams',
        Effect: 'Allow',
        Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        // Named as the stack names them (`stack.resourceName(logicalName)`), so the grant needs no reference to the stream resource.
        Resource: streams.map((name) => deliveryStreamArn(env, stack.resourceName(name))),
      });
    }
    statements.push(...(datadog?.statements ?? []));
    return statements;
  }
}

export interface ServiceFunctionsProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  tables: ServiceTables;
  key: ServiceKey;
  bus: () => PlatformBusReference;
  bundlesDir: string;
  defaults: FunctionDefaults;
  /** Per function: the longest event age its subscriptions and schedules allow. */
  asyncEventAges: ReadonlyMap<string, number>;
  /** `DD_VERSION` when Datadog is on (see `deploymentVersion`). */
  version: string;
}

/** Every function of the manifest; fails first, listing every missing bundle. */
export class ServiceFunctions extends Construct {
  private readonly byName = new Map<string, ServiceFunction>();
  /** Shared by every function: one secret lookup per stack. Absent where the environment turns Datadog off. */
  readonly datadog?: DatadogInstrumentation;

  constructor(scope: Construct, id: string, props: ServiceFunctionsProps) {
    super(scope, id);
    const { manifest, env } = props;
    const archives = bundleArchives(props.bundlesDir, manifest.name, Object.keys(manifest.functions));
    if (env.datadog.enabled) {
      this.datadog = new DatadogInstrumentation(this, 'datadog', { env, config: env.datadog, service: manifest.name, version: props.version });
    }
    for (const [functionName, declaration] of Object.entries(manifest.functions)) {
      this.byName.set(
        functionName,
        new ServiceFunction(this, functionName, {
          ...props,
          functionName,
          declaration,
          bundleArchive: archives.get(functionName) as string,
          asyncEventAgeSeconds: props.asyncEventAges.get(functionName),
          datadog: this.datadog,
        }),
      );
    }
  }

  /** The function declared as `name`; throws naming the declared ones otherwise. */
  get(name: string): ServiceFunction {
    const fn = this.byName.get(name);
    if (!fn) throw new Error(`No function "${name}" in this service (declared: ${[...this.byName.keys()].join(', ') || 'none'})`);
    return fn;
  }

  get all(): ReadonlyMap<string, ServiceFunction> {
    return this.byName;
  }
}
