/**
 * Terraform resources of API Gateway v2 HTTP APIs. Ids are derived from the
 * resource address, so re-applying a stack finds the same API, route or
 * integration (and the API's URL stays the same across applies).
 */
import { createHash } from 'node:crypto';
import { blocks, bool, num, str } from '../../core/config';
import type { ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import { functionArnFromUri } from './http-api-service';
import type { CorsConfiguration, HttpApiService } from './http-api-service';

/** `length` lower-case letters and digits derived from the resource's stack and address. */
export function stableId(resource: Pick<ResolvedResource, 'stack' | 'address'>, length: number): string {
  const digest = createHash('sha256').update(`${resource.stack}/${resource.address}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...digest.subarray(0, length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function strings(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return [String(value)];
  return value.map(String);
}

function apiId(resource: ResolvedResource): string {
  return str(resource.config, 'api_id', resource.address);
}

/** The id an earlier apply gave the resource, else a new stable one of `length` characters. */
function keptOrStableId(resource: ResolvedResource, previous: ResourceAttributes | undefined, length: number): string {
  return typeof previous?.id === 'string' ? previous.id : stableId(resource, length);
}

export interface ApiGatewayUrls {
  /** The URL an API answers at locally (`…/_apis/<apiId>`). */
  apiUrl(apiId: string): string;
}

export function apiGatewayProvisioners(service: HttpApiService, urls: ApiGatewayUrls, region: string): ResourceProvisioner[] {
  /** Destroys a part of an API (stage, route…), found by its API and its `key` attribute. */
  const removePart =
    (kind: 'stages' | 'routes' | 'integrations' | 'authorizers', key: 'id' | 'name' = 'id') =>
    async (resource: ResolvedResource, attributes: ResourceAttributes): Promise<void> => {
      service.remove(String(attributes.api_id ?? resource.config.api_id), kind, String(attributes[key]));
    };

  const api: ResourceProvisioner = {
    type: 'aws_apigatewayv2_api',
    async apply(resource, previous?: ResourceAttributes) {
      const config = resource.config;
      const protocol = str(config, 'protocol_type', resource.address);
      if (protocol !== 'HTTP') throw new Error(`${resource.address}: protocol_type '${protocol}' is not emulated locally (HTTP APIs only)`);
      if (config.target || config.body) {
        throw new Error(`${resource.address}: quick create (target) and OpenAPI import (body) are not emulated; declare routes, integrations and a stage as resources`);
      }
      const corsBlock = blocks(config.cors_configuration)[0];
      const cors: CorsConfiguration | undefined = corsBlock
        ? {
            allowCredentials: bool(corsBlock.allow_credentials),
            allowHeaders: strings(corsBlock.allow_headers),
            allowMethods: strings(corsBlock.allow_methods),
            allowOrigins: strings(corsBlock.allow_origins),
            exposeHeaders: strings(corsBlock.expose_headers),
            maxAge: num(corsBlock.max_age),
          }
        : undefined;
      const id = keptOrStableId(resource, previous, 10);
      const name = str(config, 'name', resource.address);
      const description = str(config, 'description', resource.address, true) || undefined;
      service.upsertApi({ id, name, description, cors, disableExecuteApiEndpoint: bool(config.disable_execute_api_endpoint) });
      return {
        id,
        name,
        arn: `arn:aws:apigateway:${region}::/apis/${id}`,
        // Locally the endpoint is where the API really answers, so outputs built from it work.
        api_endpoint: urls.apiUrl(id),
        execution_arn: service.executionArn(id),
      };
    },
    async destroy(_resource, attributes) {
      service.deleteApi(String(attributes.id));
    },
  };

  const stage: ResourceProvisioner = {
    type: 'aws_apigatewayv2_stage',
    async apply(resource) {
      const name = str(resource.config, 'name', resource.address);
      const id = apiId(resource);
      service.upsertStage(id, {
        name,
        autoDeploy: bool(resource.config.auto_deploy),
        stageVariables: (resource.config.stage_variables as Record<string, string> | undefined) ?? {},
      });
      return {
        id: name,
        name,
        api_id: id,
        arn: `arn:aws:apigateway:${region}::/apis/${id}/stages/${name}`,
        execution_arn: `${service.executionArn(id)}/${name}`,
        invoke_url: name === '$default' ? `${urls.apiUrl(id)}/` : `${urls.apiUrl(id)}/${name}`,
      };
    },
    destroy: removePart('stages', 'name'),
  };

  const integration: ResourceProvisioner = {
    type: 'aws_apigatewayv2_integration',
    async apply(resource, previous?: ResourceAttributes) {
      const config = resource.config;
      const type = str(config, 'integration_type', resource.address);
      if (type !== 'AWS_PROXY') throw new Error(`${resource.address}: integration_type '${type}' is not emulated locally (AWS_PROXY to Lambda only)`);
      const version = str(config, 'payload_format_version', resource.address, true) ?? '1.0';
      if (version !== '2.0') throw new Error(`${resource.address}: payload_format_version '${version}' is not emulated locally (2.0 only; AWS defaults to 1.0 when it is omitted)`);
      let functionArn: string;
      try {
        functionArn = functionArnFromUri(str(config, 'integration_uri', resource.address));
      } catch (error) {
        throw new Error(`${resource.address}: ${(error as Error).message}`);
      }
      const timeoutMs = num(config.timeout_milliseconds) ?? 30_000;
      if (!(timeoutMs >= 50 && timeoutMs <= 30_000)) throw new Error(`${resource.address}: timeout_milliseconds must be 50–30000, got ${timeoutMs}`);
      const id = keptOrStableId(resource, previous, 7);
      service.upsertIntegration(apiId(resource), { id, functionArn, timeoutMs });
      return { id, api_id: apiId(resource), integration_response_selection_expression: '' };
    },
    destroy: removePart('integrations'),
  };

  const route: ResourceProvisioner = {
    type: 'aws_apigatewayv2_route',
    async apply(resource, previous?: ResourceAttributes) {
      const config = resource.config;
      const authorizationType = (str(config, 'authorization_type', resource.address, true) ?? 'NONE').toUpperCase();
      if (authorizationType !== 'NONE' && authorizationType !== 'JWT') {
        throw new Error(`${resource.address}: authorization_type '${authorizationType}' is not emulated locally (NONE or JWT)`);
      }
      const id = keptOrStableId(resource, previous, 7);
      try {
        service.upsertRoute(apiId(resource), {
          id,
          routeKey: str(config, 'route_key', resource.address),
          authorizationType: authorizationType as 'NONE' | 'JWT',
          authorizerId: str(config, 'authorizer_id', resource.address, true) || undefined,
          authorizationScopes: strings(config.authorization_scopes) ?? [],
          target: str(config, 'target', resource.address, true) || undefined,
        });
      } catch (error) {
        throw new Error(`${resource.address}: ${(error as Error).message}`);
      }
      return { id, api_id: apiId(resource) };
    },
    destroy: removePart('routes'),
  };

  const authorizer: ResourceProvisioner = {
    type: 'aws_apigatewayv2_authorizer',
    async apply(resource, previous?: ResourceAttributes) {
      const config = resource.config;
      const type = str(config, 'authorizer_type', resource.address);
      if (type !== 'JWT') throw new Error(`${resource.address}: authorizer_type '${type}' is not emulated locally (JWT only)`);
      const jwt = blocks(config.jwt_configuration)[0];
      if (!jwt) throw new Error(`${resource.address}: a JWT authorizer needs a jwt_configuration block`);
      const issuer = str(jwt, 'issuer', `${resource.address}.jwt_configuration`);
      const audience = strings(jwt.audience) ?? [];
      if (!audience.length) throw new Error(`${resource.address}.jwt_configuration: audience must list at least one value`);
      const id = keptOrStableId(resource, previous, 6);
      try {
        service.upsertAuthorizer(apiId(resource), {
          id,
          name: str(config, 'name', resource.address),
          identitySource: strings(config.identity_sources) ?? ['$request.header.Authorization'],
          issuer,
          audience,
        });
      } catch (error) {
        throw new Error(`${resource.address}: ${(error as Error).message}`);
      }
      return { id, api_id: apiId(resource) };
    },
    destroy: removePart('authorizers'),
  };

  return [api, stage, integration, route, authorizer];
}
