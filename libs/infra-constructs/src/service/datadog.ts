import { Construct } from 'constructs';
import { DataAwsSecretsmanagerSecret } from '@cdktn/provider-aws/lib/data-aws-secretsmanager-secret';
import type { DatadogConfig, EnvironmentConfig } from '../environments';
import type { PolicyStatement } from './iam';

/** The AWS account that publishes Datadog's public Lambda layers (commercial partitions). */
export const DATADOG_LAYER_ACCOUNT = '464622532012';

/**
 * The handler Datadog's Node library layer provides (`/opt` is where Lambda unpacks layers):
 * it loads the function's own handler from `DD_LAMBDA_HANDLER` and wraps it with the tracer.
 */
export const DATADOG_REDIRECT_HANDLER = '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler';

/** What `DD_VERSION` says when nothing names the deployed commit (local synths, tests). */
export const UNVERSIONED = 'unversioned';

// Datadog tag values: letters, digits and a few separators; a git sha or a semver fits.
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/**
 * The version every function reports as `DD_VERSION`: the stack's `version`
 * prop, else `KESTREL_VERSION` (meant for the deploy workflow to set to the commit sha), else
 * {@link UNVERSIONED}. A value Datadog could not use as a tag is an error.
 *
 * @example
 * ```ts
 * deploymentVersion(undefined, { KESTREL_VERSION: '3f9ff8e' }); // '3f9ff8e'
 * deploymentVersion(undefined, {});                               // 'unversioned'
 * ```
 */
export function deploymentVersion(version?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = version ?? (env.KESTREL_VERSION?.trim() || UNVERSIONED);
  if (!VERSION.test(chosen)) {
    throw new Error(
      `Invalid deployment version ${JSON.stringify(chosen)} (${version !== undefined ? 'version prop' : 'KESTREL_VERSION'}): must be 1-200 letters, digits or ._:/- starting with a letter or digit`,
    );
  }
  return chosen;
}

/**
 * The two layers, for an arm64 Node.js 24 function. Only the extension has an
 * `-ARM` variant: the Node library layer is plain JavaScript, one layer for
 * both architectures.
 *
 * @example
 * ```ts
 * datadogLayerArns('eu-west-1', { extensionLayerVersion: 103, nodeLayerVersion: 143 });
 * // ['arn:aws:lambda:eu-west-1:464622532012:layer:Datadog-Extension-ARM:103',
 * //  'arn:aws:lambda:eu-west-1:464622532012:layer:Datadog-Node24-x:143']
 * ```
 */
export function datadogLayerArns(region: string, versions: { extensionLayerVersion: number; nodeLayerVersion: number }): string[] {
  const layer = (name: string, version: number) => `arn:aws:lambda:${region}:${DATADOG_LAYER_ACCOUNT}:layer:${name}:${version}`;
  return [layer('Datadog-Extension-ARM', versions.extensionLayerVersion), layer('Datadog-Node24-x', versions.nodeLayerVersion)];
}

export interface DatadogInstrumentationProps {
  env: EnvironmentConfig;
  config: Extract<DatadogConfig, { enabled: true }>;
  /** The service name (`DD_SERVICE`), the same as the `service` tag and the monitors' scope. */
  service: string;
  /** `DD_VERSION`; see {@link deploymentVersion}. */
  version: string;
}

/**
 * Datadog for a stack's functions, created once per stack: the API key
 * secret looked up by name (so a plan fails when the secret is missing, instead
 * of the extension crashing the function at its first cold start), and what each
 * function then gets — the extension and Node library layers, the `DD_*`
 * variables, and read access to exactly that secret.
 *
 * Tracing uses Datadog's handler redirect (their "custom installation" for Node.js): the
 * function's handler becomes {@link DATADOG_REDIRECT_HANDLER}, the Node library layer's
 * `handler.mjs`, which starts dd-trace (`DD_TRACE_ENABLED`), imports our bundle's handler named by
 * `DD_LAMBDA_HANDLER` (it loads `.mjs` with `import()`, so our ESM `index.mjs` bundles work)
 * and wraps it in `datadog()`. Our `withObservability` still runs inside that wrapper: its metrics
 * are `kestrel.handler.*`, not the extension's `aws.lambda.enhanced.*`, so nothing is counted
 * twice. The local cloud loads no layers; it runs `DD_LAMBDA_HANDLER` from the bundle instead.
 *
 * @example
 * ```ts
 * const datadog = new DatadogInstrumentation(stack, 'datadog', { env, config: env.datadog, service: 'orders', version: 'abc123' });
 * const { handler, variables } = datadog.redirect('index.handler');
 * new LambdaFunction(fn, 'function', { ..., handler, layers: datadog.layers, environment: { variables: { ...datadog.variables, ...variables } } });
 * for (const statement of datadog.statements) policy.add(statement);
 * ```
 */
export class DatadogInstrumentation extends Construct {
  readonly layers: string[];
  readonly variables: Readonly<Record<string, string>>;
  readonly statements: readonly PolicyStatement[];
  /** The ARN of the API key secret (a reference to the data source, never its value). */
  readonly apiKeySecretArn: string;

  constructor(scope: Construct, id: string, { env, config, service, version }: DatadogInstrumentationProps) {
    super(scope, id);
    const secret = new DataAwsSecretsmanagerSecret(this, 'api-key', { name: config.apiKeySecretName });
    this.apiKeySecretArn = secret.arn;
    this.layers = datadogLayerArns(env.region, config);
    this.variables = Object.freeze({
      DD_SERVICE: service,
      DD_ENV: env.name,
      DD_VERSION: version,
      DD_SITE: config.site,
      // The extension reads the key itself at start-up; the key never sits in the function configuration.
      DD_API_KEY_SECRET_ARN: secret.arn,
      // The extension ships function logs (with our JSON lines); the redirect handler starts dd-trace.
      DD_SERVERLESS_LOGS_ENABLED: 'true',
      DD_TRACE_ENABLED: 'true',
      // Functions also trace with X-Ray (active tracing): the library merges those segments into its trace.
      DD_MERGE_XRAY_TRACES: 'true',
      // Our JSON lines carry dd.trace_id themselves; the library's console patch would prefix
      // "[dd.trace_id=…]" to console output and break one-JSON-object-per-line.
      DD_LOGS_INJECTION: 'false',
      // Events carry personal data; never copy request/response payloads into spans.
      DD_CAPTURE_LAMBDA_PAYLOAD: 'false',
    });
    const statements: PolicyStatement[] = [{ Sid: 'DatadogApiKey', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secret.arn] }];
    if (config.apiKeyKmsKeyArn !== undefined) {
      statements.push({
        Sid: 'DatadogApiKeyDecrypt',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [config.apiKeyKmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${env.region}.amazonaws.com` } },
      });
    }
    this.statements = Object.freeze(statements);
  }

  /**
   * What a function with handler `handler` (`file.export` in its bundle) sets instead so that
   * Datadog's library wraps it: the layer's redirect handler, and `DD_LAMBDA_HANDLER` naming ours.
   *
   * @example
   * ```ts
   * datadog.redirect('index.handler');
   * // { handler: '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler', variables: { DD_LAMBDA_HANDLER: 'index.handler' } }
   * ```
   */
  redirect(handler: string): { handler: string; variables: Readonly<Record<string, string>> } {
    if (handler.startsWith('/') || !/^[\w./-]+\.[A-Za-z_$][\w$]*$/.test(handler)) {
      throw new Error(`Invalid handler ${JSON.stringify(handler)}: must be a file in the bundle and its export, e.g. 'index.handler'`);
    }
    return { handler: DATADOG_REDIRECT_HANDLER, variables: Object.freeze({ DD_LAMBDA_HANDLER: handler }) };
  }
}
