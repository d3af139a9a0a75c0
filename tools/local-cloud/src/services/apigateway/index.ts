/**
 * API Gateway HTTP APIs (payload format 2.0, Lambda proxy integrations, JWT
 * authorizers verifying cognito-local tokens, CORS).
 *
 * Where an API answers: `http://127.0.0.1:<port>/_apis/<apiId>/…` (the host
 * is `LOCAL_CLOUD_HOST` when set, see `core/listen-host.ts`), on the
 * module's own listener (the `$default` stage at that root, a named stage
 * under `/_apis/<apiId>/<stage>/…`). The port is `options.port`, else
 * `LOCAL_CLOUD_HTTP_API_PORT`, else the port used last time (kept in
 * `<dataDir>/apigateway/listener.json`) so URLs survive restarts, else a
 * free one. `aws_apigatewayv2_api.api_endpoint` exports that URL, and
 * `GET /_local/state` lists `httpApis: [{ name, id, url }]`. The same paths
 * are also answered by the `execute-api` service handler, so the edge can
 * serve them too once it routes `/_apis/` to `execute-api`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../core/files';
import type { AwsRequest, AwsResponse, LocalCloudContext, LocalServiceFactory, LocalServiceModule, ServiceHandler } from '../../core/types';
import { resolveListenHost } from '../../core/listen-host';
import { HttpApiService } from './http-api-service';
import type { HttpResult, IncomingHttpRequest } from './payload';
import { gatewayResponse } from './payload';
import { ApiGatewayManagementApi } from './management-api';
import { apiGatewayProvisioners } from './provisioners';

export { HttpApiService, functionArnFromUri } from './http-api-service';
export { stringifyClaim, localIssuer, JwtAuthorizer } from './jwt-authorizer';
export { buildEvent, mapLambdaResult } from './payload';
export { parseRouteKey, selectRoute } from './routing';

export interface ApiGatewayModuleOptions {
  /** Listener port (0: a free one). */
  port?: number;
  host?: string;
  now?: () => number;
  inMemory?: boolean;
  /** JWKS fetcher override (tests). */
  fetchJwks?: (uri: string) => Promise<ArrayBuffer>;
}

export interface ApiGatewayModule extends LocalServiceModule {
  readonly service: HttpApiService;
  /** `http://<host>:<port>` of the listener, once started. */
  readonly baseUrl: string;
  /** The URL one API answers at. */
  apiUrl(apiId: string): string;
}

const MOUNT = /^\/_apis\/([a-z0-9]+)(\/.*)?$/;

/** Splits `/_apis/<apiId>/rest?query` into the API id and the request as the API sees it. */
function mounted(url: string): { apiId: string; rawPath: string; rawQueryString: string } | undefined {
  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const match = MOUNT.exec(path);
  if (!match) return undefined;
  return { apiId: match[1] as string, rawPath: match[2] || '/', rawQueryString: queryAt === -1 ? '' : url.slice(queryAt + 1) };
}

function pairs(rawHeaders: string[]): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) result.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  return result;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: HttpResult): void {
  const headers: Record<string, string | string[] | number> = { ...result.headers, 'content-length': result.body.length };
  if (result.cookies.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.status, headers);
  response.end(result.body);
}

function preferredPort(path: string | undefined): number | undefined {
  if (!path) return undefined;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { port?: number }).port;
  } catch {
    return undefined;
  }
}

async function listen(server: Server, port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE' && port !== 0) resolve(false);
      else reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * An API Gateway module factory with non-default options.
 *
 * @example
 * const factory = apiGatewayModuleFactory({ port: 4567 });
 */
export function apiGatewayModuleFactory(options: ApiGatewayModuleOptions = {}): (context: LocalCloudContext) => ApiGatewayModule {
  return (context) => {
    const persistent = !(options.inMemory || context.inMemory);
    const listenerFile = persistent ? join(context.dataDir, 'apigateway', 'listener.json') : undefined;
    const service = new HttpApiService({
      accountId: context.accountId,
      region: context.region,
      endpoint: () => context.endpoint,
      lambda: () => context.peers.lambda(),
      statePath: persistent ? join(context.dataDir, 'apigateway', 'apis.json') : undefined,
      now: options.now,
      log: (message, fields) => context.log(message, fields),
      fetchJwks: options.fetchJwks,
      ...(context.telemetry ? { telemetry: context.telemetry } : {}),
    });
    // Same interface as the edge (LOCAL_CLOUD_HOST), so a phone or a browser elsewhere reaches the APIs too.
    const host = resolveListenHost(options.host ?? context.listenHost);
    let server: Server | undefined;
    let baseUrl = '';
    const apiUrl = (apiId: string) => `${baseUrl}/_apis/${apiId}`;

    const serve = async (url: string, request: Omit<IncomingHttpRequest, 'rawPath' | 'rawQueryString'>): Promise<HttpResult> => {
      const target = mounted(url);
      if (!target) return gatewayResponse(404, 'Not Found');
      return service.handle(target.apiId, { ...request, rawPath: target.rawPath, rawQueryString: target.rawQueryString });
    };

    const edgeHandler: ServiceHandler = {
      serviceNames: ['execute-api'],
      async handle(request: AwsRequest): Promise<AwsResponse> {
        const query = request.query.toString();
        const headers = Object.entries(request.headers).flatMap(([name, value]): Array<[string, string]> =>
          value === undefined ? [] : Array.isArray(value) ? value.map((item): [string, string] => [name, item]) : [[name, value]],
        );
        const result = await serve(`${request.path}${query ? `?${query}` : ''}`, {
          method: request.method,
          headers,
          body: request.body,
          sourceIp: '127.0.0.1',
          protocol: 'HTTP/1.1',
          host: String(request.headers.host ?? ''),
        });
        const responseHeaders = { ...result.headers };
        // The edge sends one value per header name; cookies beyond the first need the dedicated listener.
        if (result.cookies.length) responseHeaders['set-cookie'] = result.cookies[0] as string;
        return { status: result.status, headers: responseHeaders, body: result.body };
      },
    };

    return {
      name: 'apigateway',
      // Stop taking requests before the functions and stores behind them go.
      stopOrder: 10,
      service,
      get baseUrl() {
        return baseUrl;
      },
      apiUrl,
      handlers: [edgeHandler, new ApiGatewayManagementApi(service, { accountId: context.accountId, apiUrl })],
      provisioners: [
        ...apiGatewayProvisioners(service, { apiUrl }, context.region),
        { type: 'aws_apigatewayv2_deployment', notEnforced: 'routes are live as soon as they are applied', async apply(resource) {
          return { id: resource.name, api_id: resource.config.api_id };
        } },
      ],
      state: [
        {
          stateKey: 'httpApis',
          describe: () =>
            service.all().map((api) => ({
              name: api.name,
              id: api.id,
              url: apiUrl(api.id),
              stages: Object.keys(api.stages),
              routes: Object.values(api.routes).map((route) => route.routeKey).sort(),
            })),
        },
        { stateKey: 'httpApiRequests', describe: () => service.recentRequests() },
      ],
      async start() {
        server = createServer((request, response) => {
          readBody(request)
            .then((body) =>
              serve(request.url ?? '/', {
                method: request.method ?? 'GET',
                headers: pairs(request.rawHeaders),
                body,
                sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
                protocol: `HTTP/${request.httpVersion}`,
                host: request.headers.host ?? '',
              }),
            )
            .then((result) => send(response, result))
            .catch((error: unknown) => {
              context.log(`apigateway: request failed: ${(error as Error).message}`);
              if (!response.headersSent) send(response, gatewayResponse(500, 'Internal Server Error'));
            });
        });
        // Integrations may take up to 30 s; never cut a request off on our side.
        server.requestTimeout = 0;
        const environment = process.env.LOCAL_CLOUD_HTTP_API_PORT ? Number(process.env.LOCAL_CLOUD_HTTP_API_PORT) : undefined;
        const wanted = options.port ?? environment ?? preferredPort(listenerFile) ?? 0;
        if (!(await listen(server, wanted, host.bind))) {
          if (options.port !== undefined || environment !== undefined) throw new Error(`apigateway: port ${wanted} is in use`);
          context.log(`apigateway: port ${wanted} (used last time) is taken; HTTP API URLs change this run`);
          await listen(server, 0, host.bind);
        }
        const port = (server.address() as AddressInfo).port;
        baseUrl = `http://${host.advertised}:${port}`;
        if (listenerFile) writeFileAtomically(listenerFile, JSON.stringify({ port }));
        context.log(`apigateway: HTTP APIs answer at ${baseUrl}/_apis/<apiId>`);
      },
      async stop() {
        const closing = server;
        server = undefined;
        if (!closing) return;
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
      },
    };
  };
}

/** The API Gateway (HTTP APIs) module with default options. */
export const createApiGatewayModule: LocalServiceFactory = apiGatewayModuleFactory();
