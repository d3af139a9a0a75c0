/**
 * The one AWS-compatible endpoint of the local cloud. SDK v3 clients and the
 * AWS CLI reach every service here with only `AWS_ENDPOINT_URL` set; the edge
 * attributes each request to a service (see `routing.ts`), hands it to that
 * service's handler and renders failures in the service's own error shape.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError } from '../core/types';
import type { AwsRequest, AwsResponse, LocalServiceModule, ServiceHandler } from '../core/types';
import { detectProtocol, newRequestId, renderError } from '../core/protocol';
import { resolveListenHost } from '../core/listen-host';
import { supervisedStatuses } from '../processes/supervisor';
import type { AwsProtocol } from '../core/protocol';
import { answerForOtherRegion } from './other-region';
import { resolveRoute } from './routing';

export interface EdgeServerOptions {
  /** Interface to bind (default `LOCAL_CLOUD_HOST`, else 127.0.0.1; see `core/listen-host.ts`). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Service modules; may also be given later with `setModules` (modules need the endpoint to be built). */
  modules?: readonly LocalServiceModule[];
  /** Requests with a larger body are refused with `RequestEntityTooLarge` (413). Default 64 MiB. */
  maxBodyBytes?: number;
  /** Extra top-level entries of `GET /_local/state` (the composition root adds `stacks`). */
  extraState?: () => Record<string, unknown>;
  /** Whether everything is applied: `GET /_local/health` answers 503 with this document until `ready`. Without it, 200. */
  readiness?: () => { ready: boolean };
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /**
   * Decides whether an attributed request may reach its service (IAM, `src/iam/authorizer.ts`):
   * resolves to let it through, throws an `AwsServiceError` to answer with instead.
   */
  authorize?: (edge: { request: AwsRequest; rawUrl: string; protocol: AwsProtocol; sourceIp?: string }) => Promise<void>;
  /**
   * The one region the local cloud runs: unsigned calls are taken to be for it, and calls signed for another
   * region see a region with no resources (`other-region.ts`). Without it, every region reaches the services.
   */
  region?: string;
}

export interface EdgeServer {
  /** `http://<host>:<port>` */
  endpoint: string;
  port: number;
  /** Replaces the modules served (the composition root binds the port first, then builds modules with the endpoint). */
  setModules(modules: readonly LocalServiceModule[]): void;
  /**
   * Serves the other `/_local/…` paths (the console and its API, `src/console`): the handler answers
   * and resolves `true`, or resolves `false` to let the request through as an AWS call.
   */
  setLocalRoutes(handler: LocalRoutes): void;
  close(): Promise<void>;
}

export type LocalRoutes = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;

const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Browser apps call AWS endpoints directly (a web client signs in through
 * Cognito's `InitiateAuth`, the browser SDK calls DynamoDB…), and AWS's
 * service endpoints answer CORS for any origin; so does the edge. HTTP APIs
 * keep their own CORS configuration (see `services/apigateway`).
 */
const EXPOSED_HEADERS = 'x-amzn-requestid,x-amzn-errortype,x-amz-request-id,x-amz-id-2,x-amz-version-id,etag,date';

function corsPreflight(request: IncomingMessage): AwsResponse {
  return {
    status: 200,
    headers: {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,HEAD',
      'access-control-allow-headers': String(request.headers['access-control-request-headers'] ?? '*'),
      'access-control-max-age': '86400',
    },
  };
}

function send(response: ServerResponse, result: AwsResponse, requestId: string, origin?: string): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(result.body) ? result.body : Buffer.from(result.body);
  const headers: Record<string, string | number> = { ...result.headers };
  const lower = new Set(Object.keys(headers).map((key) => key.toLowerCase()));
  if (origin && !lower.has('access-control-allow-origin')) {
    headers['access-control-allow-origin'] = '*';
    headers['access-control-expose-headers'] = EXPOSED_HEADERS;
  }
  if (!lower.has('x-amzn-requestid')) headers['x-amzn-requestid'] = requestId;
  if (!lower.has('content-length') && !lower.has('transfer-encoding')) headers['content-length'] = body.length;
  response.writeHead(result.status, headers);
  response.end(body);
}

/**
 * Builds the `/_local/state` document: every module's state contributors,
 * keyed by their `stateKey` (prefixed by the module name on a clash), plus
 * `extraState`.
 */
export async function collectState(modules: readonly LocalServiceModule[], extraState?: () => Record<string, unknown>): Promise<Record<string, unknown>> {
  const document: Record<string, unknown> = { services: modules.map((module) => module.name) };
  for (const module of modules) {
    for (const contributor of module.state) {
      const key = contributor.stateKey in document ? `${module.name}.${contributor.stateKey}` : contributor.stateKey;
      try {
        // Proxied modules ask their component (e.g. ListTables), so a contributor may answer with a promise.
        document[key] = await contributor.describe();
      } catch (error) {
        document[key] = { error: (error as Error).message };
      }
    }
  }
  return { ...document, ...extraState?.() };
}

/**
 * Starts the edge endpoint.
 *
 * @example
 * const edge = await startEdgeServer({ port: 0, modules: [ssmModule] });
 * const ssm = new SSMClient({ endpoint: edge.endpoint, region: 'us-east-1' });
 * await edge.close();
 */
export async function startEdgeServer(options: EdgeServerOptions): Promise<EdgeServer> {
  const host = resolveListenHost(options.host);
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = options.log ?? (() => undefined);

  let modules: readonly LocalServiceModule[] = [];
  let handlers = new Map<string, ServiceHandler>();
  function setModules(next: readonly LocalServiceModule[]): void {
    const byService = new Map<string, ServiceHandler>();
    for (const module of next) {
      for (const handler of module.handlers) {
        for (const serviceName of handler.serviceNames) {
          if (byService.has(serviceName)) throw new Error(`Two handlers claim the '${serviceName}' service (second one in module '${module.name}')`);
          byService.set(serviceName, handler);
        }
      }
    }
    modules = next;
    handlers = byService;
  }
  setModules(options.modules ?? []);

  async function handle(request: IncomingMessage): Promise<AwsResponse> {
    const url = new URL(request.url ?? '/', 'http://edge');
    const route = resolveRoute(request.headers, url.pathname, url.searchParams);
    const protocol = detectProtocol(route.service, request.headers);
    const requestId = newRequestId();
    const fail = (error: AwsServiceError): AwsResponse => renderError(error, protocol, requestId, request.method);

    // A preflight never carries a signature (it may match a service's path, e.g. Lambda's): the edge answers it.
    if (request.method === 'OPTIONS' && !request.headers.authorization && request.headers.origin && request.headers['access-control-request-method']) {
      return corsPreflight(request);
    }

    if (request.method === 'GET' && route.via === 'none') {
      if (url.pathname === '/_local/health') {
        // Not ready until every stack applied; a real component down (being restarted by its supervisor) makes it unhealthy until it is back.
        const readiness = options.readiness?.() ?? { ready: true, status: 'ready' };
        const components = supervisedStatuses();
        const healthy = readiness.ready && components.every((component) => component.state === 'running');
        return {
          status: healthy ? 200 : 503,
          headers: { 'content-type': 'application/json', ...(healthy ? {} : { 'retry-after': '1' }) },
          body: JSON.stringify({ ...readiness, ...(readiness.ready && !healthy ? { status: 'degraded' } : {}), services: [...handlers.keys()], components }),
        };
      }
      if (url.pathname === '/_local/state') {
        const state = { ...(await collectState(modules, options.extraState)), components: supervisedStatuses() };
        return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(state, null, 2) };
      }
    }

    let body: Buffer;
    try {
      body = await readBody(request, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        return fail(new AwsServiceError('RequestEntityTooLarge', `Request body exceeds the local cloud's limit of ${maxBody} bytes`, 413));
      }
      throw error;
    }

    if (!route.service) {
      return fail(
        new AwsServiceError(
          'UnrecognizedServiceException',
          `Cannot tell which AWS service ${request.method} ${url.pathname} is for: sign the request with SigV4 (its credential scope names the service) or send an X-Amz-Target header`,
        ),
      );
    }
    const handler = handlers.get(route.service);
    if (!handler) {
      // 400, not 5xx: the SDK retries server errors, and retrying cannot help here.
      return fail(
        new AwsServiceError(
          'ServiceNotEmulated',
          `The local cloud does not emulate the '${route.service}' service${route.operation ? ` (operation ${route.operation})` : ''}; emulated: ${[...handlers.keys()].sort().join(', ')}`,
        ),
      );
    }
    const awsRequest: AwsRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
      service: route.service,
      operation: route.operation,
      // Unsigned calls (Cognito sign-in, an SDK without credentials) carry no region: the local one.
      region: route.via === 'credential-scope' || route.via === 'presigned-credential' ? route.region : (options.region ?? route.region),
      accountId: route.accountId,
    };
    try {
      await options.authorize?.({ request: awsRequest, rawUrl: request.url ?? '/', protocol, sourceIp: request.socket.remoteAddress });
      // After IAM, as in AWS: a role without the grant is denied before it learns the resource is not there.
      const elsewhere = options.region ? answerForOtherRegion(awsRequest, options.region, protocol) : undefined;
      if (elsewhere) return { ...elsewhere, headers: { 'x-amzn-requestid': requestId, ...elsewhere.headers } };
    } catch (error) {
      if (error instanceof AwsServiceError) return fail(error);
      throw error;
    }
    try {
      const response = await handler.handle(awsRequest);
      return { ...response, headers: { 'x-amzn-requestid': requestId, ...response.headers } };
    } catch (error) {
      if (error instanceof AwsServiceError) return fail(error);
      const message = error instanceof Error ? error.message : String(error);
      log('edge: unexpected handler failure', { service: route.service, operation: route.operation, path: url.pathname, error: message, stack: (error as Error)?.stack });
      const code = protocol === 'restXml' ? 'InternalError' : 'InternalFailure';
      return fail(new AwsServiceError(code, `Local ${route.service} failed: ${message.split('\n')[0]}`, 500));
    }
  }

  let localRoutes: LocalRoutes | undefined;
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    if (localRoutes && path.startsWith('/_local/') && !request.headers.authorization) {
      const url = new URL(path, 'http://edge');
      if (url.pathname !== '/_local/health' && url.pathname !== '/_local/state') {
        localRoutes(request, response, url)
          .then((handled) => (handled ? undefined : respond(request, response)))
          .catch((error: unknown) => {
            log('edge: local route failed', { path: url.pathname, error: error instanceof Error ? error.stack : String(error) });
            if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' }).end('Local console failure');
            else response.destroy();
          });
        return;
      }
    }
    respond(request, response);
  });
  function respond(request: IncomingMessage, response: ServerResponse): void {
    handle(request)
      .then((result) => send(response, result, result.headers?.['x-amzn-requestid'] ?? newRequestId(), request.headers.origin))
      .catch((error: unknown) => {
        // Last resort (a bug in the edge itself): still one line, never a stack trace.
        log('edge: request failed', { error: error instanceof Error ? error.stack : String(error) });
        if (!response.headersSent) {
          send(response, renderError(new AwsServiceError('InternalFailure', 'Local edge failure', 500), 'restJson1', newRequestId()), newRequestId());
        } else {
          response.destroy();
        }
      });
  }
  // Proxied services and Lambda invocations can be slow; never cut a request off on our side.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host.bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${host.advertised}:${port}`,
    port,
    setModules,
    setLocalRoutes: (handler) => {
      localRoutes = handler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
