// A post confirmation trigger that fails (a function error, or Lambda throttling it) fails the
// confirming call with UserLambdaValidationException, as Cognito answers, while the user stays
// confirmed. cognito-local alone logs the failure and answers 200, so a sign-up looked complete
// although the trigger (identity's UserRegistered) never ran: the system crash test found it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminConfirmSignUpCommand, AdminGetUserCommand, CognitoIdentityProviderClient, SignUpCommand, UserLambdaValidationException } from '@aws-sdk/client-cognito-identity-provider';
import { startLocalCloud, type LocalCloud } from '../../src/cloud';
import { AwsServiceError, type InvokeResult, type LambdaInvoker, type LocalServiceFactory } from '../../src/core/types';
import { createCognitoModule } from '../../src/services/cognito';

const POST_CONFIRMATION = 'arn:aws:lambda:eu-west-1:000000000000:function:post-confirmation';
const confirmed: string[] = [];

/** The trigger: fails for `failing…` users, is throttled for `throttled…` users, records the others. */
const lambdaStandIn: LocalServiceFactory = () => {
  const invoker: LambdaInvoker = {
    functionExists: () => true,
    async invoke(_functionName, payload): Promise<InvokeResult> {
      const event = payload as { userName: string; request: { userAttributes: Record<string, string> } };
      const email = event.request.userAttributes.email ?? '';
      if (email.startsWith('throttled')) throw new AwsServiceError('TooManyRequestsException', 'Rate Exceeded.', 429, { Reason: 'ConcurrentInvocationLimitExceeded' });
      if (email.startsWith('failing')) return { statusCode: 200, payload: { errorType: 'Error', errorMessage: 'table unavailable' }, functionError: 'Unhandled' };
      confirmed.push(email);
      return { statusCode: 200, payload: event };
    },
  };
  return { name: 'lambda-stand-in', handlers: [], provisioners: [], state: [], provides: { lambda: invoker }, async stop() {} };
};

describe('post confirmation trigger failures at the cognito edge', () => {
  let cloud: LocalCloud;
  let cognito: CognitoIdentityProviderClient;
  let poolId: string;
  let clientId: string;

  const apply = (type: string, name: string, config: Record<string, unknown>) =>
    cloud.modules[0]!.provisioners.find((candidate) => candidate.type === type)!.apply({ stack: 'identity', type, name, address: `${type}.${name}`, config, stackDir: '.' });
  const signUpAndConfirm = async (email: string) => {
    await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: email }] }));
    return cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email })).catch((error: unknown) => error);
  };
  const status = async (email: string) => (await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }))).UserStatus;

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createCognitoModule, lambdaStandIn] });
    poolId = String((await apply('aws_cognito_user_pool', 'users', { name: 'kestrel-users', username_attributes: ['email'], lambda_config: { post_confirmation: POST_CONFIRMATION } })).id);
    clientId = String((await apply('aws_cognito_user_pool_client', 'app', { name: 'app', user_pool_id: poolId, explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH'] })).id);
    cognito = new CognitoIdentityProviderClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' }, maxAttempts: 1 });
  }, 60_000);
  afterAll(async () => {
    cognito?.destroy();
    await cloud?.stop();
  });

  it('answers UserLambdaValidationException with the function’s message when the trigger fails; the user stays confirmed', async () => {
    // act
    const answer = await signUpAndConfirm('failing-ada@example.com');
    // assess
    expect(answer).toBeInstanceOf(UserLambdaValidationException);
    expect((answer as Error).message).toBe('PostConfirmation failed with error table unavailable.');
    expect(await status('failing-ada@example.com')).toBe('CONFIRMED');
  });

  it('answers the same when Lambda throttles the trigger (Rate Exceeded.)', async () => {
    // act
    const answer = await signUpAndConfirm('throttled-grace@example.com');
    // assess
    expect(answer).toBeInstanceOf(UserLambdaValidationException);
    expect((answer as Error).message).toBe('PostConfirmation failed with error Rate Exceeded.');
  });

  it('answers 200 when the trigger succeeds', async () => {
    // act
    const answer = await signUpAndConfirm('alan@example.com');
    // assess
    expect(answer).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    expect(confirmed).toEqual(['alan@example.com']);
  });
});
