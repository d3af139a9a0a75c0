/**
 * Pre token generation V2 (`lambda_version = "V2_0"`/`"V3_0"`) on top of cognito-local 5.3, which
 * only knows the V1 trigger: it sends a V1-shaped event without groups, and applies the answer's
 * `claimsOverrideDetails` to the ID token only (its access token is never customised).
 *
 * So, for a V2 pool:
 * 1. {@link v2Event} turns cognito-local's V1 event into the event AWS sends (`version` "2",
 *    `request.groupConfiguration` with the user's groups, `request.scopes`);
 * 2. {@link toCognitoLocalAnswer} maps the function's V2 answer onto the V1 answer cognito-local
 *    applies to the ID token, and carries what it cannot apply (the access token's changes, the
 *    group override) in one extra ID-token claim, {@link ACCESS_TOKEN_PLAN_CLAIM};
 * 3. {@link finishTokens} runs on the API answer that holds the tokens: it applies that plan to
 *    the access token, drops the carrier claim from the ID token, and signs both again with
 *    cognito-local's own key (same `kid`, so the pool's JWKS still verifies them).
 *
 * Nothing in cognito-local is patched; the carrier claim never leaves the edge.
 */
import { createSign } from 'node:crypto';
import { createRequire } from 'node:module';

/** ID-token claim carrying the access token's changes from the dispatcher to the API answer. */
export const ACCESS_TOKEN_PLAN_CLAIM = 'local-cloud:access-token-plan';

/** The scope cognito-local writes into every access token (it has no other scopes). */
export const COGNITO_LOCAL_SCOPES = ['aws.cognito.signin.user.admin'];

/** cognito-local's own list for the ID token (it filters these out of V1 answers). */
export const RESERVED_CLAIMS = ['acr', 'amr', 'aud', 'at_hash', 'auth_time', 'azp', 'cognito:username', 'exp', 'iat', 'identities', 'iss', 'jti', 'nbf', 'nonce', 'origin_jti', 'sub', 'token_use'];
/** The access token's identity fields stay Cognito's too; `scope` changes only through scopesToAdd/Suppress, groups only through groupOverrideDetails. */
const ACCESS_TOKEN_RESERVED = new Set([...RESERVED_CLAIMS, 'client_id', 'event_id', 'scope', 'username', 'version', 'cognito:groups']);

export interface GroupInfo {
  name: string;
  precedence?: number;
  roleArn?: string;
}

interface TokenChanges {
  claimsToAddOrOverride?: Record<string, unknown> | null;
  claimsToSuppress?: string[] | null;
  scopesToAdd?: string[] | null;
  scopesToSuppress?: string[] | null;
}

interface GroupOverride {
  groupsToOverride?: string[] | null;
  iamRolesToOverride?: string[] | null;
  preferredRole?: string | null;
}

/** What {@link finishTokens} applies to the access token. */
interface AccessTokenPlan {
  claimsToAddOrOverride: Record<string, unknown>;
  claimsToSuppress: string[];
  scopesToAdd: string[];
  scopesToSuppress: string[];
  /** Present when the function overrode the groups. */
  groups?: string[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * The V2 event AWS sends for a V1-shaped event from cognito-local. Groups come in precedence order
 * (lowest first, as Cognito orders `cognito:groups`); `preferredRole` is the role of the first group that has one.
 *
 * @example
 * v2Event(cognitoLocalEvent, [{ name: 'customers', precedence: 10 }], { region: 'us-east-1', version: '2' })
 * // { version: '2', triggerSource: 'TokenGeneration_Authentication', request: { groupConfiguration: { groupsToOverride: ['customers'], … }, scopes: […] }, response: { claimsAndScopeOverrideDetails: null } }
 */
export function v2Event(event: Record<string, unknown>, groups: readonly GroupInfo[], options: { region: string; version: '2' | '3' }): Record<string, unknown> {
  const request = isRecord(event.request) ? event.request : {};
  const ordered = [...groups].sort((a, b) => (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name));
  const roles = ordered.flatMap((group) => (group.roleArn ? [group.roleArn] : []));
  return {
    version: options.version,
    triggerSource: event.triggerSource,
    region: options.region,
    userPoolId: event.userPoolId,
    userName: event.userName,
    callerContext: event.callerContext,
    request: {
      userAttributes: request.userAttributes ?? {},
      groupConfiguration: { groupsToOverride: ordered.map((group) => group.name), iamRolesToOverride: roles, preferredRole: roles[0] ?? null },
      scopes: COGNITO_LOCAL_SCOPES,
      ...(isRecord(request.clientMetadata) ? { clientMetadata: request.clientMetadata } : {}),
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

/**
 * The V1 answer cognito-local understands, from a V2 function's answer (the whole returned event):
 * ID-token claims and suppressions as they are, the group override as `cognito:groups` (and
 * `cognito:roles`/`cognito:preferred_role`), and the access token's plan in the carrier claim.
 */
export function toCognitoLocalAnswer(returned: unknown): Record<string, unknown> {
  const response = isRecord(returned) && isRecord(returned.response) ? returned.response : {};
  const details = isRecord(response.claimsAndScopeOverrideDetails) ? response.claimsAndScopeOverrideDetails : {};
  const id: TokenChanges = isRecord(details.idTokenGeneration) ? details.idTokenGeneration : {};
  const access: TokenChanges = isRecord(details.accessTokenGeneration) ? details.accessTokenGeneration : {};
  const groupOverride: GroupOverride | undefined = isRecord(details.groupOverrideDetails) ? details.groupOverrideDetails : undefined;

  const idClaims: Record<string, unknown> = { ...(isRecord(id.claimsToAddOrOverride) ? id.claimsToAddOrOverride : {}) };
  const idSuppress = strings(id.claimsToSuppress);
  const groups = groupOverride && Array.isArray(groupOverride.groupsToOverride) ? strings(groupOverride.groupsToOverride) : undefined;
  if (groups !== undefined) {
    // An empty override removes the claim, as Cognito writes no `cognito:groups` for a user without groups.
    if (groups.length > 0) idClaims['cognito:groups'] = groups;
    else idSuppress.push('cognito:groups');
    const roles = strings(groupOverride?.iamRolesToOverride);
    if (roles.length > 0) idClaims['cognito:roles'] = roles;
    if (typeof groupOverride?.preferredRole === 'string') idClaims['cognito:preferred_role'] = groupOverride.preferredRole;
  }
  const plan: AccessTokenPlan = {
    claimsToAddOrOverride: isRecord(access.claimsToAddOrOverride) ? access.claimsToAddOrOverride : {},
    claimsToSuppress: strings(access.claimsToSuppress),
    scopesToAdd: strings(access.scopesToAdd),
    scopesToSuppress: strings(access.scopesToSuppress),
    ...(groups !== undefined ? { groups } : {}),
  };
  idClaims[ACCESS_TOKEN_PLAN_CLAIM] = plan;
  return { ...(isRecord(returned) ? returned : {}), response: { claimsOverrideDetails: { claimsToAddOrOverride: idClaims, claimsToSuppress: idSuppress } } };
}

/** The plan as read back from a token (built by {@link toCognitoLocalAnswer}; checked anyway). */
function planOf(value: Record<string, unknown>): AccessTokenPlan {
  return {
    claimsToAddOrOverride: isRecord(value.claimsToAddOrOverride) ? value.claimsToAddOrOverride : {},
    claimsToSuppress: strings(value.claimsToSuppress),
    scopesToAdd: strings(value.scopesToAdd),
    scopesToSuppress: strings(value.scopesToSuppress),
    ...(Array.isArray(value.groups) ? { groups: strings(value.groups) } : {}),
  };
}

function applyPlan(access: Record<string, unknown>, plan: AccessTokenPlan): Record<string, unknown> {
  const result: Record<string, unknown> = { ...access };
  for (const [claim, value] of Object.entries(plan.claimsToAddOrOverride)) if (!ACCESS_TOKEN_RESERVED.has(claim)) result[claim] = value;
  for (const claim of plan.claimsToSuppress) if (!ACCESS_TOKEN_RESERVED.has(claim)) delete result[claim];
  if (plan.groups !== undefined) {
    if (plan.groups.length > 0) result['cognito:groups'] = plan.groups;
    else delete result['cognito:groups'];
  }
  if (plan.scopesToAdd.length > 0 || plan.scopesToSuppress.length > 0) {
    const scopes = String(result.scope ?? '').split(' ').filter((scope) => scope !== '' && !plan.scopesToSuppress.includes(scope));
    for (const scope of plan.scopesToAdd) if (!scopes.includes(scope)) scopes.push(scope);
    result.scope = scopes.join(' ');
  }
  return result;
}

let signingKey: string | undefined;
/** cognito-local's private key (the one behind its JWKS `kid: CognitoLocal`). */
function cognitoLocalKey(): string {
  signingKey ??= (createRequire(import.meta.url)('cognito-local/lib/keys/cognitoLocal.private.json') as { pem: string }).pem;
  return signingKey;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  const [header, payload] = token.split('.');
  if (!header || !payload) return undefined;
  try {
    return { header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>, payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/** Signs `payload` as cognito-local does: RS256 with its key, the original header (alg, typ, kid). */
export function sign(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(cognitoLocalKey()).toString('base64url')}`;
}

/**
 * Completes the tokens of one API answer (`AuthenticationResult` of InitiateAuth,
 * RespondToAuthChallenge and their admin forms): when the ID token carries an access-token plan,
 * applies it to the access token and removes it from the ID token, re-signing both. Anything
 * else is returned unchanged.
 */
export function finishTokens(body: Record<string, unknown>): { body: Record<string, unknown>; changed: boolean } {
  const result = body.AuthenticationResult;
  if (!isRecord(result) || typeof result.IdToken !== 'string' || typeof result.AccessToken !== 'string') return { body, changed: false };
  const id = decode(result.IdToken);
  const access = decode(result.AccessToken);
  if (!id || !access || !isRecord(id.payload[ACCESS_TOKEN_PLAN_CLAIM])) return { body, changed: false };
  const { [ACCESS_TOKEN_PLAN_CLAIM]: plan, ...idPayload } = id.payload;
  return {
    body: { ...body, AuthenticationResult: { ...result, IdToken: sign(id.header, idPayload), AccessToken: sign(access.header, applyPlan(access.payload, planOf(plan as Record<string, unknown>))) } },
    changed: true,
  };
}
