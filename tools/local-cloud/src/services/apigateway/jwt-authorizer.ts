/**
 * HTTP API JWT authorizers (API Gateway Developer Guide, "Controlling access
 * to HTTP APIs with JWT authorizers"): the token comes from the identity
 * source (optionally prefixed `Bearer `), its signature is checked against
 * the issuer's JWKS, `iss` must equal the configured issuer, `aud` — or
 * `client_id`, which Cognito access tokens carry instead — must be one of
 * the configured audiences, `exp`/`nbf` must hold, and a route with
 * authorization scopes needs at least one of them in `scope`/`scp`.
 *
 * Issuer mapping: stacks configure Cognito's AWS issuer,
 * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. Locally
 * cognito-local signs tokens with `iss = <edge endpoint>/<userPoolId>` and
 * the edge serves that pool's keys at `<edge endpoint>/<userPoolId>/.well-known/jwks.json`,
 * so the authorizer verifies against that issuer and JWKS instead — the same
 * checks, with the local issuer standing in for the AWS one. Any other
 * issuer is used as configured, with its keys at `<issuer>/.well-known/jwks.json`.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { JwtExpiredError } from 'aws-jwt-verify/error';

export interface JwtAuthorizerConfig {
  id: string;
  name: string;
  identitySource: string[];
  issuer: string;
  audience: string[];
}

export type AuthorizationResult =
  | { ok: true; claims: Record<string, string>; scopes: string[] | null }
  | { ok: false; status: 401 | 403; message: 'Unauthorized' | 'Forbidden'; reason: string };

const COGNITO_ISSUER = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/([\w-]+_[A-Za-z0-9]+)$/;

/**
 * The issuer and JWKS URI to verify against locally.
 *
 * @example
 * localIssuer('https://cognito-idp.us-east-1.amazonaws.com/local_4KsGZ2kx', 'http://127.0.0.1:4566')
 * // { issuer: 'http://127.0.0.1:4566/local_4KsGZ2kx', jwksUri: 'http://127.0.0.1:4566/local_4KsGZ2kx/.well-known/jwks.json' }
 */
export function localIssuer(configured: string, endpoint: string): { issuer: string; jwksUri: string } {
  const cognito = COGNITO_ISSUER.exec(configured);
  const issuer = cognito ? `${endpoint}/${cognito[1]}` : configured.replace(/\/$/, '');
  return { issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
}

/**
 * A claim value as API Gateway passes it in `requestContext.authorizer.jwt.claims`:
 * every value is a string; arrays become `[a b c]` (bracketed, space-separated —
 * e.g. `cognito:groups`), objects `map[key:value …]` with sorted keys.
 */
export function stringifyClaim(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(stringifyClaim).join(' ')}]`;
  if (value && typeof value === 'object') {
    return `map[${Object.keys(value)
      .sort()
      .map((key) => `${key}:${stringifyClaim((value as Record<string, unknown>)[key])}`)
      .join(' ')}]`;
  }
  return '';
}

function tokenScopes(payload: Record<string, unknown>): string[] | null {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.map(String);
  if (typeof payload.scp === 'string') return payload.scp.split(' ').filter(Boolean);
  return null;
}

/** Reads `$request.header.X` from lower-cased request headers. */
function identity(source: string, headers: Record<string, string | undefined>): string | undefined {
  const match = /^\$request\.header\.(.+)$/.exec(source);
  if (!match) return undefined;
  return headers[(match[1] as string).toLowerCase()];
}

export class JwtAuthorizer {
  private readonly verifier: ReturnType<typeof JwtVerifier.create>;

  constructor(
    readonly config: JwtAuthorizerConfig,
    endpoint: string,
    fetchText: (uri: string) => Promise<ArrayBuffer> = defaultFetch,
  ) {
    for (const source of config.identitySource) {
      if (!source.startsWith('$request.header.')) throw new Error(`JWT authorizer ${config.name}: identity source '${source}' is not supported (only $request.header.<name>)`);
    }
    const { issuer, jwksUri } = localIssuer(config.issuer, endpoint);
    const audience = config.audience;
    this.verifier = JwtVerifier.create(
      {
        issuer,
        jwksUri,
        // Checked below: API Gateway accepts `client_id` (Cognito access tokens) as well as `aud`.
        audience: null,
        customJwtCheck: ({ payload }) => {
          const audiences = [payload.aud, payload.client_id].flat().filter((value): value is string => typeof value === 'string');
          if (!audiences.some((value) => audience.includes(value))) {
            throw new Error(`token audience ${JSON.stringify(audiences)} is not one of ${JSON.stringify(audience)}`);
          }
        },
      },
      { jwksCache: new SimpleJwksCache({ fetcher: { fetch: fetchText } }) },
    );
  }

  /**
   * Authorizes a request for a route requiring `scopes` (empty: any valid token).
   *
   * @example
   * const result = await authorizer.authorize({ authorization: `Bearer ${token}` }, ['customers/read']);
   */
  async authorize(headers: Record<string, string | undefined>, scopes: readonly string[]): Promise<AuthorizationResult> {
    let raw: string | undefined;
    for (const source of this.config.identitySource) raw ??= identity(source, headers);
    if (!raw) return { ok: false, status: 401, message: 'Unauthorized', reason: 'no token in the identity source' };
    const token = raw.replace(/^Bearer\s+/i, '').trim();
    let payload: Record<string, unknown>;
    try {
      payload = (await this.verifier.verify(token)) as Record<string, unknown>;
    } catch (error) {
      const reason = error instanceof JwtExpiredError ? 'the token has expired' : (error as Error).message;
      return { ok: false, status: 401, message: 'Unauthorized', reason };
    }
    const granted = tokenScopes(payload);
    if (scopes.length && !scopes.some((scope) => granted?.includes(scope))) {
      return { ok: false, status: 403, message: 'Forbidden', reason: `the token has none of the route's scopes ${JSON.stringify(scopes)}` };
    }
    const claims: Record<string, string> = {};
    for (const [key, value] of Object.entries(payload)) {
      if (value !== null && value !== undefined) claims[key] = stringifyClaim(value);
    }
    return { ok: true, claims, scopes: granted };
  }
}

async function defaultFetch(uri: string): Promise<ArrayBuffer> {
  const response = await fetch(uri);
  if (response.status !== 200) throw new Error(`JWKS at ${uri} answered ${response.status}`);
  return response.arrayBuffer();
}
