import { TerraformStack, Testing } from 'cdktn';
import { describe, expect, it } from 'vitest';
import type { EnvironmentConfig, EnvironmentName } from '../../src/environments';
import { environment, parseEnvironment } from '../../src/environments';
import { DATADOG, environmentInputs } from '../../src/environments.config';
import { DATADOG_REDIRECT_HANDLER, DatadogInstrumentation, datadogLayerArns, deploymentVersion, UNVERSIONED } from '../../src/service/datadog';
import { ServiceStack } from '../../src/service/service-stack';
import type { ServiceStackProps } from '../../src/service/service-stack';
import { dataSourcesOfType, reference, resourcesOfType, synthStack, testApp } from '../../src/testing';
import type { SynthesizedStack } from '../../src/testing';
import { fixtureBundles } from './fixtures/bundles';
import { ordersManifest } from './fixtures/orders-manifest';
import { policyOfRole, USER_POOL_ARN } from './fixtures/orders-stack';

type Variables = Record<string, string>;

/** An environment's configuration with its Datadog settings replaced. */
function withDatadog(name: EnvironmentName, datadog: unknown): EnvironmentConfig {
  return parseEnvironment(name, { ...environmentInputs[name], datadog });
}

/** The fixture `orders` stack, synthesized; `text` is the whole cdk.tf.json as Terraform would read it. */
function synth(env: EnvironmentConfig, props: Partial<ServiceStackProps> = {}): { json: SynthesizedStack; text: string } {
  const stack = new ServiceStack(testApp(), { manifest: ordersManifest, env, bundlesDir: fixtureBundles(ordersManifest), cognitoUserPoolArn: USER_POOL_ARN, ...props });
  return { json: synthStack(stack), text: Testing.synth(stack, true) };
}

const functions = (json: SynthesizedStack) => resourcesOfType(json, 'aws_lambda_function').map((f) => f.values);
const variablesOf = (fn: Record<string, unknown>) => (fn.environment as { variables: Variables }).variables;
const secretLookups = (json: SynthesizedStack) => dataSourcesOfType(json, 'aws_secretsmanager_secret');
const roleName = (fn: Record<string, unknown>) => String(fn.function_name);

describe('Datadog on every function, where the environment turns it on', () => {
  // Staging with Datadog on whatever its default (staging's default waits for the local cloud; see environments.config.ts).
  const staging = withDatadog('staging', DATADOG);
  const { json, text } = synth(staging, { version: '3f9ff8e' });
  const secretArn = reference(secretLookups(json)[0]?.address ?? 'missing', 'arn');

  it('is on in production, and wherever else it is on it uses the same settings and pinned layers', () => {
    // act
    const configs = [environment('staging'), environment('production')].map((env) => env.datadog);

    // assess
    expect(environment('production').datadog).toEqual({ ...DATADOG });
    expect(DATADOG).toMatchObject({ enabled: true, site: 'datadoghq.eu', apiKeySecretName: 'kestrel/datadog/api-key' });
    for (const config of configs.filter((c) => c.enabled)) expect(config).toEqual({ ...DATADOG });
  });

  it('looks the API key secret up once per stack, by name', () => {
    // act
    const lookups = secretLookups(json);

    // assess
    expect(lookups.map((lookup) => lookup.values)).toEqual([{ name: 'kestrel/datadog/api-key' }]);
  });

  it('attaches the arm64 extension layer and the Node.js 22 library layer, pinned, and starts the library layer\'s redirect handler', () => {
    // act
    const all = functions(json);

    // assess
    expect(all.length).toBe(Object.keys(ordersManifest.functions).length);
    for (const fn of all) {
      expect(fn.layers).toEqual([
        `arn:aws:lambda:eu-west-1:464622532012:layer:Datadog-Extension-ARM:${DATADOG.extensionLayerVersion}`,
        `arn:aws:lambda:eu-west-1:464622532012:layer:Datadog-Node24-x:${DATADOG.nodeLayerVersion}`,
      ]);
      expect(fn).toMatchObject({ handler: '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler', architectures: ['arm64'], runtime: 'nodejs24.x' });
    }
  });

  it('names service, environment, version and site, and points at the secret by ARN', () => {
    // act
    const all = functions(json).map(variablesOf);

    // assess
    for (const variables of all) {
      expect(variables).toMatchObject({
        DD_SERVICE: 'orders',
        DD_ENV: 'staging',
        DD_VERSION: '3f9ff8e',
        DD_SITE: 'datadoghq.eu',
        DD_API_KEY_SECRET_ARN: secretArn,
        DD_SERVERLESS_LOGS_ENABLED: 'true',
        DD_TRACE_ENABLED: 'true',
        DD_MERGE_XRAY_TRACES: 'true',
        DD_LOGS_INJECTION: 'false',
        DD_CAPTURE_LAMBDA_PAYLOAD: 'false',
      });
    }
  });

  it('hands the bundle\'s own handler to the redirect as DD_LAMBDA_HANDLER', () => {
    // act
    const all = functions(json);

    // assess
    for (const fn of all) {
      expect(fn.handler, roleName(fn)).toBe(DATADOG_REDIRECT_HANDLER);
      expect(variablesOf(fn).DD_LAMBDA_HANDLER, roleName(fn)).toBe('index.handler');
    }
  });

  it('lets each function read exactly that secret, and nothing else of Secrets Manager', () => {
    for (const fn of functions(json)) {
      // act
      const statements = policyOfRole(json, roleName(fn)).Statement.filter((s) => s.Action.some((action) => action.startsWith('secretsmanager:')));

      // assess
      expect(statements, roleName(fn)).toEqual([{ Sid: 'DatadogApiKey', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] }]);
    }
  });

  it('puts no API key anywhere in the synthesized Terraform: no DD_API_KEY, no secret version, no key-shaped value', () => {
    // act
    const variableNames = functions(json).flatMap((fn) => Object.keys(variablesOf(fn)));

    // assess
    expect(variableNames.filter((name) => name.startsWith('DD_API_KEY') || name === 'DD_KMS_API_KEY')).toEqual(variableNames.filter((name) => name === 'DD_API_KEY_SECRET_ARN'));
    expect(text).not.toMatch(/"DD_API_KEY"|DD_API_KEY=|DD_KMS_API_KEY/);
    expect(text).not.toMatch(/secretsmanager_secret_version|secret_string|secret_binary/);
    // Datadog API keys are 32 lower-case hex characters.
    expect(text).not.toMatch(/(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])/);
    expect(JSON.stringify(json.output ?? {})).not.toContain('aws_secretsmanager_secret');
  });

  it('grants kms:Decrypt through Secrets Manager only when the secret uses a customer managed key', () => {
    // prepare
    const keyArn = 'arn:aws:kms:eu-west-1:111111111111:key/0b5e8f0e-1111-4222-8333-944445555666';
    const env = withDatadog('staging', { ...DATADOG, apiKeyKmsKeyArn: keyArn });

    // act
    const { json: withKey } = synth(env);
    const decrypts = functions(withKey).map((fn) => policyOfRole(withKey, roleName(fn)).Statement.find((s) => s.Sid === 'DatadogApiKeyDecrypt'));
    const without = functions(json).map((fn) => policyOfRole(json, roleName(fn)).Statement.find((s) => s.Sid === 'DatadogApiKeyDecrypt'));

    // assess
    for (const statement of decrypts) {
      expect(statement).toEqual({
        Sid: 'DatadogApiKeyDecrypt',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [keyArn],
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      });
    }
    expect(without.every((statement) => statement === undefined)).toBe(true);
  });

  it('reports production as DD_ENV=production', () => {
    // act
    const { json: production } = synth(environment('production'), { version: '3f9ff8e' });

    // assess
    for (const fn of functions(production)) expect(variablesOf(fn)).toMatchObject({ DD_ENV: 'production', DD_SERVICE: 'orders' });
  });
});

describe('Datadog switched off for an environment', () => {
  const { json, text } = synth(withDatadog('staging', { enabled: false }));

  it('adds no layer, no DD_ variable, no secret lookup and no Secrets Manager permission', () => {
    // act
    const all = functions(json);

    // assess
    expect(all.length).toBe(Object.keys(ordersManifest.functions).length);
    for (const fn of all) {
      expect(fn).not.toHaveProperty('layers');
      expect(fn.handler).toBe('index.handler');
      expect(Object.keys(variablesOf(fn)).filter((name) => name.startsWith('DD_'))).toEqual([]);
      expect(policyOfRole(json, roleName(fn)).Statement.filter((s) => s.Sid.startsWith('Datadog'))).toEqual([]);
    }
    expect(secretLookups(json)).toEqual([]);
    expect(text).not.toContain('secretsmanager');
  });

  it('is what an environment gets when its configuration says nothing about Datadog', () => {
    // prepare
    const { datadog: _omitted, ...input } = environmentInputs.staging ?? {};

    // act
    const config = parseEnvironment('staging', input);

    // assess
    expect(config.datadog).toEqual({ enabled: false });
  });
});

describe('Datadog configuration errors', () => {
  it('names every missing or invalid field when Datadog is on', () => {
    // prepare
    const input = { ...environmentInputs.staging, datadog: { enabled: true, site: 'datadog.example', extensionLayerVersion: 0, apiKeySecretName: 'has spaces' } };

    // act
    const parse = () => parseEnvironment('staging', input);

    // assess
    expect(parse).toThrowError(/staging\.datadog\.site: must be a Datadog site/);
    expect(parse).toThrowError(/staging\.datadog\.extensionLayerVersion: /);
    expect(parse).toThrowError(/staging\.datadog\.nodeLayerVersion: /);
    expect(parse).toThrowError(/staging\.datadog\.apiKeySecretName: must be a Secrets Manager secret name/);
  });

  it('refuses settings that only make sense when on, when off', () => {
    // prepare
    const input = { ...environmentInputs.staging, datadog: { enabled: false, site: 'datadoghq.eu' } };

    // act / assess
    expect(() => parseEnvironment('staging', input)).toThrowError(/staging\.datadog.*site/);
  });
});

describe('deploymentVersion', () => {
  it('prefers the stack prop, then KESTREL_VERSION, then says it is unversioned', () => {
    // act / assess
    expect(deploymentVersion('v1.2.3', { KESTREL_VERSION: 'abc123' })).toBe('v1.2.3');
    expect(deploymentVersion(undefined, { KESTREL_VERSION: 'abc123' })).toBe('abc123');
    expect(deploymentVersion(undefined, { KESTREL_VERSION: '  ' })).toBe(UNVERSIONED);
    expect(deploymentVersion(undefined, {})).toBe(UNVERSIONED);
  });

  it('rejects a value Datadog could not use as a tag, naming where it came from', () => {
    // act / assess
    expect(() => deploymentVersion(undefined, { KESTREL_VERSION: 'main branch' })).toThrowError(/"main branch" \(KESTREL_VERSION\)/);
    expect(() => deploymentVersion('-x', {})).toThrowError(/"-x" \(version prop\)/);
  });
});

describe('DatadogInstrumentation.redirect', () => {
  const datadog = new DatadogInstrumentation(new TerraformStack(testApp(), 'redirect'), 'datadog', { env: withDatadog('staging', DATADOG), config: DATADOG, service: 'orders', version: UNVERSIONED });

  it('points the function at the library layer\'s handler and names the bundle handler in DD_LAMBDA_HANDLER', () => {
    // act
    const redirect = datadog.redirect('handlers/orders.handler');

    // assess
    expect(redirect).toEqual({ handler: '/opt/nodejs/node_modules/datadog-lambda-js/handler.handler', variables: { DD_LAMBDA_HANDLER: 'handlers/orders.handler' } });
  });

  it('refuses a handler that is not a file and export in the bundle', () => {
    // act / assess
    expect(() => datadog.redirect('/opt/nodejs/other.handler')).toThrowError(/Invalid handler "\/opt\/nodejs\/other.handler": must be a file in the bundle and its export/);
    expect(() => datadog.redirect('index')).toThrowError(/Invalid handler "index"/);
  });
});

describe('datadogLayerArns', () => {
  it('uses the -ARM extension and the architecture-independent Node library layer in the given region', () => {
    // act
    const arns = datadogLayerArns('us-east-1', { extensionLayerVersion: 7, nodeLayerVersion: 9 });

    // assess
    expect(arns).toEqual(['arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Extension-ARM:7', 'arn:aws:lambda:us-east-1:464622532012:layer:Datadog-Node24-x:9']);
  });
});
