import { describe, expect, it } from 'vitest';
import { Aspects } from 'cdktn';
import { defineService } from '@kestrel/service-manifest';
import { environment } from '../../src/environments';
import { MissingBundleError } from '../../src/service/bundles';
import { StackGuard } from '../../src/service/guards';
import { ServiceStack } from '../../src/service/service-stack';
import { backendOf, dataSourcesOfType, onlyResourceOfType, providersOf, resourcesOfType, synthStack, testApp } from '../../src/testing';
import { fixtureBundles } from './fixtures/bundles';
import { ordersManifest } from './fixtures/orders-manifest';

/** A service with one table and one private HTTP route: no bus, no rules, no Cognito. */
const catalogManifest = defineService({
  name: 'catalog',
  description: 'Products and stores, read over HTTP.',
  owner: { team: 'team-catalog' },
  functions: {
    'http-list-products': {
      description: 'Lists the products of a store.',
      handler: 'src/handlers/http-list-products.ts',
      triggers: [{ kind: 'http', method: 'GET', path: '/stores/{storeId}/products', auth: 'jwt' }],
      access: { tables: [{ table: 'catalog', mode: 'read' }] },
    },
  },
  tables: { catalog: { description: 'Stores and their products.', globalIndexes: [], stream: false, ttl: false } },
  publishes: [],
  consumes: [],
});

/** Only a Cognito trigger. */
const identityManifest = defineService({
  name: 'identity',
  description: 'Sign-up and sign-in through Cognito.',
  owner: { team: 'team-identity' },
  functions: {
    'cognito-post-confirmation': {
      description: 'Announces a confirmed registration.',
      handler: 'src/handlers/cognito-post-confirmation.ts',
      triggers: [{ kind: 'cognito', trigger: 'PostConfirmation' }],
    },
  },
  tables: {},
  publishes: [],
  consumes: [],
});

describe('ServiceStack', () => {
  it('is the stack <service>-<env> with its own state key and the service/owner tags', () => {
    // act
    const stack = new ServiceStack(testApp(), {
      manifest: catalogManifest,
      env: environment('production'),
      bundlesDir: fixtureBundles(catalogManifest),
      jwt: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test', audience: ['client-a'] },
    });
    const json = synthStack(stack);

    // assess
    expect(stack.node.id).toBe('catalog-production');
    expect(backendOf(json, 's3').key).toBe('production/catalog/terraform.tfstate');
    expect(providersOf(json, 'aws')[0]?.default_tags).toEqual([{ tags: { service: 'catalog', owner: 'team-catalog', env: 'production', 'managed-by': 'cdktn' } }]);
    // No subscriptions, publishers or outboxes: the platform bus is never read.
    expect(dataSourcesOfType(json, 'aws_ssm_parameter')).toEqual([]);
    expect(resourcesOfType(json, 'aws_cloudwatch_event_rule')).toEqual([]);
    // Explicit JWT settings replace the identity context's parameters.
    expect(onlyResourceOfType(json, 'aws_apigatewayv2_authorizer').values.jwt_configuration).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test',
      audience: ['client-a'],
    });
  });

  it('adds every Kestrel guard as an aspect', () => {
    // act
    const stack = new ServiceStack(testApp(), { manifest: catalogManifest, env: environment('staging'), bundlesDir: fixtureBundles(catalogManifest) });

    // assess
    expect(Aspects.of(stack).all.filter((aspect) => aspect instanceof StackGuard).map((guard) => (guard as StackGuard).name)).toEqual([
      'eventbridge-invoked-function-has-on-failure-destination',
      'put-events-conditioned-on-source',
      'rule-target-has-dlq-and-retry-policy',
      'queues-and-tables-encrypted',
      'no-wildcard-resources-for-data-actions',
      'role-has-service-boundary',
    ]);
  });

  it('fails when a bundle is missing, naming each function and the command that builds them', () => {
    // prepare
    const bundlesDir = fixtureBundles(ordersManifest, { skip: ['http-health', 'stream-order-audit'] });

    // act
    const build = () => new ServiceStack(testApp(), { manifest: ordersManifest, env: environment('staging'), bundlesDir });

    // assess
    expect(build).toThrow(MissingBundleError);
    expect(build).toThrow(
      [
        'Service "orders" has no bundle for functions "http-health", "stream-order-audit":',
        `  - http-health: expected ${bundlesDir}/http-health/index.mjs`,
        `  - stream-order-audit: expected ${bundlesDir}/stream-order-audit/index.mjs`,
        'Build the bundles first: npx nx run orders:bundle  (or: npx tsx tools/bundle/src/cli.ts --service apps/orders)',
      ].join('\n'),
    );
  });

  it('fails synth when Cognito triggers were never allowed a user pool', () => {
    // prepare
    const stack = new ServiceStack(testApp(), { manifest: identityManifest, env: environment('staging'), bundlesDir: fixtureBundles(identityManifest) });

    // act / assess
    expect(() => synthStack(stack)).toThrow(/Cognito triggers \(PostConfirmation\) have no invoke permission: pass userPoolArn or call cognitoTriggers\.allowUserPool/);
  });

  it('accepts the user pool after construction, for a stack that creates the pool itself', () => {
    // prepare
    const stack = new ServiceStack(testApp(), { manifest: identityManifest, env: environment('staging'), bundlesDir: fixtureBundles(identityManifest) });

    // act
    stack.cognitoTriggers.allowUserPool('${aws_cognito_user_pool.pool.arn}');
    const json = synthStack(stack);

    // assess
    expect(onlyResourceOfType(json, 'aws_lambda_permission').values).toMatchObject({ principal: 'cognito-idp.amazonaws.com', source_arn: '${aws_cognito_user_pool.pool.arn}' });
    expect(stack.cognitoTriggers.lambdaConfig).toEqual({ postConfirmation: stack.functions.get('cognito-post-confirmation').arn });
  });
});
