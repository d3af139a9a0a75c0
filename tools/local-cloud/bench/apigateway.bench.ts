/**
 * HTTP API overhead of the local cloud: what a request costs between the
 * client and the function, without the function's own time. The route's
 * integration is an in-process Lambda that answers at once, so the figures
 * are listener + stage/route selection + JWT verification + payload 2.0
 * event + response mapping, over loopback with keep-alive `fetch`.
 *
 * Scenarios, each `--requests` sequential requests after a warm-up, then the
 * same with 8 in flight for throughput:
 * - `public`: `GET /health`, no authorizer;
 * - `jwt`: `GET /customers/{customerId}` with a JWT authorizer (RS256,
 *   JWKS cached after the first request), the common case for our services.
 * Also, for scale: the same public route invoking a real warm local Lambda
 * function (a child process), which shows what the Lambda hop adds.
 *
 * Writes `bench-results/apigateway.json`.
 * Run: `npx tsx bench/apigateway.bench.ts [--requests 2000]` from tools/local-cloud.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { zipSync } from 'fflate';
import { startEdgeServer } from '../src/edge/server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, type InvokeResult, type LambdaInvoker, type LocalCloudContext, type LocalServiceModule, type ResolvedResource } from '../src/core/types';
import { apiGatewayModuleFactory, type ApiGatewayModule } from '../src/services/apigateway';
import { createLambdaModule, type LambdaModule } from '../src/services/lambda';
import { argument, percentiles, writeBenchResult } from './support';

const REQUESTS = argument('requests', 2000);
const CONCURRENCY = 8;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };

function token(issuer: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', kid: 'bench', typ: 'JWT' })}.${part({ iss: issuer, sub: 'u-1', client_id: 'bench-client', token_use: 'access', scope: 'customers/read', iat: now, exp: now + 3600, 'cognito:groups': ['admins'] })}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

/** Answers at once, so only the API Gateway emulation is timed. */
const instantLambda: LambdaInvoker = {
  async invoke(): Promise<InvokeResult> {
    return { statusCode: 200, payload: { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' } };
  },
  functionExists: () => true,
};

async function measure(url: string, init: RequestInit): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) await (await fetch(url, init)).arrayBuffer();
  const latencies: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await fetch(url, init);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  }
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (done < REQUESTS) {
        done++;
        await (await fetch(url, init)).arrayBuffer();
      }
    }),
  );
  const throughput = Math.round(REQUESTS / ((performance.now() - started) / 1000));
  return { sequentialLatencyMs: percentiles(latencies, 3), requestsPerSecondAt8InFlight: throughput };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'apigateway-bench-'));
  const stackDir = mkdtempSync(join(tmpdir(), 'apigateway-bench-stack-'));
  mkdirSync(join(stackDir, 'assets', 'fn'), { recursive: true });
  writeFileSync(join(stackDir, 'assets', 'fn', 'archive.zip'), zipSync({ 'index.mjs': new TextEncoder().encode("export const handler = async () => ({ statusCode: 200, body: '{\"ok\":true}' });\n") }));
  const edge = await startEdgeServer({ port: 0 });
  let useRealLambda = false;
  const holder: { lambda?: LambdaModule } = {};
  const context: LocalCloudContext = {
    accountId: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    endpoint: edge.endpoint,
    dataDir,
    inMemory: true,
    peers: {
      lambda: () => (useRealLambda && holder.lambda ? holder.lambda.provides.lambda : instantLambda),
      sqs: () => {
        throw new Error('no sqs');
      },
      events: () => {
        throw new Error('no events');
      },
      firehose: () => {
        throw new Error('no firehose');
      },
    },
    log: () => undefined,
  };
  const apigateway = apiGatewayModuleFactory({ fetchJwks: async () => new TextEncoder().encode(JSON.stringify({ keys: [jwk] })).buffer as ArrayBuffer })(context) as ApiGatewayModule;
  const lambdaModule = createLambdaModule(context) as LambdaModule;
  holder.lambda = lambdaModule;
  const modules: LocalServiceModule[] = [lambdaModule, apigateway];
  for (const module of modules) await module.start?.();
  edge.setModules(modules);
  const apply = (type: string, name: string, config: Record<string, unknown>) => {
    const resource: ResolvedResource = { stack: 'bench', type, name, address: `${type}.${name}`, config, stackDir };
    const provisioner = modules.flatMap((module) => module.provisioners).find((candidate) => candidate.type === type);
    if (!provisioner) throw new Error(`no provisioner for ${type}`);
    return provisioner.apply(resource);
  };
  const fn = await apply('aws_lambda_function', 'fn', { function_name: 'bench-fn', handler: 'index.handler', runtime: 'nodejs24.x', filename: 'assets/fn/archive.zip', role: 'arn:aws:iam::000000000000:role/x' });
  const api = await apply('aws_apigatewayv2_api', 'api', { name: 'bench', protocol_type: 'HTTP' });
  await apply('aws_lambda_permission', 'p', { statement_id: 'api', action: 'lambda:InvokeFunction', function_name: 'bench-fn', principal: 'apigateway.amazonaws.com', source_arn: `${api.execution_arn}/*/*` });
  await apply('aws_apigatewayv2_stage', 's', { api_id: api.id, name: '$default', auto_deploy: true });
  const integration = await apply('aws_apigatewayv2_integration', 'i', { api_id: api.id, integration_type: 'AWS_PROXY', integration_uri: fn.arn, payload_format_version: '2.0' });
  const authorizer = await apply('aws_apigatewayv2_authorizer', 'a', {
    api_id: api.id,
    name: 'jwt',
    authorizer_type: 'JWT',
    identity_sources: ['$request.header.Authorization'],
    jwt_configuration: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Bench', audience: ['bench-client'] },
  });
  await apply('aws_apigatewayv2_route', 'public', { api_id: api.id, route_key: 'GET /health', target: `integrations/${integration.id}` });
  await apply('aws_apigatewayv2_route', 'jwt', { api_id: api.id, route_key: 'GET /customers/{customerId}', target: `integrations/${integration.id}`, authorization_type: 'JWT', authorizer_id: authorizer.id });
  const url = api.api_endpoint as string;
  const bearer = `Bearer ${token(`${edge.endpoint}/eu-west-1_Bench`)}`;

  const results: Record<string, unknown> = {
    public: await measure(`${url}/health`, {}),
    jwt: await measure(`${url}/customers/c-1?expand=orders`, { headers: { authorization: bearer } }),
  };
  useRealLambda = true;
  results.publicWithRealWarmLambda = await measure(`${url}/health`, {});
  for (const [name, result] of Object.entries(results)) console.log(name, result);

  for (const module of [...modules].reverse()) await module.stop();
  await edge.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(stackDir, { recursive: true, force: true });

  const file = writeBenchResult('apigateway', {
    benchmark: 'apigateway-http-api-overhead',
    setup: {
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      path: "fetch (keep-alive) → the module's listener → route → [JWT] → payload 2.0 → in-process Lambda stub that answers at once → response mapping",
      note: 'public and jwt exclude handler time (the stub does no work); publicWithRealWarmLambda adds the hop to a warm local function process',
    },
    results,
  });
  console.log(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
