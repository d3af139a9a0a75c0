/**
 * Cognito user pools, served by cognito-local.
 *
 * - API calls (signed or not) are forwarded to cognito-local; its ARNs
 *   (`arn:aws:cognito-idp:local:local:…`) are rewritten to the caller's region
 *   and the local account. Pool ids keep cognito-local's `local_…` form.
 * - Tokens carry `iss = <edge endpoint>/<poolId>`; the edge serves the pool's
 *   JWKS at `<edge endpoint>/<poolId>/.well-known/jwks.json`.
 * - Triggers: cognito-local only knows one global function per trigger kind,
 *   so every kind points at a small dispatcher here, which reads the pool's own
 *   `LambdaConfig` and invokes that function through the Lambda peer —
 *   per-pool triggers, as in AWS.
 * - Where cognito-local falls short of AWS, the dispatcher and the API answers
 *   make up for it: pools whose pre token generation is `V2_0`/`V3_0` get the
 *   V2 event with the user's groups, and the answer's claims land in the ID
 *   *and* the access token (`pre-token-v2.ts`); users created by the migration
 *   trigger get a `sub`, which cognito-local leaves out.
 * - What cognito-local never calls is done at the edge (`custom-auth.ts`): pre authentication
 *   before a password sign-in, and the whole custom authentication flow (`CUSTOM_AUTH`).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateGroupCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { LambdaConfigType, UserPoolClientType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, LambdaInvoker, LocalCloudContext, LocalServiceFactory, LocalServiceModule, ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import { forward } from '../../core/forward';
import { jsonResponse, parseJsonBody } from '../../core/protocol';
import type { SupervisedProcess } from '../../processes/supervisor';
import { startCognitoLocal } from './cognito-local-process';
import { followCodeDeliveries } from './code-deliveries';
import type { CodeDelivery } from './code-deliveries';
import { EMULATED_TRIGGERS, groupInput, userPoolClientInput, userPoolInput } from './user-pool-config';
import type { EmulatedTrigger } from './user-pool-config';
import { finishTokens, toCognitoLocalAnswer, v2Event } from './pre-token-v2';
import type { GroupInfo } from './pre-token-v2';
import {
  answerCorrect,
  createAuthChallengeEvent,
  createdChallenge,
  CustomAuthSessions,
  defineAuthChallengeEvent,
  defineDecision,
  idTokenOverrideOf,
  mintTokens,
  postAuthenticationEvent,
  preAuthenticationEvent,
  tokenGenerationEvent,
  verifyAuthChallengeEvent,
} from './custom-auth';
import type { AuthCaller, AuthUser, CustomAuthSession } from './custom-auth';

const LOCAL_ARN = /arn:aws:cognito-idp:local:local:/g;

/** API answers that carry tokens (and so may need the V2 access-token changes). */
const TOKEN_OPERATIONS = new Set(['InitiateAuth', 'AdminInitiateAuth', 'RespondToAuthChallenge', 'AdminRespondToAuthChallenge']);
/** The calls that run the post confirmation trigger. */
const CONFIRMING_OPERATIONS = new Set(['ConfirmSignUp', 'AdminConfirmSignUp', 'ConfirmForgotPassword']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * cognito-local 5.3 creates a migrated user from the function's `userAttributes` alone, so the user
 * has no `sub` and every later trigger and token lacks it. Cognito assigns the sub itself (a
 * function cannot choose it), so we add a new one to the answer before cognito-local saves the user.
 */
function withAssignedSub(payload: unknown): unknown {
  if (!isRecord(payload) || !isRecord(payload.response)) return payload;
  const attributes = isRecord(payload.response.userAttributes) ? payload.response.userAttributes : {};
  return { ...payload, response: { ...payload.response, userAttributes: { ...attributes, sub: randomUUID() } } };
}

/** Triggers the edge itself invokes (cognito-local never calls them). */
type EdgeTrigger = 'PreAuthentication' | 'DefineAuthChallenge' | 'CreateAuthChallenge' | 'VerifyAuthChallengeResponse';

/** Password sign-ins that run pre authentication first (the SRP flow is not supported by cognito-local). */
const PASSWORD_FLOWS = new Set(['USER_PASSWORD_AUTH', 'ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH']);

const INCORRECT = 'Incorrect username or password.';

/** Seconds of a token validity in the client's units (`TokenValidityUnits`), or undefined when unset. */
function validitySeconds(value: number | undefined, unit: string | undefined, defaultUnit: string): number | undefined {
  if (value === undefined) return undefined;
  const perUnit: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };
  return value * (perUnit[unit ?? defaultUnit] ?? 3600);
}

/** Triggers whose absence cognito-local handles as "no customisation" when we echo the event back. */
const ECHO_WHEN_ABSENT: ReadonlySet<EmulatedTrigger> = new Set(['PreSignUp', 'PostConfirmation', 'PostAuthentication', 'PreTokenGeneration']);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export const createCognitoModule: LocalServiceFactory = (context: LocalCloudContext): LocalServiceModule => {
  let endpoint: string | undefined;
  let child: SupervisedProcess | undefined;
  let dispatcher: Server | undefined;
  let workingDirectory: string | undefined;
  let client: CognitoIdentityProviderClient | undefined;
  const triggerLog: Array<{ trigger: string; userPoolId: string; functionArn?: string; outcome: string }> = [];
  /**
   * Post confirmation failures by lower-cased user name and email: cognito-local logs a failed post
   * confirmation trigger and answers 200, where Cognito answers the confirming call with
   * UserLambdaValidationException (the user stays confirmed). The edge turns that 200 into the error.
   */
  const failedPostConfirmations = new Map<string, string>();
  const recordPostConfirmationFailure = (event: Record<string, unknown>, message: string) => {
    const attributes = isRecord(event.request) && isRecord(event.request.userAttributes) ? event.request.userAttributes : isRecord(event.userAttributes) ? event.userAttributes : {};
    for (const name of [event.userName, event.username, attributes.email]) if (typeof name === 'string' && name) failedPostConfirmations.set(name.toLowerCase(), message);
  };
  const codeDeliveries: CodeDelivery[] = [];
  let stopFollowingCodes: (() => void) | undefined;

  const ready = () => {
    if (!endpoint || !client) throw new AwsServiceError('ServiceUnavailable', 'cognito-local is not running', 503);
    return { endpoint, client };
  };
  const awsArn = (text: string, region = context.region) => text.replace(LOCAL_ARN, `arn:aws:cognito-idp:${region}:${context.accountId}:`);

  async function poolLambdaConfig(userPoolId: string): Promise<LambdaConfigType> {
    const { UserPool } = await ready().client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
    return UserPool?.LambdaConfig ?? {};
  }

  /** The user's groups, read from cognito-local as AWS reads them for the V2 event. */
  async function groupsOf(userPoolId: string, userName: string): Promise<GroupInfo[]> {
    const groups: GroupInfo[] = [];
    let token: string | undefined;
    do {
      const page = await ready().client.send(new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: userName, NextToken: token }));
      for (const group of page.Groups ?? []) if (group.GroupName) groups.push({ name: group.GroupName, precedence: group.Precedence, roleArn: group.RoleArn });
      token = page.NextToken;
    } while (token);
    return groups;
  }

  /** Answers cognito-local's Lambda `Invoke` (SDK v2, REST-JSON) for trigger `trigger`; the edge's own trigger calls go through here too. */
  async function dispatch(trigger: EmulatedTrigger | EdgeTrigger, event: Record<string, unknown>): Promise<{ payload: unknown; functionError?: string }> {
    const userPoolId = String(event.userPoolId ?? '');
    const config = await poolLambdaConfig(userPoolId);
    const tokenVersion = trigger === 'PreTokenGeneration' ? config.PreTokenGenerationConfig?.LambdaVersion : undefined;
    const v2 = tokenVersion === 'V2_0' || tokenVersion === 'V3_0';
    const functionArn = trigger === 'PreTokenGeneration' ? (config.PreTokenGenerationConfig?.LambdaArn ?? config.PreTokenGeneration) : config[trigger];
    if (!functionArn) {
      triggerLog.push({ trigger, userPoolId, outcome: 'not configured' });
      // Echoing the event returns its default `response`, which cognito-local treats as "nothing changed";
      // for the others an error makes cognito-local fall back to its built-in behaviour.
      return ECHO_WHEN_ABSENT.has(trigger as EmulatedTrigger) ? { payload: event } : { payload: { errorMessage: `no ${trigger} trigger on ${userPoolId}` }, functionError: 'Unhandled' };
    }
    try {
      // cognito-local fills in region "local"; triggers see what AWS would send.
      const awsEvent = v2
        ? v2Event(event, await groupsOf(userPoolId, String(event.userName ?? '')), { region: context.region, version: tokenVersion === 'V3_0' ? '3' : '2' })
        : { ...event, region: context.region };
      // Cognito invokes as cognito-idp.amazonaws.com: the function's aws_lambda_permission must admit it for this pool.
      const lambda = context.peers.lambda() as LambdaInvoker & { isInvokeAllowed?(functionArnOrName: string, principal: string, sourceArn?: string): boolean };
      const poolArn = `arn:aws:cognito-idp:${context.region}:${context.accountId}:userpool/${userPoolId}`;
      if (lambda.isInvokeAllowed && !lambda.isInvokeAllowed(functionArn, 'cognito-idp.amazonaws.com', poolArn)) {
        throw new Error(`Cognito is not allowed to invoke ${functionArn}: add an aws_lambda_permission for principal cognito-idp.amazonaws.com with source_arn ${poolArn}`);
      }
      const result = await lambda.invoke(functionArn, awsEvent, { invocationType: 'RequestResponse' });
      triggerLog.push({ trigger, userPoolId, functionArn, outcome: result.functionError ? `error (${result.functionError})` : v2 ? 'ok (V2 event)' : 'ok' });
      if (result.functionError) {
        const payload = isRecord(result.payload) ? result.payload : {};
        if (trigger === 'PostConfirmation') recordPostConfirmationFailure(event, String(payload.errorMessage ?? result.functionError));
        return { payload: result.payload, functionError: result.functionError };
      }
      if (v2) return { payload: toCognitoLocalAnswer(result.payload) };
      if (trigger === 'UserMigration') return { payload: withAssignedSub(result.payload) };
      return { payload: result.payload };
    } catch (error) {
      const message = (error as Error).message;
      triggerLog.push({ trigger, userPoolId, functionArn, outcome: `failed: ${message}` });
      context.log(`cognito: ${trigger} trigger of ${userPoolId} (${functionArn}) failed: ${message}`);
      // A throttled function (TooManyRequestsException: "Rate Exceeded.") fails the confirmation like any other error.
      if (trigger === 'PostConfirmation') recordPostConfirmationFailure(event, message);
      return { payload: { errorType: 'Error', errorMessage: message }, functionError: 'Unhandled' };
    }
  }

  async function startDispatcher(): Promise<string> {
    const server = createServer((request, response) => {
      const match = /\/functions\/cognito-trigger-([A-Za-z]+)\/invocations$/.exec(decodeURIComponent(request.url ?? ''));
      const trigger = match?.[1] as EmulatedTrigger | undefined;
      readBody(request)
        .then(async (body) => {
          if (!trigger || !EMULATED_TRIGGERS.includes(trigger)) {
            response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
            response.end(JSON.stringify({ message: `unknown trigger function ${request.url}` }));
            return;
          }
          const result = await dispatch(trigger, JSON.parse(body) as Record<string, unknown>);
          response.writeHead(200, {
            'content-type': 'application/json',
            ...(result.functionError ? { 'x-amz-function-error': result.functionError } : {}),
            'x-amz-executed-version': '$LATEST',
          });
          response.end(JSON.stringify(result.payload ?? null));
        })
        .catch((error: unknown) => {
          context.log(`cognito: trigger dispatcher failed: ${(error as Error).message}`);
          response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
          response.end(JSON.stringify({ errorMessage: (error as Error).message }));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dispatcher = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const customAuthSessions = new CustomAuthSessions();
  /** App client id → its pool (InitiateAuth names only the client). */
  const poolOfClient = new Map<string, string>();

  async function clientPool(clientId: string, userPoolId?: string): Promise<{ userPoolId: string; appClient: UserPoolClientType }> {
    const { client: cognito } = ready();
    let poolId = userPoolId ?? poolOfClient.get(clientId);
    if (!poolId) {
      for (const pool of (await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools ?? []) {
        const clients = (await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }))).UserPoolClients ?? [];
        for (const entry of clients) if (entry.ClientId && pool.Id) poolOfClient.set(entry.ClientId, pool.Id);
      }
      poolId = poolOfClient.get(clientId);
    }
    const appClient = poolId
      ? await cognito
          .send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))
          .then((found) => found.UserPoolClient)
          .catch(() => undefined)
      : undefined;
    if (!poolId || !appClient) throw new AwsServiceError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    return { userPoolId: poolId, appClient };
  }

  /**
   * The user as triggers see them. A user name the pool does not know is `notFound` when the client
   * has `PreventUserExistenceErrors` on (the flow then runs on, as in AWS), else UserNotFoundException.
   */
  async function authUser(userPoolId: string, appClient: UserPoolClientType, userName: string): Promise<AuthUser & { status?: string; enabled: boolean }> {
    const found = await ready()
      .client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userName }))
      .catch((error: Error) => {
        if (error.name === 'UserNotFoundException') return undefined;
        throw error;
      });
    if (!found?.Username) {
      if (appClient.PreventUserExistenceErrors === 'ENABLED') return { userName, attributes: {}, groups: [], notFound: true, enabled: true };
      throw new AwsServiceError('UserNotFoundException', 'User does not exist.');
    }
    const attributes = Object.fromEntries((found.UserAttributes ?? []).map((attribute) => [attribute.Name as string, attribute.Value ?? '']));
    const groups = (await groupsOf(userPoolId, found.Username)).sort((a, b) => (a.precedence ?? Number.MAX_SAFE_INTEGER) - (b.precedence ?? Number.MAX_SAFE_INTEGER)).map((group) => group.name);
    return { userName: found.Username, attributes, groups, notFound: false, status: found.UserStatus, enabled: found.Enabled !== false };
  }

  /** Invokes `trigger` with `event`; a function error is the app's `UserLambdaValidationException`, worded as AWS words it. */
  async function runTrigger(trigger: EmulatedTrigger | EdgeTrigger, event: Record<string, unknown>): Promise<unknown> {
    const result = await dispatch(trigger, event);
    if (result.functionError) {
      const payload = isRecord(result.payload) ? result.payload : {};
      throw new AwsServiceError('UserLambdaValidationException', `${trigger} failed with error ${String(payload.errorMessage ?? result.functionError)}.`);
    }
    return result.payload;
  }

  /** Pre authentication before a password sign-in; throws the refusal. Not for unknown users unless the client prevents existence errors (as the trigger's page says). */
  async function preAuthenticate(body: Record<string, unknown>, region: string): Promise<void> {
    const clientId = String(body.ClientId ?? '');
    const { userPoolId, appClient } = await clientPool(clientId, typeof body.UserPoolId === 'string' ? body.UserPoolId : undefined);
    if (!(await poolLambdaConfig(userPoolId)).PreAuthentication) return;
    const parameters = isRecord(body.AuthParameters) ? body.AuthParameters : {};
    const user = await authUser(userPoolId, appClient, String(parameters.USERNAME ?? '')).catch((error: Error) => {
      if (error.name === 'UserNotFoundException') return undefined; // cognito-local answers (or migrates the user) as before
      throw error;
    });
    if (!user) return;
    await runTrigger('PreAuthentication', preAuthenticationEvent({ userPoolId, clientId, region }, user, clientMetadataOf(body)));
  }

  const clientMetadataOf = (body: Record<string, unknown>): Record<string, string> | undefined =>
    isRecord(body.ClientMetadata) ? (body.ClientMetadata as Record<string, string>) : undefined;

  /** The next step of a custom sign-in after define: a new challenge (with a new session), tokens, or a refusal. */
  async function advanceCustomAuth(state: Omit<CustomAuthSession, 'challengeName' | 'privateChallengeParameters' | 'challengeMetadata'>, appClient: UserPoolClientType, clientMetadata?: Record<string, string>) {
    const { caller, user, results } = state;
    const decision = defineDecision(await runTrigger('DefineAuthChallenge', defineAuthChallengeEvent(caller, user, results, clientMetadata)));
    if (decision.failAuthentication || (decision.issueTokens && user.notFound)) throw new AwsServiceError('NotAuthorizedException', INCORRECT);
    if (decision.issueTokens) return { ChallengeParameters: {}, AuthenticationResult: await customAuthTokens(caller, user, appClient, clientMetadata) };
    if (decision.challengeName !== 'CUSTOM_CHALLENGE') {
      throw new AwsServiceError(
        decision.challengeName ? 'UnsupportedOperationException' : 'InvalidLambdaResponseException',
        decision.challengeName
          ? `DefineAuthChallenge asked for ${decision.challengeName}: only CUSTOM_CHALLENGE is emulated in the custom flow locally`
          : 'DefineAuthChallenge answered neither issueTokens, failAuthentication nor a challengeName.',
      );
    }
    const created = createdChallenge(await runTrigger('CreateAuthChallenge', createAuthChallengeEvent(caller, user, decision.challengeName, results, clientMetadata)));
    const session = customAuthSessions.open(
      { caller, user, results, challengeName: decision.challengeName, privateChallengeParameters: created.privateChallengeParameters, challengeMetadata: created.challengeMetadata },
      appClient.AuthSessionValidity ?? 3,
    );
    return { ChallengeName: decision.challengeName, Session: session, ChallengeParameters: { ...created.publicChallengeParameters, USERNAME: user.userName } };
  }

  /** Post authentication, pre token generation (V1 or V2 as the pool says), then the tokens. */
  async function customAuthTokens(caller: AuthCaller, user: AuthUser, appClient: UserPoolClientType, clientMetadata?: Record<string, string>) {
    await runTrigger('PostAuthentication', postAuthenticationEvent(caller, user, clientMetadata));
    const override = idTokenOverrideOf(await runTrigger('PreTokenGeneration', tokenGenerationEvent(caller, user, clientMetadata)));
    const units = appClient.TokenValidityUnits;
    const tokens = mintTokens({
      issuer: `${context.endpoint}/${caller.userPoolId}`,
      clientId: caller.clientId,
      user,
      idTokenOverride: override,
      accessTokenSeconds: validitySeconds(appClient.AccessTokenValidity, units?.AccessToken, 'hours'),
      idTokenSeconds: validitySeconds(appClient.IdTokenValidity, units?.IdToken, 'hours'),
    });
    // For V2 pools the override carries the access token's plan: apply it as for cognito-local's answers.
    return finishTokens({ AuthenticationResult: tokens }).body.AuthenticationResult;
  }

  async function initiateCustomAuth(body: Record<string, unknown>, region: string): Promise<AwsResponse> {
    const clientId = String(body.ClientId ?? '');
    const { userPoolId, appClient } = await clientPool(clientId, typeof body.UserPoolId === 'string' ? body.UserPoolId : undefined);
    const flows = appClient.ExplicitAuthFlows ?? [];
    if (!flows.includes('ALLOW_CUSTOM_AUTH') && !flows.includes('CUSTOM_AUTH_FLOW_ONLY')) throw new AwsServiceError('InvalidParameterException', 'Auth flow not enabled for this client');
    const config = await poolLambdaConfig(userPoolId);
    if (!config.DefineAuthChallenge || !config.CreateAuthChallenge || !config.VerifyAuthChallengeResponse) {
      throw new AwsServiceError('InvalidParameterException', 'Custom auth lambda trigger is not configured for the user pool.');
    }
    const parameters = isRecord(body.AuthParameters) ? body.AuthParameters : {};
    if (typeof parameters.USERNAME !== 'string' || parameters.USERNAME === '') throw new AwsServiceError('InvalidParameterException', 'Missing required parameter USERNAME');
    const user = await authUser(userPoolId, appClient, parameters.USERNAME);
    if (!user.enabled) throw new AwsServiceError('NotAuthorizedException', 'User is disabled.');
    if (user.status === 'UNCONFIRMED') throw new AwsServiceError('UserNotConfirmedException', 'User is not confirmed.');
    const caller = { userPoolId, clientId, region };
    const clientMetadata = clientMetadataOf(body);
    if (config.PreAuthentication) await runTrigger('PreAuthentication', preAuthenticationEvent(caller, user, clientMetadata));
    return jsonResponse(await advanceCustomAuth({ caller, user, results: [] }, appClient, clientMetadata));
  }

  async function respondToCustomChallenge(body: Record<string, unknown>): Promise<AwsResponse> {
    const state = typeof body.Session === 'string' ? customAuthSessions.take(body.Session) : undefined;
    if (!state || state.caller.clientId !== body.ClientId) throw new AwsServiceError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
    const responses = isRecord(body.ChallengeResponses) ? body.ChallengeResponses : {};
    if (typeof responses.ANSWER !== 'string') throw new AwsServiceError('InvalidParameterException', 'Missing required parameter ANSWER');
    const { appClient } = await clientPool(state.caller.clientId, state.caller.userPoolId);
    const clientMetadata = clientMetadataOf(body);
    const verified = answerCorrect(await runTrigger('VerifyAuthChallengeResponse', verifyAuthChallengeEvent(state.caller, state.user, state.privateChallengeParameters, responses.ANSWER, clientMetadata)));
    const results = [...state.results, { challengeName: state.challengeName, challengeResult: verified, challengeMetadata: state.challengeMetadata }];
    return jsonResponse(await advanceCustomAuth({ caller: state.caller, user: state.user, results }, appClient, clientMetadata));
  }

  /** The sign-in calls the edge answers (or prepares) itself; undefined: forward to cognito-local as is. */
  async function answeredAtTheEdge(request: AwsRequest): Promise<AwsResponse | undefined> {
    const operation = request.operation ?? '';
    if (!TOKEN_OPERATIONS.has(operation)) return undefined;
    const body = parseJsonBody(request);
    const initiate = operation === 'InitiateAuth' || operation === 'AdminInitiateAuth';
    if (initiate && body.AuthFlow === 'CUSTOM_AUTH') return initiateCustomAuth(body, request.region);
    if (!initiate && body.ChallengeName === 'CUSTOM_CHALLENGE') return respondToCustomChallenge(body);
    if (initiate && PASSWORD_FLOWS.has(String(body.AuthFlow))) await preAuthenticate(body, request.region);
    return undefined;
  }

  async function handle(request: AwsRequest): Promise<AwsResponse> {
    const edgeAnswer = await answeredAtTheEdge(request);
    if (edgeAnswer) return edgeAnswer;
    const confirming = CONFIRMING_OPERATIONS.has(request.operation ?? '') ? String(parseJsonBody(request).Username ?? '').toLowerCase() : undefined;
    if (confirming) failedPostConfirmations.delete(confirming);
    const response = await forward(ready().endpoint, request, { dropHeaders: ['authorization'], component: 'cognito-local' });
    const text = Buffer.isBuffer(response.body) ? response.body.toString('utf8') : String(response.body ?? '');
    const postConfirmationError = confirming ? failedPostConfirmations.get(confirming) : undefined;
    if (confirming) failedPostConfirmations.delete(confirming);
    if (response.status === 200 && postConfirmationError !== undefined) {
      throw new AwsServiceError('UserLambdaValidationException', `PostConfirmation failed with error ${postConfirmationError.replace(/\.$/, '')}.`);
    }
    if (response.status >= 500) {
      let parsed: { __type?: string; message?: string } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // not JSON: fall through to a generic message
      }
      if (parsed.__type === 'CognitoLocal#Unsupported') {
        // 400: the SDK would retry a 5xx, and retrying an unsupported feature cannot help.
        throw new AwsServiceError('UnsupportedOperationException', `${parsed.message ?? 'unsupported'} (not emulated by cognito-local; operation ${request.operation ?? '?'})`);
      }
      throw new AwsServiceError('InternalErrorException', `cognito-local failed on ${request.operation ?? request.path}: ${(parsed.message ?? text).split('\n')[0]}`, 500);
    }
    if (response.status === 400 && (request.operation === 'InitiateAuth' || request.operation === 'AdminInitiateAuth') && text.includes('"InvalidPasswordException"')) {
      // cognito-local says InvalidPasswordException for a wrong password; AWS says this (InvalidPasswordException is for password policy).
      throw new AwsServiceError('NotAuthorizedException', 'Incorrect username or password.');
    }
    let answer = text;
    if (response.status === 200 && TOKEN_OPERATIONS.has(request.operation ?? '') && answer.includes('"AuthenticationResult"')) {
      // A V2 pre token generation answer left the access token's changes in the ID token: apply them now.
      const finished = finishTokens(JSON.parse(answer) as Record<string, unknown>);
      if (finished.changed) answer = JSON.stringify(finished.body);
    }
    const body = Buffer.from(awsArn(answer, request.region));
    return { status: response.status, headers: { ...response.headers, 'content-length': String(body.length) }, body };
  }

  async function findPool(previousId: unknown, name: string): Promise<UserPoolType | undefined> {
    const { client: cognito } = ready();
    if (typeof previousId === 'string') {
      try {
        return (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: previousId }))).UserPool;
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
      }
    }
    // State lost but the pool kept (cognito data survives): match by name, as an import would.
    const pools = (await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools ?? [];
    const match = pools.find((pool) => pool.Name === name);
    return match?.Id ? (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: match.Id }))).UserPool : undefined;
  }

  const userPoolProvisioner: ResourceProvisioner = {
    type: 'aws_cognito_user_pool',
    async apply(resource: ResolvedResource, previous?: ResourceAttributes) {
      const { client: cognito } = ready();
      const input = userPoolInput(resource.config, resource.address);
      const neverCalled = (['CustomEmailSender', 'CustomSMSSender'] as const).filter((trigger) => input.LambdaConfig?.[trigger]);
      // One line per pool, not one per trigger.
      if (neverCalled.length) context.log(`cognito: WARNING ${resource.address}: triggers recorded but never called (not emulated): ${neverCalled.join(', ')}`);
      let pool = await findPool(previous?.id, input.PoolName as string);
      if (pool?.Id) {
        const { PoolName: _name, UsernameAttributes: _usernames, AliasAttributes: _aliases, Schema: _schema, ...updatable } = input;
        await cognito.send(new UpdateUserPoolCommand({ ...updatable, UserPoolId: pool.Id }));
        pool = (await cognito.send(new DescribeUserPoolCommand({ UserPoolId: pool.Id }))).UserPool;
      } else {
        pool = (await cognito.send(new CreateUserPoolCommand(input))).UserPool;
        context.log(`cognito: created user pool ${input.PoolName} (${pool?.Id})`);
      }
      const id = pool?.Id as string;
      return {
        id,
        name: input.PoolName,
        arn: `arn:aws:cognito-idp:${context.region}:${context.accountId}:userpool/${id}`,
        // Terraform's form; locally the token issuer is `<edge endpoint>/<id>` (see `issuer`).
        endpoint: `cognito-idp.${context.region}.amazonaws.com/${id}`,
        issuer: `${context.endpoint}/${id}`,
        creation_date: pool?.CreationDate?.toISOString(),
        last_modified_date: pool?.LastModifiedDate?.toISOString(),
      };
    },
  };

  const clientProvisioner: ResourceProvisioner = {
    type: 'aws_cognito_user_pool_client',
    async apply(resource: ResolvedResource, previous?: ResourceAttributes) {
      const { client: cognito } = ready();
      const input = userPoolClientInput(resource.config, resource.address);
      let existingId: string | undefined;
      if (typeof previous?.id === 'string') {
        existingId = await cognito
          .send(new DescribeUserPoolClientCommand({ UserPoolId: input.UserPoolId, ClientId: previous.id }))
          .then((found) => found.UserPoolClient?.ClientId)
          .catch(() => undefined);
      }
      if (!existingId) {
        const clients = (await cognito.send(new ListUserPoolClientsCommand({ UserPoolId: input.UserPoolId, MaxResults: 60 }))).UserPoolClients ?? [];
        existingId = clients.find((candidate) => candidate.ClientName === input.ClientName)?.ClientId;
      }
      let clientId = existingId;
      if (existingId) {
        const { GenerateSecret: _secret, ...updatable } = input;
        await cognito.send(new UpdateUserPoolClientCommand({ ...updatable, ClientId: existingId }));
      } else {
        clientId = (await cognito.send(new CreateUserPoolClientCommand(input))).UserPoolClient?.ClientId;
        context.log(`cognito: created app client ${input.ClientName} (${clientId})`);
      }
      if (clientId && input.UserPoolId) poolOfClient.set(clientId, input.UserPoolId);
      const described = await cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: input.UserPoolId, ClientId: clientId }));
      return { id: clientId, name: input.ClientName, user_pool_id: input.UserPoolId, client_secret: described.UserPoolClient?.ClientSecret ?? '' };
    },
  };

  const groupProvisioner: ResourceProvisioner = {
    type: 'aws_cognito_user_group',
    async apply(resource: ResolvedResource) {
      const { client: cognito } = ready();
      const input = groupInput(resource.config, resource.address);
      const exists = await cognito
        .send(new GetGroupCommand({ UserPoolId: input.UserPoolId, GroupName: input.GroupName }))
        .then(() => true)
        .catch(() => false);
      await cognito.send(exists ? new UpdateGroupCommand(input) : new CreateGroupCommand(input));
      return { id: `${input.UserPoolId}/${input.GroupName}`, name: input.GroupName, user_pool_id: input.UserPoolId };
    },
  };

  return {
    name: 'cognito-idp',
    handlers: [{ serviceNames: ['cognito-idp'], handle }],
    provisioners: [userPoolProvisioner, clientProvisioner, groupProvisioner],
    state: [
      {
        stateKey: 'userPools',
        async describe() {
          if (!client) return [];
          const pools = (await client.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools ?? [];
          return Promise.all(
            pools.map(async (pool) => {
              const clients = (await client!.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }))).UserPoolClients ?? [];
              return {
                id: pool.Id,
                name: pool.Name,
                issuer: `${context.endpoint}/${pool.Id}`,
                jwks: `${context.endpoint}/${pool.Id}/.well-known/jwks.json`,
                triggers: await poolLambdaConfig(pool.Id as string),
                clients: clients.map((entry) => ({ id: entry.ClientId, name: entry.ClientName })),
              };
            }),
          );
        },
      },
      { stateKey: 'cognitoTriggerInvocations', describe: () => triggerLog.slice(-50) },
      // Locally only: the codes Cognito would email or text (see code-deliveries.ts).
      { stateKey: 'codeDeliveries', describe: () => codeDeliveries.slice(-20) },
    ],
    async start() {
      const lambdaEndpoint = await startDispatcher();
      const started = await startCognitoLocal({ dataDir: context.dataDir, inMemory: context.inMemory, lambdaEndpoint, issuerDomain: context.endpoint });
      endpoint = started.endpoint;
      child = started.process;
      if (context.inMemory) workingDirectory = started.workingDirectory;
      stopFollowingCodes = followCodeDeliveries(started.logFile, (delivery) => {
        codeDeliveries.push(delivery);
        if (codeDeliveries.length > 100) codeDeliveries.shift();
        context.log(`cognito: code ${delivery.code} for ${delivery.destination ?? delivery.username} (user ${delivery.username}; Cognito would send it, locally it is only printed)`, { console: true });
      });
      client = new CognitoIdentityProviderClient({ endpoint, region: context.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
      context.log(`cognito: cognito-local ready on ${endpoint}`);
    },
    async stop() {
      stopFollowingCodes?.();
      client?.destroy();
      client = undefined;
      await child?.stop();
      endpoint = undefined;
      await new Promise<void>((resolve) => (dispatcher ? dispatcher.close(() => resolve()) : resolve()));
      dispatcher?.closeAllConnections();
      if (workingDirectory) rmSync(workingDirectory, { recursive: true, force: true });
    },
  };
};
