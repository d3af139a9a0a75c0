/**
 * What cognito-local 5.3 never does, done at the edge: the pre authentication trigger before a
 * password sign-in, and the custom authentication flow (`CUSTOM_AUTH`: define → create → the
 * app's answer → verify → define … → tokens).
 *
 * This file holds the pure parts — the events AWS sends (shapes from the developer guide's
 * "Custom authentication challenge Lambda triggers" and "Pre authentication Lambda trigger"
 * pages), the server-side sessions behind the opaque `Session` string, and the tokens, minted as
 * cognito-local mints them (same claims, RS256 with its key and `kid`, so the pool's JWKS
 * verifies them). The orchestration (reading the user, invoking the functions) is in `index.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isRecord, RESERVED_CLAIMS, sign } from './pre-token-v2';

/** One entry of the `request.session` array Cognito gives define and create. */
export interface ChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  challengeMetadata: string | null;
}

/** The user as the triggers see them. `notFound`: a user name the pool does not know, with `PreventUserExistenceErrors` on. */
export interface AuthUser {
  userName: string;
  attributes: Record<string, string>;
  groups: string[];
  notFound: boolean;
}

/** Who is calling: the pool, the app client and the caller's region. */
export interface AuthCaller {
  userPoolId: string;
  clientId: string;
  region: string;
}

const SDK_VERSION = 'aws-sdk-unknown-unknown';

/** The fields AWS puts in every trigger event. */
function commonFields(triggerSource: string, caller: AuthCaller, user: AuthUser) {
  return {
    version: '1',
    triggerSource,
    region: caller.region,
    userPoolId: caller.userPoolId,
    userName: user.userName,
    callerContext: { awsSdkVersion: SDK_VERSION, clientId: caller.clientId },
  };
}

const clientMetadataOf = (clientMetadata: Record<string, string> | undefined) => (clientMetadata && Object.keys(clientMetadata).length > 0 ? { clientMetadata } : {});

/** `PreAuthentication_Authentication`: `validationData` is the app's `ClientMetadata`, as the page says. */
export function preAuthenticationEvent(caller: AuthCaller, user: AuthUser, clientMetadata?: Record<string, string>) {
  return {
    ...commonFields('PreAuthentication_Authentication', caller, user),
    request: { userAttributes: user.attributes, validationData: clientMetadata ?? {}, ...(user.notFound ? { userNotFound: true } : {}) },
    response: {},
  };
}

export function defineAuthChallengeEvent(caller: AuthCaller, user: AuthUser, session: readonly ChallengeResult[], clientMetadata?: Record<string, string>) {
  return {
    ...commonFields('DefineAuthChallenge_Authentication', caller, user),
    request: { userAttributes: user.attributes, session: [...session], ...clientMetadataOf(clientMetadata), userNotFound: user.notFound },
    response: { challengeName: null, issueTokens: null, failAuthentication: null },
  };
}

export function createAuthChallengeEvent(caller: AuthCaller, user: AuthUser, challengeName: string, session: readonly ChallengeResult[], clientMetadata?: Record<string, string>) {
  return {
    ...commonFields('CreateAuthChallenge_Authentication', caller, user),
    request: { userAttributes: user.attributes, challengeName, session: [...session], ...clientMetadataOf(clientMetadata), userNotFound: user.notFound },
    response: { publicChallengeParameters: null, privateChallengeParameters: null, challengeMetadata: null },
  };
}

export function verifyAuthChallengeEvent(
  caller: AuthCaller,
  user: AuthUser,
  privateChallengeParameters: Record<string, string>,
  challengeAnswer: string,
  clientMetadata?: Record<string, string>,
) {
  return {
    ...commonFields('VerifyAuthChallengeResponse_Authentication', caller, user),
    request: { userAttributes: user.attributes, privateChallengeParameters, challengeAnswer, ...clientMetadataOf(clientMetadata), userNotFound: user.notFound },
    response: { answerCorrect: null },
  };
}

/** The pre token generation (V1-shaped) and post authentication events after a custom sign-in; the dispatcher upgrades the former to V2 for V2 pools. */
export function tokenGenerationEvent(caller: AuthCaller, user: AuthUser, clientMetadata?: Record<string, string>) {
  return {
    ...commonFields('TokenGeneration_Authentication', caller, user),
    request: { userAttributes: user.attributes, groupConfiguration: { groupsToOverride: user.groups, iamRolesToOverride: [], preferredRole: null }, ...clientMetadataOf(clientMetadata) },
    response: { claimsOverrideDetails: null },
  };
}

export function postAuthenticationEvent(caller: AuthCaller, user: AuthUser, clientMetadata?: Record<string, string>) {
  return {
    ...commonFields('PostAuthentication_Authentication', caller, user),
    request: { userAttributes: user.attributes, newDeviceUsed: false, ...clientMetadataOf(clientMetadata) },
    response: {},
  };
}

/** Define's answer: `{ issueTokens, failAuthentication, challengeName }` from the returned event. */
export function defineDecision(returned: unknown): { issueTokens: boolean; failAuthentication: boolean; challengeName?: string } {
  const response = isRecord(returned) && isRecord(returned.response) ? returned.response : {};
  return {
    issueTokens: response.issueTokens === true,
    failAuthentication: response.failAuthentication === true,
    ...(typeof response.challengeName === 'string' && response.challengeName !== '' ? { challengeName: response.challengeName } : {}),
  };
}

const stringRecord = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).flatMap(([key, item]) => (typeof item === 'string' ? [[key, item]] : []))) : {};

/** Create's answer: the public and private parameters and the metadata of the new challenge. */
export function createdChallenge(returned: unknown): { publicChallengeParameters: Record<string, string>; privateChallengeParameters: Record<string, string>; challengeMetadata: string | null } {
  const response = isRecord(returned) && isRecord(returned.response) ? returned.response : {};
  return {
    publicChallengeParameters: stringRecord(response.publicChallengeParameters),
    privateChallengeParameters: stringRecord(response.privateChallengeParameters),
    challengeMetadata: typeof response.challengeMetadata === 'string' ? response.challengeMetadata : null,
  };
}

/** Verify's answer. Anything but `answerCorrect: true` is a wrong answer. */
export const answerCorrect = (returned: unknown): boolean => isRecord(returned) && isRecord(returned.response) && returned.response.answerCorrect === true;

/** The state between two calls of one sign-in, behind the `Session` string the app carries. */
export interface CustomAuthSession {
  caller: AuthCaller;
  user: AuthUser;
  results: ChallengeResult[];
  challengeName: string;
  privateChallengeParameters: Record<string, string>;
  challengeMetadata: string | null;
}

/**
 * Sessions of the custom flow. A session string works once (each challenge gets a new one, as in
 * AWS) and expires after the app client's `AuthSessionValidity` minutes (3 by default).
 */
export class CustomAuthSessions {
  private readonly sessions = new Map<string, { state: CustomAuthSession; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  open(state: CustomAuthSession, validityMinutes = 3): string {
    this.dropExpired();
    // Long and random like Cognito's (which is an encrypted blob of ~900 characters).
    const token = randomBytes(96).toString('base64');
    this.sessions.set(token, { state, expiresAt: this.now() + validityMinutes * 60_000 });
    return token;
  }

  /** The session's state, removed; undefined when unknown or expired. */
  take(token: string): CustomAuthSession | undefined {
    const entry = this.sessions.get(token);
    this.sessions.delete(token);
    return entry && entry.expiresAt > this.now() ? entry.state : undefined;
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [token, entry] of this.sessions) if (entry.expiresAt <= now) this.sessions.delete(token);
  }
}

/** Cognito owns these ID-token claims; a V1 override of them is ignored (cognito-local's list). */
const RESERVED_ID_CLAIMS: ReadonlySet<string> = new Set(RESERVED_CLAIMS);

export interface ClaimsOverride {
  claimsToAddOrOverride?: Record<string, unknown>;
  claimsToSuppress?: string[];
}

export interface MintOptions {
  issuer: string;
  clientId: string;
  user: AuthUser;
  /** The pre token generation answer in V1 form (what the dispatcher hands cognito-local), if any. */
  idTokenOverride?: ClaimsOverride;
  /** Seconds; the app client's token validity (cognito-local's default: one day). */
  accessTokenSeconds?: number;
  idTokenSeconds?: number;
  now?: Date;
}

const JWT_HEADER = { alg: 'RS256', typ: 'JWT', kid: 'CognitoLocal' };
const DAY_SECONDS = 86_400;

/**
 * ID and access tokens with the claims cognito-local writes for a password sign-in, signed with
 * its key. The ID token gets the V1 override (which, for V2 pools, still carries the access
 * token's plan: `finishTokens` applies it afterwards, as for cognito-local's own answers).
 * No refresh token: cognito-local keeps refresh tokens in its own store, where the edge cannot put one.
 */
export function mintTokens(options: MintOptions): { IdToken: string; AccessToken: string; ExpiresIn: number; TokenType: 'Bearer' } {
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const accessSeconds = options.accessTokenSeconds ?? DAY_SECONDS;
  const eventId = randomUUID();
  const { user } = options;
  const sub = user.attributes.sub;
  const groups = user.groups.length > 0 ? { 'cognito:groups': user.groups } : {};
  const access = {
    auth_time: issuedAt,
    client_id: options.clientId,
    event_id: eventId,
    iat: issuedAt,
    jti: randomUUID(),
    scope: 'aws.cognito.signin.user.admin',
    sub,
    token_use: 'access',
    username: user.userName,
    ...groups,
    exp: issuedAt + accessSeconds,
    iss: options.issuer,
  };
  const customAttributes = Object.fromEntries(Object.entries(user.attributes).filter(([name]) => name.startsWith('custom:')));
  let id: Record<string, unknown> = {
    'cognito:username': user.userName,
    auth_time: issuedAt,
    email: user.attributes.email,
    email_verified: user.attributes.email_verified === 'true',
    event_id: eventId,
    iat: issuedAt,
    jti: randomUUID(),
    sub,
    token_use: 'id',
    ...customAttributes,
    ...groups,
  };
  const override = options.idTokenOverride;
  if (override) {
    for (const [claim, value] of Object.entries(override.claimsToAddOrOverride ?? {})) if (!RESERVED_ID_CLAIMS.has(claim)) id[claim] = value;
    const suppress = (override.claimsToSuppress ?? []).filter((claim) => !RESERVED_ID_CLAIMS.has(claim));
    id = Object.fromEntries(Object.entries(id).filter(([claim]) => !suppress.includes(claim)));
  }
  id = { ...id, exp: issuedAt + (options.idTokenSeconds ?? DAY_SECONDS), iss: options.issuer, aud: options.clientId };
  return { IdToken: sign(JWT_HEADER, id), AccessToken: sign(JWT_HEADER, access), ExpiresIn: accessSeconds, TokenType: 'Bearer' };
}

/** The V1 `claimsOverrideDetails` of a pre token generation answer (as the dispatcher returns it for cognito-local). */
export function idTokenOverrideOf(returned: unknown): ClaimsOverride | undefined {
  const response = isRecord(returned) && isRecord(returned.response) ? returned.response : undefined;
  const details = response && isRecord(response.claimsOverrideDetails) ? response.claimsOverrideDetails : undefined;
  if (!details) return undefined;
  return {
    claimsToAddOrOverride: isRecord(details.claimsToAddOrOverride) ? details.claimsToAddOrOverride : {},
    claimsToSuppress: Array.isArray(details.claimsToSuppress) ? details.claimsToSuppress.filter((claim): claim is string => typeof claim === 'string') : [],
  };
}
