/**
 * The API Gateway v2 management API, read-only (REST-JSON under `/v2/apis`,
 * signed as `apigateway`): `GetApis`, `GetApi`, `GetRoutes`, `GetRoute`,
 * `GetStages`, `GetStage`, `GetIntegrations`, `GetIntegration`,
 * `GetAuthorizers`, over the HTTP APIs the stacks created. Changing an API
 * goes through Terraform (the stack), so every write answers with a clear
 * `BadRequestException`.
 */
import { offsetOf, pageFrom } from '../../core/paging';
import { jsonResponse } from '../../core/protocol';
import { AwsServiceError, type AwsRequest, type AwsResponse, type ServiceHandler } from '../../core/types';
import type { HttpApiConfig, HttpApiService } from './http-api-service';

const notFound = (message: string, resourceType: string) => new AwsServiceError('NotFoundException', message, 404, { resourceType });
const badRequest = (message: string) => new AwsServiceError('BadRequestException', message, 400);

const PATH = /^\/v2\/apis(?:\/([^/]+)(?:\/(routes|stages|integrations|authorizers)(?:\/([^/]+))?)?)?\/?$/;

function paged<T>(items: T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxResults = query.get('maxResults');
  const limit = maxResults === null ? items.length : Number(maxResults);
  if (!Number.isInteger(limit) || limit < 1) throw badRequest(`maxResults must be a positive integer, got '${maxResults}'`);
  const token = query.get('nextToken');
  const start = token === null ? 0 : offsetOf(token);
  if (start === undefined) throw badRequest(`Invalid nextToken '${token}'`);
  return pageFrom(items, start, limit);
}

export interface ManagementApiOptions {
  accountId: string;
  /** The URL an API answers at locally (what `apiEndpoint` reports). */
  apiUrl(apiId: string): string;
}

export class ApiGatewayManagementApi implements ServiceHandler {
  readonly serviceNames = ['apigateway'] as const;

  constructor(
    private readonly service: HttpApiService,
    private readonly options: ManagementApiOptions,
  ) {}

  async handle(request: AwsRequest): Promise<AwsResponse> {
    const match = PATH.exec(request.path);
    if (!match) {
      throw badRequest(
        `The local API Gateway answers the v2 management API's reads under /v2/apis (get-apis, get-api, get-routes, get-stages, get-integrations, get-authorizers); ${request.method} ${request.path} is not emulated.`,
      );
    }
    if (request.method !== 'GET') {
      throw badRequest(`The local API Gateway management API is read-only: HTTP APIs are created and changed by applying their stack (${request.method} ${request.path}).`);
    }
    const [, apiId, kind, id] = match;
    if (!apiId) {
      const { items, nextToken } = paged(this.service.all().sort((a, b) => a.name.localeCompare(b.name)), request.query);
      return this.ok({ items: items.map((api) => this.renderApi(api)), ...(nextToken ? { nextToken } : {}) });
    }
    const api = this.service.api(decodeURIComponent(apiId));
    if (!api) throw notFound(`Invalid API identifier specified ${this.options.accountId}:${apiId}`, 'Api');
    if (!kind) return this.ok(this.renderApi(api));
    const all = this.parts(api, kind as 'routes' | 'stages' | 'integrations' | 'authorizers');
    if (id === undefined) {
      const { items, nextToken } = paged(all.map(([, rendered]) => rendered), request.query);
      return this.ok({ items, ...(nextToken ? { nextToken } : {}) });
    }
    const found = all.find(([key]) => key === decodeURIComponent(id));
    if (!found) {
      const singular = { routes: 'Route', stages: 'Stage', integrations: 'Integration', authorizers: 'Authorizer' }[kind] as string;
      throw notFound(`Invalid ${singular} identifier specified ${this.options.accountId}:${id}`, singular);
    }
    return this.ok(found[1]);
  }

  private ok(body: unknown): AwsResponse {
    return jsonResponse(body, { protocol: 'restJson1' });
  }

  private renderApi(api: HttpApiConfig) {
    const cors = api.cors;
    return {
      apiId: api.id,
      name: api.name,
      protocolType: 'HTTP',
      apiEndpoint: this.options.apiUrl(api.id),
      routeSelectionExpression: '$request.method $request.path',
      apiKeySelectionExpression: '$request.header.x-api-key',
      createdDate: new Date(api.createdAt).toISOString(),
      disableExecuteApiEndpoint: api.disableExecuteApiEndpoint ?? false,
      ...(api.description ? { description: api.description } : {}),
      ...(cors
        ? {
            corsConfiguration: {
              ...(cors.allowCredentials !== undefined ? { allowCredentials: cors.allowCredentials } : {}),
              ...(cors.allowHeaders ? { allowHeaders: cors.allowHeaders } : {}),
              ...(cors.allowMethods ? { allowMethods: cors.allowMethods } : {}),
              ...(cors.allowOrigins ? { allowOrigins: cors.allowOrigins } : {}),
              ...(cors.exposeHeaders ? { exposeHeaders: cors.exposeHeaders } : {}),
              ...(cors.maxAge !== undefined ? { maxAge: cors.maxAge } : {}),
            },
          }
        : {}),
      tags: {},
    };
  }

  /** `[id, rendered]` of one kind of part of an API, sorted by id. */
  private parts(api: HttpApiConfig, kind: 'routes' | 'stages' | 'integrations' | 'authorizers'): Array<[string, Record<string, unknown>]> {
    const created = new Date(api.createdAt).toISOString();
    let entries: Array<[string, Record<string, unknown>]>;
    switch (kind) {
      case 'routes':
        entries = Object.values(api.routes).map((route) => [
          route.id,
          {
            routeId: route.id,
            routeKey: route.routeKey,
            apiKeyRequired: false,
            authorizationType: route.authorizationType,
            ...(route.authorizerId ? { authorizerId: route.authorizerId } : {}),
            ...(route.authorizationScopes.length ? { authorizationScopes: route.authorizationScopes } : {}),
            ...(route.target ? { target: route.target } : {}),
          },
        ]);
        break;
      case 'stages':
        entries = Object.values(api.stages).map((stage) => [
          stage.name,
          {
            stageName: stage.name,
            autoDeploy: stage.autoDeploy,
            stageVariables: stage.stageVariables,
            createdDate: created,
            lastUpdatedDate: created,
            defaultRouteSettings: { detailedMetricsEnabled: false },
            routeSettings: {},
            tags: {},
          },
        ]);
        break;
      case 'integrations':
        entries = Object.values(api.integrations).map((integration) => [
          integration.id,
          {
            integrationId: integration.id,
            integrationType: 'AWS_PROXY',
            integrationMethod: 'POST',
            integrationUri: integration.functionArn,
            connectionType: 'INTERNET',
            payloadFormatVersion: '2.0',
            timeoutInMillis: integration.timeoutMs,
          },
        ]);
        break;
      case 'authorizers':
        entries = Object.values(api.authorizers).map((authorizer) => [
          authorizer.id,
          {
            authorizerId: authorizer.id,
            authorizerType: 'JWT',
            name: authorizer.name,
            identitySource: authorizer.identitySource,
            jwtConfiguration: { issuer: authorizer.issuer, audience: authorizer.audience },
          },
        ]);
        break;
    }
    return entries.sort(([a], [b]) => a.localeCompare(b));
  }
}
