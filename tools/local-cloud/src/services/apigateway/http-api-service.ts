/**
 * HTTP APIs: their stages, routes, Lambda proxy integrations and JWT
 * authorizers (persisted), and serving one request the way API Gateway does:
 * stage → route → authorizer → integration → response, with CORS.
 */
import { isOpaqueCorrelationId } from '@kestrel/observability';
import type { Telemetry } from '../../core/telemetry';
import { readJsonState, REPAIR_ADVICE, writeFileAtomically } from '../../core/files';
import { AwsServiceError, type LambdaInvoker } from '../../core/types';
import { JwtAuthorizer } from './jwt-authorizer';
import type { JwtAuthorizerConfig } from './jwt-authorizer';
import { apiGatewayRequestId, buildEvent, gatewayResponse, mapLambdaResult } from './payload';
import type { HttpResult, IncomingHttpRequest } from './payload';
import { parseRouteKey, selectRoute } from './routing';
import type { ParsedRouteKey } from './routing';

export interface CorsConfiguration {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface RouteConfig {
  id: string;
  routeKey: string;
  authorizationType: 'NONE' | 'JWT';
  authorizerId?: string;
  authorizationScopes: string[];
  /** `integrations/<id>` */
  target?: string;
}

export interface IntegrationConfig {
  id: string;
  /** The function ARN (from a function ARN or a Lambda invoke ARN). */
  functionArn: string;
  timeoutMs: number;
}

export interface StageConfig {
  name: string;
  autoDeploy: boolean;
  stageVariables: Record<string, string>;
}

export interface HttpApiConfig {
  id: string;
  name: string;
  description?: string;
  cors?: CorsConfiguration;
  disableExecuteApiEndpoint?: boolean;
  stages: Record<string, StageConfig>;
  routes: Record<string, RouteConfig>;
  integrations: Record<string, IntegrationConfig>;
  authorizers: Record<string, JwtAuthorizerConfig>;
  createdAt: number;
}

export interface HttpApiServiceOptions {
  accountId: string;
  region: string;
  /** The edge endpoint (for the local issuer's JWKS). */
  endpoint: () => string;
  lambda: () => LambdaInvoker;
  /** Where API definitions persist; in memory when absent. */
  statePath?: string;
  now?: () => number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** JWKS fetcher override (tests). */
  fetchJwks?: (uri: string) => Promise<ArrayBuffer>;
  /** Where each request is published (the console's API explorer and traces). */
  telemetry?: Telemetry;
}

export interface RequestLogEntry {
  apiId: string;
  method: string;
  path: string;
  routeKey?: string;
  status: number;
  ms: number;
  note?: string;
}

/**
 * HTTP APIs refuse request bodies over 10 MB (API Gateway's quota, not
 * adjustable) with 413 before any route or integration runs.
 */
export const HTTP_API_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

const LAMBDA_FROM_INVOKE_ARN = /^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:lambda:path\/[\d-]+\/functions\/(arn:aws[a-z-]*:lambda:[^/]+)\/invocations$/;

/** `integration_uri` → function ARN (a function ARN passes through; an invoke ARN is unwrapped). */
export function functionArnFromUri(uri: string): string {
  const invoke = LAMBDA_FROM_INVOKE_ARN.exec(uri);
  if (invoke) return invoke[1] as string;
  if (/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(uri)) return uri;
  throw new Error(`integration_uri '${uri}' is neither a Lambda function ARN nor a Lambda invoke ARN`);
}

interface LambdaWithPermissions extends LambdaInvoker {
  isInvokeAllowed?(functionArnOrName: string, principal: string, sourceArn?: string): boolean;
}

export class HttpApiService {
  private readonly apis = new Map<string, HttpApiConfig>();
  private readonly parsedRoutes = new Map<string, ParsedRouteKey>();
  private readonly authorizers = new Map<string, JwtAuthorizer>();
  private readonly recent: RequestLogEntry[] = [];
  private readonly now: () => number;

  constructor(private readonly options: HttpApiServiceOptions) {
    this.now = options.now ?? Date.now;
    this.load();
  }

  executionArn(apiId: string): string {
    return `arn:aws:execute-api:${this.options.region}:${this.options.accountId}:${apiId}`;
  }

  api(apiId: string): HttpApiConfig | undefined {
    return this.apis.get(apiId);
  }

  all(): HttpApiConfig[] {
    return [...this.apis.values()];
  }

  recentRequests(): RequestLogEntry[] {
    return [...this.recent];
  }

  private require(apiId: string, what: string): HttpApiConfig {
    const api = this.apis.get(apiId);
    if (!api) throw new Error(`${what}: HTTP API '${apiId}' does not exist (apply its aws_apigatewayv2_api first)`);
    return api;
  }

  upsertApi(config: Pick<HttpApiConfig, 'id' | 'name' | 'description' | 'cors' | 'disableExecuteApiEndpoint'>): HttpApiConfig {
    const existing = this.apis.get(config.id);
    const api: HttpApiConfig = existing
      ? { ...existing, ...config }
      : { ...config, stages: {}, routes: {}, integrations: {}, authorizers: {}, createdAt: this.now() };
    this.apis.set(config.id, api);
    this.save();
    return api;
  }

  deleteApi(apiId: string): void {
    const api = this.apis.get(apiId);
    if (!api) return;
    for (const id of Object.keys(api.authorizers)) this.authorizers.delete(`${apiId}/${id}`);
    this.apis.delete(apiId);
    this.save();
  }

  upsertStage(apiId: string, stage: StageConfig): void {
    this.require(apiId, `stage ${stage.name}`).stages[stage.name] = stage;
    this.save();
  }

  upsertRoute(apiId: string, route: RouteConfig): void {
    const parsed = parseRouteKey(route.routeKey);
    if (route.authorizationType === 'JWT' && !route.authorizerId) throw new Error(`route '${route.routeKey}': authorization_type JWT needs an authorizer_id`);
    if (route.target !== undefined && !/^integrations\/[a-z0-9]+$/.test(route.target)) throw new Error(`route '${route.routeKey}': target must be 'integrations/<integration id>', got '${route.target}'`);
    const api = this.require(apiId, `route ${route.routeKey}`);
    const clash = Object.values(api.routes).find((other) => other.routeKey === route.routeKey && other.id !== route.id);
    if (clash) throw new Error(`route '${route.routeKey}' already exists on API ${apiId} (route ${clash.id})`);
    api.routes[route.id] = route;
    this.parsedRoutes.set(`${apiId}/${route.id}`, parsed);
    this.save();
  }

  upsertIntegration(apiId: string, integration: IntegrationConfig): void {
    this.require(apiId, `integration ${integration.id}`).integrations[integration.id] = integration;
    this.save();
  }

  upsertAuthorizer(apiId: string, authorizer: JwtAuthorizerConfig): void {
    const api = this.require(apiId, `authorizer ${authorizer.name}`);
    // Built now so a bad configuration fails the apply, not the first request.
    this.authorizers.set(`${apiId}/${authorizer.id}`, new JwtAuthorizer(authorizer, this.options.endpoint(), this.options.fetchJwks));
    api.authorizers[authorizer.id] = authorizer;
    this.save();
  }

  remove(apiId: string, kind: 'stages' | 'routes' | 'integrations' | 'authorizers', id: string): void {
    const api = this.apis.get(apiId);
    if (!api) return;
    delete api[kind][id];
    if (kind === 'authorizers') this.authorizers.delete(`${apiId}/${id}`);
    this.save();
  }

  private authorizer(apiId: string, config: JwtAuthorizerConfig): JwtAuthorizer {
    const key = `${apiId}/${config.id}`;
    let authorizer = this.authorizers.get(key);
    if (!authorizer) {
      authorizer = new JwtAuthorizer(config, this.options.endpoint(), this.options.fetchJwks);
      this.authorizers.set(key, authorizer);
    }
    return authorizer;
  }

  private parsed(apiId: string, route: RouteConfig): ParsedRouteKey {
    const key = `${apiId}/${route.id}`;
    let parsed = this.parsedRoutes.get(key);
    if (!parsed) {
      parsed = parseRouteKey(route.routeKey);
      this.parsedRoutes.set(key, parsed);
    }
    return parsed;
  }

  /**
   * Serves one request to an API (path relative to the API's root).
   *
   * @example
   * await service.handle('a1b2c3d4e5', { method: 'GET', rawPath: '/customers/42', rawQueryString: '', headers: [], body: Buffer.alloc(0), sourceIp: '127.0.0.1', protocol: 'HTTP/1.1', host: '127.0.0.1:4567' })
   */
  async handle(apiId: string, request: IncomingHttpRequest): Promise<HttpResult> {
    const started = this.now();
    const requestId = apiGatewayRequestId();
    let routeKey: string | undefined = undefined;
    let note: string | undefined;
    const finish = (result: HttpResult): HttpResult => {
      result.headers['apigw-requestid'] = requestId;
      this.recent.push({ apiId, method: request.method, path: request.rawPath, routeKey, status: result.status, ms: this.now() - started, note });
      if (this.recent.length > 50) this.recent.shift();
      const telemetry = this.options.telemetry;
      if (telemetry?.active) {
        // The handler's logger names the flow the same way: the client's x-correlation-id, else the API's request id.
        const sent = request.headers.find(([name]) => name.toLowerCase() === 'x-correlation-id')?.[1];
        telemetry.publish({
          type: 'http.request',
          at: started,
          correlationId: isOpaqueCorrelationId(sent) ? sent : requestId,
          apiId,
          method: request.method,
          path: request.rawPath,
          ...(routeKey ? { routeKey } : {}),
          status: result.status,
          durationMs: this.now() - started,
          requestId,
        });
      }
      return result;
    };
    const api = this.apis.get(apiId);
    if (!api || api.disableExecuteApiEndpoint) return finish(gatewayResponse(404, 'Not Found'));
    const headers = Object.fromEntries(request.headers.map(([name, value]) => [name.toLowerCase(), value]));
    if (request.body.length > HTTP_API_MAX_PAYLOAD_BYTES) {
      note = `body of ${request.body.length} bytes is over the HTTP API payload limit of ${HTTP_API_MAX_PAYLOAD_BYTES}`;
      return finish(this.withCors(api, headers, gatewayResponse(413, 'Request Entity Too Large')));
    }

    if (api.cors && request.method === 'OPTIONS' && headers.origin && headers['access-control-request-method']) {
      return finish(this.preflight(api.cors, headers.origin));
    }

    // A path whose first segment names a stage goes to that stage; everything else to $default.
    const rawFirst = request.rawPath.split('/')[1] ?? '';
    let firstSegment = rawFirst;
    try {
      firstSegment = decodeURIComponent(rawFirst);
    } catch {
      // A malformed escape cannot name a stage; the path is matched as it is.
    }
    const named = firstSegment && firstSegment !== '$default' ? api.stages[firstSegment] : undefined;
    const stage = named ?? api.stages.$default;
    if (!stage) return finish(this.withCors(api, headers, gatewayResponse(404, 'Not Found')));
    const routePath = named ? request.rawPath.slice(rawFirst.length + 1) || '/' : request.rawPath;

    const match = selectRoute(Object.values(api.routes), request.method, routePath, (route) => this.parsed(apiId, route));
    if (!match) return finish(this.withCors(api, headers, gatewayResponse(404, 'Not Found')));
    const route = match.route;
    routeKey = route.routeKey;

    let authorizer: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | undefined;
    if (route.authorizationType === 'JWT') {
      const config = route.authorizerId ? api.authorizers[route.authorizerId] : undefined;
      if (!config) {
        note = `authorizer ${route.authorizerId} does not exist`;
        return finish(this.withCors(api, headers, gatewayResponse(500, 'Internal Server Error')));
      }
      const result = await this.authorizer(apiId, config).authorize(headers, route.authorizationScopes);
      if (!result.ok) {
        note = result.reason;
        return finish(this.withCors(api, headers, gatewayResponse(result.status, result.message)));
      }
      authorizer = { jwt: { claims: result.claims, scopes: result.scopes } };
    }

    const integrationId = route.target?.slice('integrations/'.length);
    const integration = integrationId ? api.integrations[integrationId] : undefined;
    if (!integration) {
      note = `route ${route.routeKey} has no integration`;
      return finish(this.withCors(api, headers, gatewayResponse(500, 'Internal Server Error')));
    }

    const event = buildEvent(request, {
      accountId: this.options.accountId,
      apiId,
      stage: stage.name,
      routeKey: route.routeKey,
      pathParameters: match.pathParameters,
      stageVariables: stage.stageVariables,
      authorizer,
      requestId,
      now: started,
    });
    const result = await this.invoke(apiId, stage.name, request.method, route, integration, event);
    note = result.note;
    return finish(this.withCors(api, headers, result.result));
  }

  private async invoke(
    apiId: string,
    stage: string,
    method: string,
    route: RouteConfig,
    integration: IntegrationConfig,
    event: Record<string, unknown>,
  ): Promise<{ result: HttpResult; note?: string }> {
    let lambda: LambdaWithPermissions;
    try {
      lambda = this.options.lambda() as LambdaWithPermissions;
    } catch (error) {
      return { result: gatewayResponse(500, 'Internal Server Error'), note: `no Lambda in this local cloud: ${(error as Error).message}` };
    }
    const parsed = this.parsed(apiId, route);
    const sourceArn = `${this.executionArn(apiId)}/${stage}/${parsed.method ? `${method}${parsed.path}` : '$default'}`;
    if (lambda.isInvokeAllowed && !lambda.isInvokeAllowed(integration.functionArn, 'apigateway.amazonaws.com', sourceArn)) {
      return {
        result: gatewayResponse(500, 'Internal Server Error'),
        note: `no aws_lambda_permission lets apigateway.amazonaws.com invoke ${integration.functionArn} from ${sourceArn}`,
      };
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), integration.timeoutMs);
    });
    try {
      const outcome = await Promise.race([lambda.invoke(integration.functionArn, event, { invocationType: 'RequestResponse' }), timeout]);
      if (outcome === 'timeout') return { result: gatewayResponse(503, 'Service Unavailable'), note: `integration timed out after ${integration.timeoutMs} ms` };
      if (outcome.functionError) return { result: gatewayResponse(500, 'Internal Server Error'), note: `function error: ${JSON.stringify(outcome.payload).slice(0, 300)}` };
      return { result: mapLambdaResult(outcome.payload) };
    } catch (error) {
      // A throttled invocation (Lambda's 429 TooManyRequestsException, at the function's reserved
      // or the account's concurrency) is an integration failure to API Gateway: it answers 500
      // {"message":"Internal Server Error"}, with no Retry-After, and does not retry (AWS Lambda
      // developer guide, "Handling Lambda errors with an API Gateway API").
      if (error instanceof AwsServiceError && error.code === 'TooManyRequestsException') {
        return { result: gatewayResponse(500, 'Internal Server Error'), note: `Lambda throttled the invocation (${String(error.extra.Reason ?? error.message)}); API Gateway does not retry` };
      }
      return { result: gatewayResponse(500, 'Internal Server Error'), note: `invoke failed: ${(error as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }

  private allowedOrigin(cors: CorsConfiguration, origin: string): string | undefined {
    const origins = cors.allowOrigins ?? [];
    if (origins.includes(origin)) return origin;
    if (origins.includes('*')) return cors.allowCredentials ? origin : '*';
    return undefined;
  }

  /** API Gateway answers CORS preflight itself when the API has a CORS configuration. */
  private preflight(cors: CorsConfiguration, origin: string): HttpResult {
    const allowed = this.allowedOrigin(cors, origin);
    const headers: Record<string, string> = {};
    if (allowed) {
      headers['access-control-allow-origin'] = allowed;
      if (cors.allowMethods?.length) headers['access-control-allow-methods'] = cors.allowMethods.join(',');
      if (cors.allowHeaders?.length) headers['access-control-allow-headers'] = cors.allowHeaders.join(',');
      if (cors.maxAge !== undefined) headers['access-control-max-age'] = String(cors.maxAge);
      if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    }
    return { status: 204, headers, cookies: [], body: Buffer.alloc(0) };
  }

  /** With CORS configured, API Gateway's CORS headers replace the integration's. */
  private withCors(api: HttpApiConfig, headers: Record<string, string>, result: HttpResult): HttpResult {
    if (!api.cors || !headers.origin) return result;
    for (const name of Object.keys(result.headers)) if (name.startsWith('access-control-')) delete result.headers[name];
    const allowed = this.allowedOrigin(api.cors, headers.origin);
    if (!allowed) return result;
    result.headers['access-control-allow-origin'] = allowed;
    if (api.cors.exposeHeaders?.length) result.headers['access-control-expose-headers'] = api.cors.exposeHeaders.join(',');
    if (api.cors.allowCredentials) result.headers['access-control-allow-credentials'] = 'true';
    return result;
  }

  private load(): void {
    if (!this.options.statePath) return;
    const saved = readJsonState<{ apis: HttpApiConfig[] }>(this.options.statePath, `${REPAIR_ADVICE} (moved away, the APIs come back when their stacks are applied, with new ids)`);
    for (const api of saved?.apis ?? []) this.apis.set(api.id, api);
  }

  private save(): void {
    if (!this.options.statePath) return;
    writeFileAtomically(this.options.statePath, JSON.stringify({ apis: [...this.apis.values()] }, null, 2));
  }
}
