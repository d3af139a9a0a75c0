/**
 * HTTP API route keys and route selection (API Gateway Developer Guide,
 * "Routing API requests" for HTTP APIs): a full match of method and path
 * wins over a path with variables, which wins over a greedy `{proxy+}`;
 * a specific method wins over `ANY`; `$default` catches the rest. Path
 * parameter values are URL-decoded, as API Gateway passes them.
 */

export type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface ParsedRouteKey {
  routeKey: string;
  /** Upper-case method, `ANY`, or undefined for `$default`. */
  method?: string;
  /** As written, e.g. `/customers/{customerId}`. */
  path?: string;
  segments: Segment[];
}

const METHODS = new Set(['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * Parses `GET /customers/{customerId}`, `ANY /{proxy+}` or `$default`.
 *
 * @throws Error describing what is wrong with the route key.
 * @example
 * parseRouteKey('GET /customers/{customerId}').segments // [literal customers, param customerId]
 */
export function parseRouteKey(routeKey: string): ParsedRouteKey {
  if (routeKey === '$default') return { routeKey, segments: [] };
  const match = /^(\S+) (\/\S*)$/.exec(routeKey);
  if (!match) throw new Error(`route key '${routeKey}' must be '$default' or '<METHOD> /<path>'`);
  const method = (match[1] as string).toUpperCase();
  if (!METHODS.has(method)) throw new Error(`route key '${routeKey}': method must be one of ${[...METHODS].join(', ')}`);
  const path = match[2] as string;
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments: Segment[] = parts.map((part, index) => {
    const variable = /^\{([A-Za-z0-9._-]+)(\+)?\}$/.exec(part);
    if (variable) {
      if (variable[2] && index !== parts.length - 1) throw new Error(`route key '${routeKey}': the greedy variable {${variable[1]}+} must be the last path segment`);
      return variable[2] ? { kind: 'greedy', name: variable[1] as string } : { kind: 'param', name: variable[1] as string };
    }
    if (part === '' || /[{}]/.test(part)) throw new Error(`route key '${routeKey}': segment '${part}' is not a valid path segment`);
    return { kind: 'literal', text: part };
  });
  return { routeKey, method, path, segments };
}

export interface RouteMatch<T> {
  route: T;
  pathParameters?: Record<string, string>;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Specificity, compared element by element: higher wins. */
function score(route: ParsedRouteKey): number[] {
  const greedy = route.segments.some((segment) => segment.kind === 'greedy');
  const segments = route.segments.map((segment) => (segment.kind === 'literal' ? 3 : segment.kind === 'param' ? 2 : 1));
  return [greedy ? 0 : 1, ...segments, route.method === 'ANY' ? 0 : 1];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function matchPath(route: ParsedRouteKey, parts: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i] as Segment;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      parameters[segment.name] = decode(rest.join('/'));
      return parameters;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (decode(part) !== segment.text) return undefined;
    } else {
      if (part === '') return undefined;
      parameters[segment.name] = decode(part);
    }
  }
  return parts.length === route.segments.length ? parameters : undefined;
}

/**
 * Selects the route for a request, or undefined (API Gateway answers 404 `{"message":"Not Found"}`).
 *
 * @example
 * selectRoute(routes, 'GET', '/customers/42', (route) => route.parsed)
 */
export function selectRoute<T>(routes: readonly T[], method: string, path: string, parsed: (route: T) => ParsedRouteKey): RouteMatch<T> | undefined {
  const parts = path === '/' || path === '' ? [] : path.slice(1).split('/');
  let best: { route: T; parameters: Record<string, string>; score: number[] } | undefined;
  let fallback: T | undefined;
  for (const route of routes) {
    const key = parsed(route);
    if (key.routeKey === '$default') {
      fallback = route;
      continue;
    }
    if (key.method !== 'ANY' && key.method !== method.toUpperCase()) continue;
    const parameters = matchPath(key, parts);
    if (!parameters) continue;
    const routeScore = score(key);
    if (!best || compare(routeScore, best.score) > 0) best = { route, parameters, score: routeScore };
  }
  if (best) return { route: best.route, pathParameters: Object.keys(best.parameters).length ? best.parameters : undefined };
  return fallback === undefined ? undefined : { route: fallback };
}
