import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { cloudClientConfig, type CloudTarget } from './config';

/** A user of the stand-in pool: signed up, confirmed, optionally in one group. */
export interface StandInUser {
  readonly username: string;
  readonly group?: string;
}

/** Options for {@link standInIdentity}. */
export interface StandInIdentityOptions extends CloudTarget {
  /** Environment name in the SSM parameter paths (`/kestrel/<env>/identity/...`) and the pool name. */
  readonly env: string;
  /** Groups created in the pool before any user joins one. */
  readonly groups?: readonly string[];
  readonly users: readonly StandInUser[];
  /** Name of the app client the users sign in through. */
  readonly clientName?: string;
  /** Password of every user (one that satisfies Cognito's default policy unless told otherwise). */
  readonly password?: string;
}

/** What {@link standInIdentity} created: ids, the issuer it published, and one access token per user. */
export interface StandInIdentity {
  readonly poolId: string;
  readonly clientId: string;
  readonly issuer: string;
  /** Access token per username. */
  readonly tokens: Readonly<Record<string, string>>;
}

const DEFAULT_PASSWORD = 'Passw0rd!Passw0rd';

/**
 * Stands in for the identity service in another service's cloud test: a user pool with an app client,
 * groups and signed-in users, published under identity's SSM parameters
 * (`/kestrel/<env>/identity/user-pool-issuer` and `.../user-pool-client-ids`), where a stack's JWT
 * authorizer reads them. Apply the stack that reads the parameters after this resolves.
 *
 * @example
 * ```ts
 * const identity = await standInIdentity({
 *   endpoint: cloud.endpoint,
 *   env: 'staging',
 *   groups: ['staff'],
 *   users: [{ username: 'agent', group: 'staff' }, { username: 'shopper' }],
 * });
 * const staffToken = identity.tokens.agent;
 * ```
 */
export async function standInIdentity(options: StandInIdentityOptions): Promise<StandInIdentity> {
  const config = cloudClientConfig(options);
  const password = options.password ?? DEFAULT_PASSWORD;
  const cognito = new CognitoIdentityProviderClient(config);
  const ssm = new SSMClient(config);
  try {
    const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: `kestrel-${options.env}-identity-users` }));
    const poolId = required(pool.UserPool?.Id, 'CreateUserPool returned no pool id');
    const client = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: options.clientName ?? 'test-console',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    const clientId = required(client.UserPoolClient?.ClientId, 'CreateUserPoolClient returned no client id');
    for (const group of options.groups ?? []) await cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));

    const tokens: Record<string, string> = {};
    for (const { username, group } of options.users) {
      await cognito.send(
        new SignUpCommand({ ClientId: clientId, Username: username, Password: password, UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }] }),
      );
      await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: username }));
      if (group) await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: group }));
      const auth = await cognito.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }),
      );
      tokens[username] = required(auth.AuthenticationResult?.AccessToken, `InitiateAuth for ${username} returned no access token`);
    }

    const issuer = `https://cognito-idp.${config.region}.amazonaws.com/${poolId}`;
    await ssm.send(new PutParameterCommand({ Name: `/kestrel/${options.env}/identity/user-pool-issuer`, Type: 'String', Value: issuer }));
    await ssm.send(new PutParameterCommand({ Name: `/kestrel/${options.env}/identity/user-pool-client-ids`, Type: 'String', Value: clientId }));
    return { poolId, clientId, issuer, tokens };
  } finally {
    cognito.destroy();
    ssm.destroy();
  }
}

function required(value: string | undefined, message: string): string {
  if (value === undefined) throw new Error(message);
  return value;
}
