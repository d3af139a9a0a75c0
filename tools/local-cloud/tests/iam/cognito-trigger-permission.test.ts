/**
 * Cognito invokes its triggers as cognito-idp.amazonaws.com: a trigger runs only
 * if the function's `aws_lambda_permission`s admit that principal for the pool.
 * The functions are a stand-in whose permissions are the Lambda module's own
 * `PermissionStore`, so the decision is the one the Lambda module makes.
 */
import { CognitoIdentityProviderClient, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import type { LambdaInvoker, LocalServiceFactory } from '../../src/core/types';
import { createCognitoModule } from '../../src/services/cognito';
import { PermissionStore } from '../../src/services/lambda/permissions';

const PRE_SIGN_UP = 'arn:aws:lambda:eu-west-1:000000000000:function:pre-sign-up';
const permissions = new PermissionStore();
const invoked: string[] = [];

const lambdaStandIn: LocalServiceFactory = () => {
  const invoker: LambdaInvoker & { isInvokeAllowed(functionArnOrName: string, principal: string, sourceArn?: string): boolean } = {
    functionExists: () => true,
    isInvokeAllowed: (functionArnOrName, principal, sourceArn) => permissions.isInvokeAllowed(functionArnOrName, principal, sourceArn),
    async invoke(functionArn, payload) {
      invoked.push(String((payload as { userPoolId?: string }).userPoolId));
      // PreSignUp: the event back unchanged lets the sign-up proceed.
      return { statusCode: 200, payload };
    },
  };
  return { name: 'lambda-stand-in', handlers: [], provisioners: [], state: [], provides: { lambda: invoker }, async stop() {} };
};

describe('Cognito triggers need a Lambda permission for cognito-idp.amazonaws.com', () => {
  let cloud: LocalCloud;
  let cognito: CognitoIdentityProviderClient;
  const clients: Record<'permitted' | 'unpermitted', { poolId: string; clientId: string }> = {} as never;
  const apply = (type: string, name: string, config: Record<string, unknown>) =>
    cloud.modules[0]!.provisioners.find((candidate) => candidate.type === type)!.apply({ stack: 'identity', type, name, address: `${type}.${name}`, config, stackDir: '.' });

  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createCognitoModule, lambdaStandIn] });
    for (const name of ['permitted', 'unpermitted'] as const) {
      const pool = await apply('aws_cognito_user_pool', name, { name, username_attributes: ['email'], lambda_config: { pre_sign_up: PRE_SIGN_UP } });
      const client = await apply('aws_cognito_user_pool_client', name, { name, user_pool_id: pool.id, explicit_auth_flows: ['ALLOW_USER_PASSWORD_AUTH'] });
      clients[name] = { poolId: String(pool.id), clientId: String(client.id) };
    }
    // As the identity stack writes it: the permission names one pool.
    permissions.put('aws_lambda_permission.cognito', {
      statementId: 'AllowCognito',
      action: 'lambda:InvokeFunction',
      functionName: PRE_SIGN_UP,
      principal: 'cognito-idp.amazonaws.com',
      sourceArn: `arn:aws:cognito-idp:eu-west-1:000000000000:userpool/${clients.permitted.poolId}`,
    });
    cognito = new CognitoIdentityProviderClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
  }, 60_000);
  afterAll(async () => {
    cognito?.destroy();
    await cloud?.stop();
  });

  const signUp = (pool: 'permitted' | 'unpermitted', email: string) =>
    cognito.send(new SignUpCommand({ ClientId: clients[pool].clientId, Username: email, Password: 'Passw0rd1', UserAttributes: [{ Name: 'email', Value: email }] }));

  it('the pool the permission names runs its trigger', async () => {
    await expect(signUp('permitted', 'ada@example.com')).resolves.toMatchObject({ UserConfirmed: false });
    expect(invoked).toEqual([clients.permitted.poolId]);
  });

  it('another pool with the same trigger is refused before the function runs, and the sign-up fails', async () => {
    await expect(signUp('unpermitted', 'bob@example.com')).rejects.toMatchObject({
      name: 'UserLambdaValidationException',
      message: expect.stringContaining('Cognito is not allowed to invoke arn:aws:lambda:eu-west-1:000000000000:function:pre-sign-up'),
    });
    expect(invoked).toEqual([clients.permitted.poolId]);
  });
});
