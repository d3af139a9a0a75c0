/**
 * A person's first steps in the mobile app, through Cognito with the real SDK: sign up, be
 * confirmed (as an admin would, or the emailed code would), sign in with the password.
 */
import { AdminConfirmSignUpCommand, AdminGetUserCommand, InitiateAuthCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { AttributeType, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

export interface SignUp {
  poolId: string;
  clientId: string;
  email: string;
  password: string;
  /** Attributes besides `email`. */
  attributes?: AttributeType[];
  /** Sent with the confirmation, which Cognito hands to the post-confirmation trigger. */
  clientMetadata?: Record<string, string>;
}

/**
 * Signs up, confirms and signs in; returns the user's `sub` and ID token (whose audience is the
 * app client, which customers' JWT authorizer accepts).
 *
 * @example
 * const { sub, idToken } = await signUpAndSignIn(cognito, { poolId, clientId, email, password, attributes: [{ Name: 'given_name', Value: 'Ada' }] });
 */
export async function signUpAndSignIn(cognito: CognitoIdentityProviderClient, input: SignUp): Promise<{ sub: string; idToken: string }> {
  const { poolId, clientId, email, password } = input;
  await cognito.send(new SignUpCommand({ ClientId: clientId, Username: email, Password: password, UserAttributes: [{ Name: 'email', Value: email }, ...(input.attributes ?? [])] }));
  await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: email, ...(input.clientMetadata ? { ClientMetadata: input.clientMetadata } : {}) }));
  const auth = await cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }));
  const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }));
  const sub = user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
  const idToken = auth.AuthenticationResult?.IdToken ?? '';
  if (!sub || !idToken) throw new Error(`Sign-up of ${email} did not complete: sub ${sub || 'missing'}, ID token ${idToken ? 'present' : 'missing'}`);
  return { sub, idToken };
}
