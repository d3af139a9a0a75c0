/**
 * Services and APIs: each service from its manifest (`apps/<service>/service.ts`)
 * beside what the local cloud has deployed of it, who publishes what to whom
 * (the flow diagram's edges), every HTTP route of every applied HTTP API with
 * its authorizer, local users and their tokens, and a call to a route (the API
 * explorer; made by the local cloud, so the browser needs no CORS).
 */
import { ListUsersCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceManifest } from '@kestrel/service-manifest';
import { loadManifests } from '@kestrel/service-manifest/load';
import type { LoadedManifest } from '@kestrel/service-manifest/load';
import { createLocalUser, identityPool } from '../../dev/local-user';
import type { LocalState } from '../../dev/local-user';
import { matchesEventPattern } from '../../eventbridge/pattern';
import { ConsoleError } from '../routes';
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { clientConfig, jsonOrText, REPO_ROOT } from './local-services';
import { requireModule } from '../modules';

/** One edge of the flow diagram: `from` publishes `event`, `to` consumes it through `subscription`. */
export interface Flow {
  from: string;
  to: string;
  event: string;
  subscription: string;
}

const eventLabel = (source: string, detailType: string, version: number) => `${source} ${detailType} v${version}`;

/**
 * Who publishes what to whom, from the manifests alone: a subscription naming the event's contract,
 * or a wide one whose pattern matches the event's source and detail-type (the local cloud's matcher).
 */
export function flowsOf(manifests: readonly ServiceManifest[]): Flow[] {
  const flows: Flow[] = [];
  for (const producer of manifests) {
    for (const { event } of producer.publishes) {
      for (const consumer of manifests) {
        for (const subscription of consumer.consumes) {
          const named = subscription.events.some((ref) => ref.source === event.source && ref.detailType === event.detailType && ref.version === event.version);
          const wide =
            subscription.events.length === 0 &&
            subscription.pattern !== undefined &&
            matchesEventPattern(subscription.pattern, { source: event.source, 'detail-type': event.detailType, detail: {} });
          if (named || wide) flows.push({ from: producer.name, to: consumer.name, event: eventLabel(event.source, event.detailType, event.version), subscription: subscription.name });
        }
      }
    }
  }
  return flows;
}

/** The deployed name that ends with `-<service>-<name>` (the stacks name resources `kestrel-<env>-<service>-<name>`). */
function deployedAs(deployed: readonly string[], service: string, name: string): string | null {
  return deployed.find((candidate) => candidate.endsWith(`-${service}-${name}`)) ?? null;
}

function describeService({ manifest, file }: LoadedManifest, functions: readonly string[], tables: readonly string[]) {
  return {
    name: manifest.name,
    description: manifest.description,
    owner: manifest.owner.team,
    file,
    functions: Object.entries(manifest.functions).map(([name, declaration]) => ({
      name,
      description: declaration.description,
      triggers: declaration.triggers,
      deployedAs: deployedAs(functions, manifest.name, name),
    })),
    tables: Object.entries(manifest.tables).map(([name, declaration]) => ({
      name,
      description: declaration.description,
      stream: declaration.stream,
      deployedAs: deployedAs(tables, manifest.name, name),
    })),
    publishes: manifest.publishes.map(({ event, via, table }) => ({ event: eventLabel(event.source, event.detailType, event.version), via, ...(table ? { table } : {}) })),
    consumes: manifest.consumes.map((subscription) => ({
      name: subscription.name,
      target: subscription.target,
      events: subscription.events.map((ref) => eventLabel(ref.source, ref.detailType, ref.version)),
      ...(subscription.wide ? { wide: subscription.wide.reason, pattern: subscription.pattern } : {}),
      delivery: subscription.delivery?.kind ?? 'direct',
    })),
  };
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function servicesRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  let manifests: Promise<LoadedManifest[]> | undefined;
  const loaded = () => (manifests ??= loadManifests(REPO_ROOT).catch((error: unknown) => ((manifests = undefined), Promise.reject(error))));
  const apigateway = () => requireModule(deps, 'apigateway');
  const identity = async () => identityPool((await deps.state()) as LocalState, deps.context.endpoint);

  return [
    {
      method: 'GET',
      path: '/_local/services',
      summary: 'Each service from its manifest (owner, functions, tables, events published and consumed) with the deployed name of each function and table, and the flows between services',
      handle: async () => {
        const all = await loaded();
        const functions = requireModule(deps, 'lambda').service.registry.all().map((fn) => fn.name);
        const tables = deps.stacks().flatMap((stack) => stack.resources.filter((resource) => resource.type === 'aws_dynamodb_table').map((resource) => String(resource.attributes.name ?? '')));
        return {
          body: {
            services: all.map((entry) => describeService(entry, functions, tables)),
            flows: flowsOf(all.map((entry) => entry.manifest)),
            stacks: deps.stacks().map((stack) => ({ name: stack.name, appliedAt: stack.appliedAt, resources: stack.resources.length })),
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/_local/routes',
      summary: 'Every route of every applied HTTP API: method, path, authorization (NONE or JWT with the authorizer\'s issuer and audience, scopes), the function behind it',
      handle: () => {
        const module = apigateway();
        return {
          body: {
            apis: module.service.all().map((api) => ({
              id: api.id,
              name: api.name,
              url: module.apiUrl(api.id),
              routes: Object.values(api.routes)
                .map((route) => {
                  const [method = '', path = ''] = route.routeKey.split(' ');
                  const authorizer = route.authorizerId ? api.authorizers[route.authorizerId] : undefined;
                  const integration = route.target ? api.integrations[route.target.slice('integrations/'.length)] : undefined;
                  return {
                    routeKey: route.routeKey,
                    method,
                    path,
                    authorization: route.authorizationType,
                    ...(authorizer ? { authorizer: { name: authorizer.name, issuer: authorizer.issuer, audience: authorizer.audience } } : {}),
                    scopes: route.authorizationScopes,
                    ...(integration ? { functionName: integration.functionArn.split(':function:')[1]?.split(':')[0] ?? integration.functionArn } : {}),
                  };
                })
                .sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method)),
            })),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/_local/routes/call',
      summary: 'Calls a route of an HTTP API: body `{ apiId, method, path, token?, body?, headers? }` (the token goes in `authorization: Bearer`); answers status, headers, body and duration',
      handle: async (call) => {
        const input = (call.body ?? {}) as { apiId?: string; method?: string; path?: string; token?: string; body?: unknown; headers?: Record<string, string> };
        const module = apigateway();
        const api = input.apiId ? module.service.all().find((candidate) => candidate.id === input.apiId) : undefined;
        if (!api) throw new ConsoleError(400, `'apiId' must name an applied HTTP API`, { field: 'apiId', apis: module.service.all().map((candidate) => candidate.id) });
        const method = (input.method ?? '').toUpperCase();
        if (!METHODS.has(method)) throw new ConsoleError(400, `'method' must be one of ${[...METHODS].join(', ')}`, { field: 'method' });
        if (!input.path?.startsWith('/')) throw new ConsoleError(400, `'path' must start with /`, { field: 'path' });
        const headers: Record<string, string> = { ...(input.headers ?? {}) };
        if (input.token) headers.authorization = `Bearer ${input.token}`;
        const hasBody = input.body !== undefined && method !== 'GET' && method !== 'HEAD';
        if (hasBody) headers['content-type'] ??= 'application/json';
        const started = performance.now();
        const response = await fetch(`${module.apiUrl(api.id).replace(/\/$/, '')}${input.path}`, {
          method,
          headers,
          ...(hasBody ? { body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body) } : {}),
        });
        const body = jsonOrText(await response.text());
        return {
          body: {
            status: response.status,
            headers: Object.fromEntries(response.headers.entries()),
            body,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/_local/users',
      summary: 'The users of the identity user pool: email, sub, status',
      handle: async () => {
        const { poolId } = await identity();
        const cognito = new CognitoIdentityProviderClient(clientConfig(deps));
        try {
          const users = [];
          let token: string | undefined;
          do {
            const page = await cognito.send(new ListUsersCommand({ UserPoolId: poolId, PaginationToken: token }));
            for (const user of page.Users ?? []) {
              const attribute = (name: string) => user.Attributes?.find((candidate) => candidate.Name === name)?.Value;
              users.push({ username: user.Username, email: attribute('email') ?? user.Username, sub: attribute('sub'), status: user.UserStatus, enabled: user.Enabled });
            }
            token = page.PaginationToken;
          } while (token);
          return { body: { poolId, users } };
        } finally {
          cognito.destroy();
        }
      },
    },
    {
      method: 'POST',
      path: '/_local/users',
      summary: 'Signs a local user up (confirmed with the emailed code) or, when the email exists, signs them in; body `{ email, staff?, password? }`; answers the ID and access tokens and the claims (as `npm run local:user`)',
      handle: async (call) => {
        const input = (call.body ?? {}) as { email?: unknown; staff?: unknown; password?: unknown };
        if (typeof input.email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(input.email)) {
          throw new ConsoleError(400, `'email' must be an email address`, { field: 'email' });
        }
        if (input.password !== undefined && typeof input.password !== 'string') throw new ConsoleError(400, `'password' must be a string`, { field: 'password' });
        const log: string[] = [];
        const user = await createLocalUser({
          endpoint: deps.context.endpoint,
          email: input.email,
          staff: input.staff === true,
          ...(typeof input.password === 'string' ? { password: input.password } : {}),
          log: (line) => log.push(line),
        });
        return {
          status: 201,
          body: { email: user.email, sub: user.sub, groups: user.groups, idToken: user.idToken, accessToken: user.accessToken, claims: user.claims, confirmedWith: user.confirmedWith, log },
        };
      },
    },
  ];
}
