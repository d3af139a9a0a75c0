/**
 * The files of a new bounded context, as text. Each renders from the same
 * few names so the result passes lint, typecheck, test and synth as
 * generated; the README says what to replace first.
 */
export interface ServiceNames {
  /** kebab-case context name, e.g. `loyalty-points`. */
  name: string;
  /** PascalCase, e.g. `LoyaltyPoints`. */
  className: string;
  owner: string;
  description: string;
}

export function serviceNames(name: string, owner: string | undefined, description: string | undefined): ServiceNames {
  const className = name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  return {
    name,
    className,
    owner: owner ?? `${name}-team`,
    description: description ?? `The ${name} bounded context.`,
  };
}

export const STATUS_FUNCTION = 'http-get-status';

export function serviceFiles(n: ServiceNames): Record<string, string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'package.json': json({
      name: `@kestrel/${n.name}`,
      version: '0.0.0',
      private: true,
      type: 'module',
      description: n.description,
      exports: { '.': './service.ts' },
    }),
    'project.json': json({
      name: n.name,
      $schema: '../../node_modules/nx/schemas/project-schema.json',
      projectType: 'application',
      sourceRoot: `apps/${n.name}/src`,
      tags: [`scope:${n.name}`, 'type:service'],
      targets: {
        lint: {},
        typecheck: {},
        test: {},
        bundle: {
          executor: 'nx:run-commands',
          options: { command: 'tsx ../../tools/bundle/src/cli.ts --service .', cwd: '{projectRoot}' },
          inputs: ['production', '^production'],
          outputs: ['{projectRoot}/dist/bundles'],
          cache: true,
        },
        synth: { dependsOn: ['bundle'], options: { command: 'node ../../tools/bundle/bin/synth.mjs infra/main.ts', cwd: '{projectRoot}' } },
      },
    }),
    'tsconfig.json': json({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts', 'infra/**/*.ts', 'tests/**/*.ts', '*.ts'] }),
    'cdktf.json': json({
      language: 'typescript',
      app: 'node ../../tools/bundle/bin/synth.mjs infra/main.ts',
      output: 'cdktf.out',
      sendCrashReports: 'false',
      targetVersions: { terraform: '>=1.10.0', opentofu: '>=1.10.0' },
      terraformProviders: [],
      terraformModules: [],
      context: {},
    }),
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/infra/**/*.test.ts'],
  },
});
`,
    'service.ts': `/**
 * THE MANIFEST of the ${n.name} context: open this first. The stack in infra/
 * is derived from it (docs/conventions.md#the-service-manifest-servicets).
 */
import { defineService } from '@kestrel/service-manifest';

export default defineService({
  name: '${n.name}',
  description: ${JSON.stringify(n.description)},
  owner: { team: '${n.owner}' },
  functions: {
    '${STATUS_FUNCTION}': {
      description: 'Answers whether the ${n.name} service is up, for the caller and for smoke tests after a deploy.',
      handler: 'src/handlers/${STATUS_FUNCTION}.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/${n.name}/status', auth: 'jwt' }],
    },
  },
  tables: {},
  publishes: [],
  consumes: [],
});
`,
    'src/domain/status.ts': `/** What the status route reports. */
export interface ServiceStatus {
  service: string;
  status: 'ok';
  checkedAt: string;
}

/**
 * The service's status at a given time. Pure: the clock comes in as an argument.
 *
 * @example
 * \`\`\`ts
 * describeStatus('${n.name}', new Date('2026-01-01T00:00:00Z'));
 * // { service: '${n.name}', status: 'ok', checkedAt: '2026-01-01T00:00:00.000Z' }
 * \`\`\`
 */
export function describeStatus(service: string, now: Date): ServiceStatus {
  return { service, status: 'ok', checkedAt: now.toISOString() };
}
`,
    'src/adapters/http/routes.ts': `import { callerOf, httpRoute, type HttpRouteHandler } from '@kestrel/http-api';
import { describeStatus } from '../../domain/status';

/**
 * GET /${n.name}/status: the service's status for a signed-in caller (the JWT authorizer let the
 * request in; \`callerOf\` answers 401 if it carries no verified claims). \`httpRoute\` turns the
 * result into a JSON response and any error into an \`application/problem+json\` one.
 *
 * @example
 * \`\`\`ts
 * export const handler = withHttpObservability(getStatusRoute(), { service: '${n.name}', functionName: '${STATUS_FUNCTION}' });
 * \`\`\`
 */
export const getStatusRoute = (now: () => Date = () => new Date()): HttpRouteHandler =>
  httpRoute(async (event) => {
    callerOf(event);
    return { status: 200, body: describeStatus('${n.name}', now()) };
  });
`,
    [`src/handlers/${STATUS_FUNCTION}.ts`]: `import { withHttpObservability } from '@kestrel/observability';
import { getStatusRoute } from '../adapters/http/routes';

/** GET /${n.name}/status (JWT): structured logs, metrics and trace context from withHttpObservability. */
export const handler = withHttpObservability(getStatusRoute(), { service: '${n.name}', functionName: '${STATUS_FUNCTION}' });
`,
    'infra/main.ts': `// Synthesizes the ${n.name} stack for every environment:
// cdktf.out/stacks/${n.name}-<env>/cdk.tf.json (\`nx run ${n.name}:synth\` bundles first)
import { fileURLToPath } from 'node:url';
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { ${n.className}Stack } from './${n.name}.stack';

const bundlesDir = fileURLToPath(new URL('../dist/bundles', import.meta.url));
const app = createKestrelApp();
for (const env of allEnvironments()) {
  new ${n.className}Stack(app, { env, bundlesDir });
}
app.synth();
`,
    [`infra/${n.name}.stack.ts`]: `import type { Construct } from 'constructs';
import { ServiceStack } from '@kestrel/infra-constructs/service/service-stack';
import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import manifest from '../service';

export interface ${n.className}StackProps {
  env: EnvironmentConfig;
  /** \`dist/bundles\`, built by \`nx run ${n.name}:bundle\`. */
  bundlesDir: string;
}

/** ${n.name}-<env>: the stack derived from service.ts; add what the manifest cannot express here. */
export class ${n.className}Stack extends ServiceStack {
  constructor(scope: Construct, { env, bundlesDir }: ${n.className}StackProps) {
    super(scope, { manifest, env, bundlesDir });
  }
}
`,
    'tests/unit/status.test.ts': `import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { getStatusRoute } from '../../src/adapters/http/routes';
import { describeStatus } from '../../src/domain/status';
import { handler } from '../../src/handlers/${STATUS_FUNCTION}';

/** A payload 2.0 event as the JWT-authorised route delivers it (\`claims: null\`: no verified token). */
function statusRequest(claims: Record<string, string> | null): APIGatewayProxyEventV2WithJWTAuthorizer {
  return {
    version: '2.0',
    routeKey: 'GET /${n.name}/status',
    rawPath: '/${n.name}/status',
    rawQueryString: '',
    headers: { accept: 'application/json' },
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'GET', path: '/${n.name}/status', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'vitest' },
      requestId: 'request-1',
      routeKey: 'GET /${n.name}/status',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
      ...(claims === null ? {} : { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } } }),
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

const context = { awsRequestId: 'invocation-1', functionName: 'kestrel-staging-${n.name}-${STATUS_FUNCTION}', getRemainingTimeInMillis: () => 3000 } as unknown as Context;

describe('status', () => {
  it('reports the service as ok at the given time', () => {
    // act
    const status = describeStatus('${n.name}', new Date('2026-01-01T00:00:00Z'));

    // assess
    expect(status).toEqual({ service: '${n.name}', status: 'ok', checkedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('answers GET /${n.name}/status with JSON for a signed-in caller', async () => {
    // act
    const response = await getStatusRoute(() => new Date('2026-01-01T00:00:00Z'))(statusRequest({ sub: 'user-1' }));

    // assess
    expect(response).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
    expect(JSON.parse(response.body as string)).toEqual({ service: '${n.name}', status: 'ok', checkedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('answers 401 as a problem document when the request carries no verified token', async () => {
    // act
    const response = await getStatusRoute()(statusRequest(null));

    // assess
    expect(response).toMatchObject({ statusCode: 401, headers: { 'content-type': 'application/problem+json' } });
    expect(JSON.parse(response.body as string)).toMatchObject({ type: 'urn:kestrel:problem:unauthenticated', status: 401 });
  });

  it('is wrapped by withObservability: the answer carries the correlation id', async () => {
    // act
    const response = await handler(statusRequest({ sub: 'user-1' }), context);

    // assess
    expect(response).toMatchObject({ statusCode: 200, headers: { 'x-correlation-id': expect.any(String) } });
  });
});
`,
    [`tests/infra/${n.name}.stack.test.ts`]: `import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { backendOf, onlyResourceOfType, resourcesOfType, synthStack, testApp } from '@kestrel/infra-constructs/testing';
import { ${n.className}Stack } from '../../infra/${n.name}.stack';
import manifest from '../../service';

/** Stand-in bundles (synth only zips and hashes them), so these tests never need \`nx run ${n.name}:bundle\`. */
function stubBundles(): string {
  const dir = join(tmpdir(), \`${n.name}-stub-bundles-\${process.pid}\`);
  for (const name of Object.keys(manifest.functions)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async () => ({});\\n');
  }
  return dir;
}

describe.each(ENVIRONMENT_NAMES)('${n.name} stack (%s)', (env) => {
  const json = synthStack(new ${n.className}Stack(testApp(), { env: environment(env), bundlesDir: stubBundles() }));

  it('keeps its state at <env>/${n.name}/terraform.tfstate with S3 lock files', () => {
    // assess
    expect(backendOf(json, 's3')).toMatchObject({ key: \`\${env}/${n.name}/terraform.tfstate\`, use_lockfile: true });
  });

  it('deploys one function per manifest entry, named kestrel-<env>-${n.name}-<function>', () => {
    // assess
    expect(resourcesOfType(json, 'aws_lambda_function').map((fn) => fn.values.function_name)).toEqual(
      Object.keys(manifest.functions).map((name) => \`kestrel-\${env}-${n.name}-\${name}\`),
    );
  });

  it('routes GET /${n.name}/status behind the JWT authorizer', () => {
    // assess
    const route = onlyResourceOfType(json, 'aws_apigatewayv2_route');
    expect(route.values).toMatchObject({ route_key: 'GET /${n.name}/status', authorization_type: 'JWT' });
  });
});
`,
    'README.md': `# ${n.name}

${n.description}

Owner: **${n.owner}** (\`.github/CODEOWNERS\`). Open [\`service.ts\`](service.ts) first: it declares the functions, their triggers, tables and events, and the stack in [\`infra/\`](infra/) is derived from it.

| route | function | what |
| --- | --- | --- |
| \`GET /${n.name}/status\` (JWT) | \`${STATUS_FUNCTION}\` | the service's status (\`src/adapters/http/routes.ts\`: \`@kestrel/http-api\`'s \`httpRoute\`, wrapped by \`withHttpObservability\` in the handler, like every Kestrel service) |

## Commands

| task | command |
| --- | --- |
| lint, typecheck, test | \`npx nx run-many -p ${n.name} -t lint typecheck test\` |
| bundle + synthesize \`${n.name}-staging\` and \`${n.name}-production\` | \`npx nx run ${n.name}:synth\` |

## From here to production

1. Replace the status function with the first real use case: domain rules in \`src/domain\`, a thin handler in \`src/handlers\`, declared in \`service.ts\`.
2. Add the events it publishes to \`libs/contracts\` ([events](../../docs/events.md)) and run \`npx nx run contracts:export-schemas\`.
3. Ask the platform team to re-apply \`infra/bootstrap\` in each account (it creates \`kestrel-<env>-${n.name}-plan\`, \`-deploy\` and \`-boundary\`, the permissions boundary every role of the stack carries) and to create the GitHub environments \`${n.name}-staging\` and \`${n.name}-production\` (required reviewers on production).
4. Open a pull request: CI plans \`${n.name}\` in both environments; merging deploys it through \`.github/workflows/deploy-${n.name}.yml\` ([delivery](../../docs/delivery.md)).
`,
  };
}
