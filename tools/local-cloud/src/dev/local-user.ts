/**
 * A developer's first authenticated call: signs a user up in the running local cloud's
 * user pool as the mobile app does, confirms the sign-up with the code Cognito would
 * email (read from the local cloud, see `services/cognito/code-deliveries.ts`), adds
 * the user to `staff` when asked, signs in, and prints the tokens and a ready-to-paste
 * `curl` line for every HTTP API route the running cloud serves.
 *
 *   npm run local:user -- --email ada@example.com [--staff] [--password …]
 *
 * Runs against `LOCAL_CLOUD_ENDPOINT`, else `http://127.0.0.1:$LOCAL_CLOUD_PORT` (4566).
 */
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_REGION } from '../core/types';

/** What `/_local/state` says about user pools, codes and HTTP APIs (the parts used here). */
export interface LocalState {
  /** The one region the local cloud runs (calls signed for another see no resources). */
  region?: string;
  ready?: boolean;
  userPools?: Array<{ id: string; name: string; clients: Array<{ id: string; name: string }> }>;
  codeDeliveries?: Array<{ username: string; destination?: string; code: string; at: string }>;
  httpApis?: Array<{ name: string; url: string; routes: string[] }>;
}

export interface LocalUserOptions {
  endpoint: string;
  email: string;
  /** Default: one that satisfies identity's password policy. */
  password?: string;
  /** Add the user to the `staff` group (catalog changes need it). */
  staff?: boolean;
  log?: (message: string) => void;
}

export interface LocalUser {
  email: string;
  password: string;
  sub: string;
  groups: string[];
  poolId: string;
  clientId: string;
  idToken: string;
  accessToken: string;
  /** The claims of the ID token (what the HTTP APIs' authorizers pass on). */
  claims: Record<string, unknown>;
  /** How the sign-up was confirmed. */
  confirmedWith: 'emailed code' | 'already confirmed';
}

export const DEFAULT_LOCAL_PASSWORD = 'local-Passw0rd-2026';
export const STAFF_GROUP = 'staff';
const CODE_WAIT_MS = 15_000;

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** `GET /_local/state` of a running local cloud, with a clear error when none answers. */
export async function readLocalState(endpoint: string): Promise<LocalState> {
  let response: Response;
  try {
    response = await fetch(`${endpoint}/_local/state`);
  } catch (error) {
    throw new Error(`No local cloud answers at ${endpoint} (${(error as Error).message}). Start one with npm start (LOCAL_CLOUD_PORT=${new URL(endpoint).port} if not 4566).`);
  }
  if (!response.ok) throw new Error(`${endpoint}/_local/state answered ${response.status}`);
  return (await response.json()) as LocalState;
}

/**
 * The state once every stack is applied: a local cloud that reports `ready: false` (still
 * applying) is waited for, up to two minutes; one that does not report readiness is taken as is.
 */
async function readyState(endpoint: string, log: (message: string) => void): Promise<LocalState> {
  const deadline = Date.now() + 120_000;
  let state = await readLocalState(endpoint);
  if (state.ready === false) log('The local cloud is still applying its stacks: waiting…');
  while (state.ready === false && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    state = await readLocalState(endpoint);
  }
  return state;
}

function decodeClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (!payload) throw new Error('the ID token is not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The identity service's pool (`…-identity-users`) and its mobile app client, or the only pool there is. */
export function identityPool(state: LocalState, endpoint: string): { poolId: string; clientId: string } {
  const pools = state.userPools ?? [];
  const pool = pools.find((candidate) => candidate.name.endsWith('-identity-users')) ?? (pools.length === 1 ? pools[0] : undefined);
  if (!pool) {
    throw new Error(
      `No identity user pool in the local cloud at ${endpoint} (pools: ${pools.map((candidate) => candidate.name).join(', ') || 'none'}). Is the identity stack applied? See npm start's output.`,
    );
  }
  const client = pool.clients.find((candidate) => candidate.name.endsWith('-mobile')) ?? pool.clients[0];
  if (!client) throw new Error(`User pool ${pool.name} (${pool.id}) has no app client`);
  return { poolId: pool.id, clientId: client.id };
}

async function waitForCode(endpoint: string, email: string, since: string): Promise<string | undefined> {
  const deadline = Date.now() + CODE_WAIT_MS;
  while (Date.now() < deadline) {
    const state = await readLocalState(endpoint);
    const delivery = (state.codeDeliveries ?? []).filter((entry) => entry.destination?.toLowerCase() === email.toLowerCase() && entry.at >= since).at(-1);
    if (delivery) return delivery.code;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}

/**
 * Signs a user up, confirms, optionally makes them staff, and signs them in.
 * Running it again for the same email signs the existing user in (with the same password).
 *
 * @example
 * const user = await createLocalUser({ endpoint: 'http://127.0.0.1:4566', email: 'ada@example.com', staff: true });
 * await fetch(`${catalogUrl}/products`, { method: 'POST', headers: { authorization: `Bearer ${user.idToken}` }, body });
 */
export async function createLocalUser(options: LocalUserOptions): Promise<LocalUser> {
  const log = options.log ?? (() => undefined);
  const password = options.password ?? DEFAULT_LOCAL_PASSWORD;
  const state = await readyState(options.endpoint, log);
  const { poolId, clientId } = identityPool(state, options.endpoint);
  const cognito = new CognitoIdentityProviderClient({ endpoint: options.endpoint, region: state.region ?? LOCAL_REGION, credentials });
  try {
    let confirmedWith: LocalUser['confirmedWith'] = 'already confirmed';
    const since = new Date(Date.now() - 1000).toISOString();
    try {
      const signUp = await cognito.send(
        new SignUpCommand({ ClientId: clientId, Username: options.email, Password: password, UserAttributes: [{ Name: 'email', Value: options.email }] }),
      );
      log(`Signed up ${options.email} in ${poolId}.`);
      if (!signUp.UserConfirmed) {
        const code = await waitForCode(options.endpoint, options.email, since);
        if (!code) {
          // Without a code there is no honest way to confirm as the user would; the admin call is the fallback AWS offers too.
          log(`No confirmation code seen within ${CODE_WAIT_MS / 1000} s; confirming with AdminConfirmSignUp instead.`);
          await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: options.email }));
        } else {
          await cognito.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: options.email, ConfirmationCode: code }));
          log(`Confirmed with the emailed code ${code} (printed by npm start; locally nothing is sent).`);
        }
        confirmedWith = 'emailed code';
      }
    } catch (error) {
      if ((error as Error).name !== 'UsernameExistsException') throw error;
      log(`${options.email} already exists: signing in.`);
    }
    if (options.staff) {
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: options.email, GroupName: STAFF_GROUP }));
      log(`Added ${options.email} to the '${STAFF_GROUP}' group.`);
    }
    let auth;
    try {
      auth = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: options.email, PASSWORD: password } }));
    } catch (error) {
      if ((error as Error).name === 'NotAuthorizedException') {
        throw new Error(`${options.email} exists with another password: pass it with --password, or use another --email`);
      }
      throw error;
    }
    const idToken = auth.AuthenticationResult?.IdToken;
    const accessToken = auth.AuthenticationResult?.AccessToken;
    if (!idToken || !accessToken) throw new Error(`Sign-in of ${options.email} returned no tokens (challenge: ${auth.ChallengeName ?? 'none'})`);
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: options.email }));
    const claims = decodeClaims(idToken);
    return {
      email: options.email,
      password,
      sub: user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? String(claims.sub ?? ''),
      groups: Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [],
      poolId,
      clientId,
      idToken,
      accessToken,
      claims,
      confirmedWith,
    };
  } finally {
    cognito.destroy();
  }
}

/**
 * The shell variable holding an HTTP API's URL: `kestrel-staging-catalog-http` → `CATALOG_API`.
 *
 * @example
 * apiVariable('kestrel-staging-analytics-ingest-http') // 'ANALYTICS_INGEST_API'
 */
export function apiVariable(apiName: string): string {
  const service = apiName.replace(/-http$/, '').replace(/^kestrel-[a-z0-9]+-/, '');
  return `${service.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}_API`;
}

/**
 * The `export` lines that make the curl lines work: tokens, the caller's customer id and each API's URL.
 * Values are single-quoted for the shell (JWTs and URLs hold no quotes).
 */
export function exportLines(state: LocalState, user: Pick<LocalUser, 'sub' | 'claims' | 'idToken' | 'accessToken'>): string[] {
  return [
    `export ID_TOKEN='${user.idToken}'`,
    `export ACCESS_TOKEN='${user.accessToken}'`,
    `export CUSTOMER_ID='${String(user.claims.customerId ?? user.sub)}'`,
    ...(state.httpApis ?? []).map((api) => `export ${apiVariable(api.name)}='${api.url.replace(/\/$/, '')}'`),
  ];
}

/**
 * One `curl` line per route of every HTTP API in the state (reads first), using the
 * variables of {@link exportLines}; other path parameters become variables to set.
 *
 * @example
 * curlLines(state)
 * // ['# kestrel-staging-catalog-http', 'curl -s "$CATALOG_API/products/$PRODUCT_ID" -H "authorization: Bearer $ID_TOKEN"', …]
 */
export function curlLines(state: LocalState): string[] {
  const lines: string[] = [];
  const readsFirst = (a: string, b: string) => Number(!a.startsWith('GET ')) - Number(!b.startsWith('GET ')) || a.localeCompare(b);
  for (const api of state.httpApis ?? []) {
    lines.push(`# ${api.name}`);
    for (const routeKey of [...api.routes].sort(readsFirst)) {
      const [method, path] = routeKey.split(' ');
      if (!method || !path) continue;
      const url = `$${apiVariable(api.name)}${path.replace(/\{([^}+]+)\+?\}/g, (_whole, name: string) => `$${name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`)}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? ` -H 'content-type: application/json' -d '{}'` : '';
      lines.push(`curl -s${method === 'GET' ? '' : ` -X ${method}`} "${url}" -H "authorization: Bearer $ID_TOKEN"${body}`);
    }
  }
  return lines;
}

/** The endpoint from LOCAL_CLOUD_ENDPOINT or LOCAL_CLOUD_PORT. */
export function localCloudEndpoint(environment: NodeJS.ProcessEnv = process.env): string {
  return environment.LOCAL_CLOUD_ENDPOINT ?? `http://127.0.0.1:${environment.LOCAL_CLOUD_PORT ?? '4566'}`;
}
