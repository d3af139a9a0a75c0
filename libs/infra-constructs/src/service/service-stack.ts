import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktn';
import { OPERATOR_SECRETS_OUTPUT, resolveParameterName, subscriptionDelivery } from '@kestrel/service-manifest';
import type { CognitoTrigger, ServiceManifest } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import { KestrelStack } from '../kestrel-stack';
import { PlatformBusReference } from '../platform-parameters';
import { CognitoTriggers } from './cognito-triggers';
import { deploymentVersion } from './datadog';
import { FUNCTION_DEFAULTS, ServiceFunctions } from './functions';
import type { FunctionDefaults } from './functions';
import { applyKestrelGuards } from './guards';
import { httpRoutes, ServiceHttpApi } from './http-api';
import type { JwtSettings } from './http-api';
import { OutboxPipes } from './outbox';
import { SCHEDULE_RETRY, scheduleTriggers, Schedules } from './schedules';
import { ServiceKey } from './service-key';
import { StreamTriggers } from './stream-triggers';
import { Subscriptions } from './subscriptions';
import { ServiceTables } from './tables';

export interface ServiceStackProps {
  /** The service's manifest (`apps/<context>/service.ts`). */
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  /** Folder holding one prebuilt bundle per function: `<bundlesDir>/<function>/index.mjs` (the `bundle` target writes `dist/bundles`). */
  bundlesDir: string;
  /** Memory and timeout for functions whose manifest entry doesn't set them. */
  functionDefaults?: Partial<FunctionDefaults>;
  /** JWT issuer and audience; default: the identity context's SSM parameters. */
  jwt?: JwtSettings;
  /** The user pool allowed to invoke Cognito triggers, when known up front (else `cognitoTriggers.allowUserPool`). */
  cognitoUserPoolArn?: string;
  /** What is deployed (`DD_VERSION`), e.g. the commit sha; default `KESTREL_VERSION`, else `unversioned`. */
  version?: string;
}

/** Per function: the longest event age among the rules that invoke it, which bounds its async retries too. */
function asyncEventAges(manifest: ServiceManifest): Map<string, number> {
  const ages = new Map<string, number>();
  const note = (functionName: string, seconds: number) => ages.set(functionName, Math.max(ages.get(functionName) ?? 0, seconds));
  for (const subscription of manifest.consumes) {
    // A queued subscription's rule targets its queue; the function is invoked synchronously by the mapping.
    if (subscriptionDelivery(subscription).kind === 'direct') note(subscription.target, subscription.retry.maximumEventAgeSeconds);
  }
  for (const schedule of scheduleTriggers(manifest)) note(schedule.functionName, SCHEDULE_RETRY.maximumEventAgeSeconds);
  return ages;
}

/**
 * A service's whole Terraform stack, derived from its manifest. Read the
 * constructor as the table of contents: the key, the tables, the functions
 * and the ways they are triggered (HTTP routes, subscriptions, schedules,
 * streams, Cognito), and the outbox pipes. Guards (cdktn Aspects) check the
 * result at synth.
 *
 * @example
 * ```ts
 * // apps/orders/infra/main.ts
 * const app = createKestrelApp();
 * for (const env of allEnvironments()) new ServiceStack(app, { manifest, env, bundlesDir: '../dist/bundles' });
 * app.synth();
 * ```
 */
export class ServiceStack extends KestrelStack {
  readonly manifest: ServiceManifest;
  readonly key: ServiceKey;
  readonly tables: ServiceTables;
  readonly functions: ServiceFunctions;
  readonly api?: ServiceHttpApi;
  readonly subscriptions: Subscriptions;
  readonly schedules: Schedules;
  readonly streams: StreamTriggers;
  readonly cognitoTriggers: CognitoTriggers;
  readonly outbox: OutboxPipes;
  private platformBus?: PlatformBusReference;

  constructor(scope: Construct, { manifest, env, bundlesDir, functionDefaults, jwt, cognitoUserPoolArn, version }: ServiceStackProps) {
    super(scope, { stackName: manifest.name, env, service: manifest.name, owner: manifest.owner.team });
    this.manifest = manifest;
    const bus = () => this.bus;

    this.key = new ServiceKey(this, 'key', { env, service: manifest.name, rulePrefix: `kestrel-${env.name}-${manifest.name}-` });
    this.tables = new ServiceTables(this, 'tables', { manifest, env, key: this.key, stack: this });
    this.functions = new ServiceFunctions(this, 'functions', {
      manifest,
      env,
      stack: this,
      tables: this.tables,
      key: this.key,
      bus,
      bundlesDir,
      defaults: { ...FUNCTION_DEFAULTS, ...functionDefaults },
      asyncEventAges: asyncEventAges(manifest),
      version: deploymentVersion(version),
    });
    const triggers = { manifest, env, stack: this, functions: this.functions, key: this.key };
    if (httpRoutes(manifest).length > 0) this.api = new ServiceHttpApi(this, 'http', { ...triggers, jwt });
    this.subscriptions = new Subscriptions(this, 'subscriptions', {
      ...triggers,
      bus,
      defaultTimeoutSeconds: functionDefaults?.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds,
    });
    this.schedules = new Schedules(this, 'schedules', triggers);
    this.streams = new StreamTriggers(this, 'streams', { ...triggers, tables: this.tables });
    this.cognitoTriggers = new CognitoTriggers(this, 'cognito', { manifest, functions: this.functions, userPoolArn: cognitoUserPoolArn });
    this.outbox = new OutboxPipes(this, 'outbox', { ...triggers, tables: this.tables, bus });

    if (this.api) new TerraformOutput(this, 'http-api-url', { value: this.api.url, description: `${manifest.name} HTTP API` });
    if (manifest.operatorSecrets?.length) {
      // Names only: the values are put by an operator (and, offline, generated by the local cloud), never by Terraform.
      new TerraformOutput(this, OPERATOR_SECRETS_OUTPUT, {
        value: manifest.operatorSecrets.map((secret) => resolveParameterName(secret.parameter, env.name)),
        description: 'SSM SecureStrings an operator creates by hand (base64 of >= 32 random bytes); never written or read by Terraform',
      });
    }
    applyKestrelGuards(this);
  }

  /** The platform bus, read from SSM the first time something needs it (subscribers, publishers, outboxes). */
  get bus(): PlatformBusReference {
    this.platformBus ??= new PlatformBusReference(this, 'platform-bus', { env: this.environment.name });
    return this.platformBus;
  }

  /** Function ARN per Cognito trigger, for the identity stack's user pool `lambda_config`. */
  get cognitoTriggerArns(): Partial<Record<CognitoTrigger, string>> {
    return this.cognitoTriggers.arns;
  }
}
