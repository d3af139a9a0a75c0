/**
 * Serves the local console: the page at `/_local/console`, its script (the
 * Preact app under `ui/`, bundled by esbuild on first request and kept in
 * memory), and the JSON API routes. Mounted on the edge port, so the console
 * is wherever the endpoint is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleRoutes } from './api';
import { ConsoleError, matchPath } from './routes';
import type { ConsoleDeps, ConsoleRoute } from './routes';

const UI_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'ui', 'main.tsx');
const MAX_BODY = 1024 * 1024;

/** Handles a `/_local/…` request; resolves `false` when no console route claims it. */
export type LocalRouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;

export function createConsoleHandler(deps: ConsoleDeps): LocalRouteHandler {
  const routes = consoleRoutes(deps);
  let script: Promise<string> | undefined;
  const bundle = () => (script ??= buildUi().catch((error: unknown) => ((script = undefined), Promise.reject(error))));

  return async (request, response, url) => {
    const method = request.method ?? 'GET';
    if (method === 'GET' && (url.pathname === '/_local/console' || url.pathname === '/_local/console/')) {
      send(response, 200, 'text/html; charset=utf-8', PAGE);
      return true;
    }
    if (method === 'GET' && url.pathname === '/_local/console/app.js') {
      try {
        send(response, 200, 'text/javascript; charset=utf-8', await bundle());
      } catch (error) {
        send(response, 500, 'text/plain; charset=utf-8', `The console's script failed to build: ${(error as Error).message}`);
      }
      return true;
    }
    if (method === 'GET' && url.pathname === '/_local/api') {
      sendJson(response, 200, { routes: routes.map(({ method: verb, path, summary }) => ({ method: verb, path, summary })) });
      return true;
    }
    const found = findRoute(routes, method, url.pathname);
    if (!found) return false;
    try {
      const body = method === 'GET' || method === 'DELETE' ? undefined : await readJson(request);
      const answer = await found.route.handle({ method, url, params: found.params, body, request, response });
      if (answer) sendJson(response, answer.status ?? 200, answer.body, answer.headers);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
      } else if (error instanceof ConsoleError) {
        sendJson(response, error.status, { error: error.message, ...error.details });
      } else {
        deps.context.log('console: request failed', { path: url.pathname, error: (error as Error)?.stack ?? String(error) });
        sendJson(response, 500, { error: `The console failed: ${(error as Error)?.message ?? String(error)}` });
      }
    }
    return true;
  };
}

function findRoute(routes: readonly ConsoleRoute[], method: string, pathname: string) {
  for (const route of routes) {
    if (route.method !== method) continue;
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return undefined;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ConsoleError(413, `Request body exceeds ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConsoleError(400, `The request body is not JSON: ${(error as Error).message}`);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

async function buildUi(): Promise<string> {
  // esbuild is a workspace dev dependency (functions are bundled with it); loaded only when the console is opened.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [UI_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local console · Kestrel</title>
<link rel="icon" href="data:,">
</head>
<body>
<div id="app"><p>Loading the console…</p></div>
<script type="module" src="/_local/console/app.js"></script>
</body>
</html>`;
