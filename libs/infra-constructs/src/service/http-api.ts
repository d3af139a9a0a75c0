import { Construct } from 'constructs';
import { Fn } from 'cdktn';
import { Apigatewayv2Api } from '@cdktn/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktn/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktn/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktn/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktn/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktn/provider-aws/lib/cloudwatch-log-group';
import { DataAwsSsmParameter } from '@cdktn/provider-aws/lib/data-aws-ssm-parameter';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { functionTriggers } from '@kestrel/service-manifest';
import type { ServiceManifest, Trigger } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import { identityParameters } from '../platform-parameters';
import type { ServiceFunctions } from './functions';

type HttpTrigger = Extract<Trigger, { kind: 'http' }>;

/** How the API verifies JWTs: explicit values, or (default) the identity context's SSM parameters. */
export interface JwtSettings {
  issuer: string;
  audience: string[];
}

export interface ServiceHttpApiProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  functions: ServiceFunctions;
  jwt?: JwtSettings;
}

/** Access log line: one JSON object per request, with what a 4xx/5xx investigation needs. */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

/** Request headers a browser app sends to the services (auth, body, optimistic locking, tracing). */
export const CORS_ALLOW_HEADERS = ['authorization', 'content-type', 'if-match', 'traceparent', 'x-correlation-id'];
/** Response headers a browser app may read (optimistic locking, created resources, tracing). */
export const CORS_EXPOSE_HEADERS = ['etag', 'location', 'x-correlation-id'];
/**
 * Every route's default throttle on the stage: steady requests per second and
 * burst. Without one a stage takes the account's whole quota (10,000 rps), so
 * one client flooding one API starves every other API of the account and runs
 * up the Lambda bill; above the limit API Gateway answers 429 before any
 * function runs.
 */
export const STAGE_THROTTLING = Object.freeze({ rateLimit: 200, burstLimit: 400 });

/** The HTTP routes a manifest declares, with the function serving each. */
export function httpRoutes(manifest: ServiceManifest): Array<{ functionName: string; trigger: HttpTrigger }> {
  return functionTriggers(manifest).flatMap(({ functionName, trigger }) => (trigger.kind === 'http' ? [{ functionName, trigger }] : []));
}

/**
 * The execute-api ARN pattern of one route on any stage: path parameters
 * (`{orderId}`, `{proxy+}`) become `*`, so the permission admits exactly
 * this method and path shape.
 */
export function routeSourceArn(executionArn: string, method: string, path: string): string {
  return `${executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, '*')}`;
}

/**
 * An HTTP API (API Gateway v2) for the service's `http` triggers: CORS for
 * the environment's web origins, the `$default` stage deploying automatically with JSON access logs, a JWT
 * authorizer trusting the identity context's user pool, one route per
 * trigger (`<METHOD> <path>`, JWT or none), Lambda proxy integrations with
 * payload format 2.0, and per-route invoke permissions.
 */
export class ServiceHttpApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly accessLogs: CloudwatchLogGroup;
  readonly authorizer?: Apigatewayv2Authorizer;
  readonly routes = new Map<string, Apigatewayv2Route>();

  constructor(scope: Construct, id: string, { manifest, env, stack, functions, jwt }: ServiceHttpApiProps) {
    super(scope, id);
    const routes = httpRoutes(manifest);
    this.api = new Apigatewayv2Api(this, 'api', {
      name: stack.resourceName('http'),
      description: manifest.description,
      protocolType: 'HTTP',
      // API Gateway answers browsers' preflight requests itself (before any JWT check) and adds
      // the CORS headers to every response.
      corsConfiguration: {
        allowOrigins: env.webOrigins,
        allowMethods: [...new Set(routes.map(({ trigger }) => trigger.method))].sort(),
        allowHeaders: CORS_ALLOW_HEADERS,
        exposeHeaders: CORS_EXPOSE_HEADERS,
        maxAge: 3600,
      },
    });
    this.accessLogs = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${stack.resourceName('http')}`,
      retentionInDays: env.logRetentionDays,
    });
    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      accessLogSettings: { destinationArn: this.accessLogs.arn, format: ACCESS_LOG_FORMAT },
      defaultRouteSettings: { throttlingRateLimit: STAGE_THROTTLING.rateLimit, throttlingBurstLimit: STAGE_THROTTLING.burstLimit },
    });

    if (routes.some(({ trigger }) => trigger.auth === 'jwt')) {
      const settings = jwt ?? this.identityJwtSettings(env);
      this.authorizer = new Apigatewayv2Authorizer(this, 'jwt', {
        apiId: this.api.id,
        name: 'identity-user-pool',
        authorizerType: 'JWT',
        identitySources: ['$request.header.Authorization'],
        jwtConfiguration: { issuer: settings.issuer, audience: settings.audience },
      });
    }

    const integrations = new Map<string, Apigatewayv2Integration>();
    const usedIds = new Set<string>();
    for (const { functionName, trigger } of routes) {
      const fn = functions.get(functionName);
      let integration = integrations.get(functionName);
      if (!integration) {
        integration = new Apigatewayv2Integration(this, `integration-${functionName}`, {
          apiId: this.api.id,
          integrationType: 'AWS_PROXY',
          integrationUri: fn.lambda.arn,
          payloadFormatVersion: '2.0',
        });
        integrations.set(functionName, integration);
      }
      const routeKey = `${trigger.method} ${trigger.path}`;
      // Readable ids; `GET /a-b` and `GET /a/b` would collide, so later ones get a number.
      const readableId = routeKey.replace(/[^A-Za-z0-9]+/g, '-').replace(/-$/, '');
      let constructId = readableId;
      for (let n = 2; usedIds.has(constructId); n += 1) constructId = `${readableId}-${n}`;
      usedIds.add(constructId);
      const jwtRoute = trigger.auth === 'jwt';
      this.routes.set(
        routeKey,
        new Apigatewayv2Route(this, `route-${constructId}`, {
          apiId: this.api.id,
          routeKey,
          target: `integrations/${integration.id}`,
          authorizationType: jwtRoute ? 'JWT' : 'NONE',
          ...(jwtRoute && this.authorizer ? { authorizerId: this.authorizer.id } : {}),
          ...(jwtRoute && trigger.scopes?.length ? { authorizationScopes: trigger.scopes } : {}),
        }),
      );
      new LambdaPermission(this, `permission-${constructId}`, {
        action: 'lambda:InvokeFunction',
        functionName: fn.lambda.functionName,
        principal: 'apigateway.amazonaws.com',
        sourceArn: routeSourceArn(this.api.executionArn, trigger.method, trigger.path),
      });
    }
  }

  /** The stage's invoke URL. */
  get url(): string {
    return this.stage.invokeUrl;
  }

  private identityJwtSettings(env: EnvironmentConfig): JwtSettings {
    const names = identityParameters(env.name);
    // insecure_value: neither the issuer URL nor client ids are secrets, and
    // `value` would mark everything derived from them sensitive.
    const issuer = new DataAwsSsmParameter(this, 'user-pool-issuer', { name: names.userPoolIssuer }).insecureValue;
    const clientIds = new DataAwsSsmParameter(this, 'user-pool-client-ids', { name: names.userPoolClientIds }).insecureValue;
    return { issuer, audience: Fn.split(',', clientIds) };
  }
}
