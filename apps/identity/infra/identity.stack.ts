import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktn';
import { CognitoUserGroup } from '@cdktn/provider-aws/lib/cognito-user-group';
import { CognitoUserPool } from '@cdktn/provider-aws/lib/cognito-user-pool';
import { CognitoUserPoolClient } from '@cdktn/provider-aws/lib/cognito-user-pool-client';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { SsmParameter } from '@cdktn/provider-aws/lib/ssm-parameter';
import { identityParameters, ServiceStack } from '@kestrel/infra-constructs';
import type { EnvironmentConfig, PolicyStatement } from '@kestrel/infra-constructs';
import { resolveParameterName } from '@kestrel/service-manifest';
import manifest, { ONE_TIME_CODE_KEY_PARAMETER } from '../service';
import { IDENTITY_SETTINGS, PASSWORD_POLICY, USER_GROUPS } from './identity.config';
import type { IdentitySettings } from './identity.config';

export interface IdentityStackProps {
  env: EnvironmentConfig;
  /** `dist/bundles`, built by `nx run identity:bundle`. */
  bundlesDir: string;
  settings?: Partial<IdentitySettings>;
}

/** Access and ID token lifetime: how long a revoked, disabled or demoted user keeps access at most. */
export const TOKEN_VALIDITY_MINUTES = 5;

/** Attributes the mobile app may write at sign-up and in the profile screen; `custom:origin` is not one of them. */
export const CLIENT_WRITE_ATTRIBUTES = ['email', 'given_name', 'family_name', 'locale', 'phone_number'];
export const CLIENT_READ_ATTRIBUTES = [...CLIENT_WRITE_ATTRIBUTES, 'email_verified', 'phone_number_verified', 'custom:origin'];

/**
 * identity-<env>: the stack derived from `service.ts` (tables, the ten trigger
 * functions with least-privilege roles, the outbox pipe) plus the user pool
 * they serve. Reads as a table of contents: the pool and its triggers, the
 * mobile app client, the groups, the grants the manifest cannot express, and
 * the SSM parameters other services' JWT authorizers read.
 */
export class IdentityStack extends ServiceStack {
  readonly userPool: CognitoUserPool;
  readonly mobileClient: CognitoUserPoolClient;
  readonly groups: Record<keyof typeof USER_GROUPS, CognitoUserGroup>;
  readonly issuerParameter: SsmParameter;
  readonly clientIdsParameter: SsmParameter;

  constructor(scope: Construct, { env, bundlesDir, settings: overrides }: IdentityStackProps) {
    super(scope, { manifest, env, bundlesDir });
    const settings: IdentitySettings = { ...IDENTITY_SETTINGS[env.name], ...overrides };
    const sesIdentityArn = `arn:aws:ses:${env.region}:${env.accountId}:identity/${settings.mailDomain}`;

    this.userPool = this.createUserPool(env, settings, sesIdentityArn);
    this.cognitoTriggers.allowUserPool(this.userPool.arn);
    // Cognito never asks for a second factor in the custom (passwordless) flow, so
    // where MFA is required passwordless sign-in is off: the client refuses the
    // flow and the define trigger fails it (defence in depth).
    const passwordless = env.identity.mfa !== 'ON';
    this.mobileClient = this.createMobileClient(passwordless);
    this.groups = {
      staff: this.group('staff', 'Kestrel staff: back-office roles.'),
      customers: this.group('customers', 'Everyone who signed up or was migrated; the post-confirmation trigger adds them.'),
    };
    this.grantPoolAndMail(sesIdentityArn, settings);
    this.configureTriggers(settings, passwordless);

    const names = identityParameters(env.name);
    this.issuerParameter = new SsmParameter(this, 'user-pool-issuer', {
      name: names.userPoolIssuer,
      description: 'JWT issuer of the Kestrel user pool, for HTTP API authorizers.',
      type: 'String',
      value: `https://${this.userPool.endpoint}`,
    });
    this.clientIdsParameter = new SsmParameter(this, 'user-pool-client-ids', {
      name: names.userPoolClientIds,
      description: 'App client ids a Kestrel token may be issued to (the JWT audience).',
      type: 'StringList',
      value: this.mobileClient.id,
    });
    new TerraformOutput(this, 'user-pool-id', { value: this.userPool.id });
    new TerraformOutput(this, 'mobile-client-id', { value: this.mobileClient.id });
  }

  private createUserPool(env: EnvironmentConfig, settings: IdentitySettings, sesIdentityArn: string): CognitoUserPool {
    const { preTokenGeneration, ...lambdaConfig } = this.cognitoTriggers.lambdaConfig;
    if (!preTokenGeneration) throw new Error('identity: the manifest must declare a PreTokenGeneration trigger');
    return new CognitoUserPool(this, 'user-pool', {
      name: this.resourceName('users'),
      // Plus: threat protection (advanced security) and V2 pre-token events (access-token claims).
      userPoolTier: 'PLUS',
      usernameAttributes: ['email'],
      usernameConfiguration: { caseSensitive: false },
      autoVerifiedAttributes: ['email'],
      deletionProtection: settings.deletionProtection,
      passwordPolicy: { ...PASSWORD_POLICY },
      mfaConfiguration: env.identity.mfa,
      ...(env.identity.mfa === 'OFF' ? {} : { softwareTokenMfaConfiguration: { enabled: true } }),
      accountRecoverySetting: { recoveryMechanism: [{ name: 'verified_email', priority: 1 }] },
      userPoolAddOns: { advancedSecurityMode: settings.advancedSecurityMode },
      adminCreateUserConfig: { allowAdminCreateUserOnly: false },
      emailConfiguration: { emailSendingAccount: 'DEVELOPER', sourceArn: sesIdentityArn, fromEmailAddress: settings.fromAddress },
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ['email'] },
      schema: [
        {
          // Set by the migration trigger and staff tooling, never by the app (not in the client's write attributes).
          name: 'origin',
          attributeDataType: 'String',
          mutable: true,
          developerOnlyAttribute: false,
          stringAttributeConstraints: { minLength: '1', maxLength: '16' },
        },
      ],
      lambdaConfig: { ...lambdaConfig, preTokenGenerationConfig: { lambdaArn: preTokenGeneration, lambdaVersion: 'V2_0' } },
    });
  }

  private createMobileClient(passwordless: boolean): CognitoUserPoolClient {
    return new CognitoUserPoolClient(this, 'mobile-client', {
      name: this.resourceName('mobile'),
      userPoolId: this.userPool.id,
      generateSecret: false,
      explicitAuthFlows: [
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
        ...(passwordless ? ['ALLOW_CUSTOM_AUTH'] : []),
        // Only for users still in the legacy store: migration needs the password, which SRP never sends.
        'ALLOW_USER_PASSWORD_AUTH',
      ],
      preventUserExistenceErrors: 'ENABLED',
      enableTokenRevocation: true,
      // Five minutes (Cognito's minimum): a revoked refresh token, a disabled user or a
      // removal from `staff` takes effect on every API within five minutes, since JWT
      // authorizers only check signatures and expiry.
      accessTokenValidity: TOKEN_VALIDITY_MINUTES,
      idTokenValidity: TOKEN_VALIDITY_MINUTES,
      refreshTokenValidity: 30,
      tokenValidityUnits: [{ accessToken: 'minutes', idToken: 'minutes', refreshToken: 'days' }],
      readAttributes: CLIENT_READ_ATTRIBUTES,
      writeAttributes: CLIENT_WRITE_ATTRIBUTES,
    });
  }

  private group(name: keyof typeof USER_GROUPS, description: string): CognitoUserGroup {
    return new CognitoUserGroup(this, `group-${name}`, { name, userPoolId: this.userPool.id, description, precedence: USER_GROUPS[name] });
  }

  /**
   * Grants the manifest has no words for, each on this pool or this mail
   * identity only. A separate policy per role: the function's own policy is
   * something the function depends on, the pool depends on the function, so
   * naming the pool there would be a cycle.
   */
  private grantPoolAndMail(sesIdentityArn: string, settings: IdentitySettings): void {
    const addToGroup: PolicyStatement = {
      Sid: 'AddToCustomersGroup',
      Effect: 'Allow',
      Action: ['cognito-idp:AdminAddUserToGroup'],
      Resource: [this.userPool.arn],
    };
    const sendCode: PolicyStatement = {
      Sid: 'SendOneTimeCode',
      Effect: 'Allow',
      Action: ['ses:SendEmail'],
      Resource: [sesIdentityArn],
      Condition: { StringEquals: { 'ses:FromAddress': fromAddressOnly(settings.fromAddress) } },
    };
    const grants: Array<[string, PolicyStatement]> = [
      ['cognito-post-confirmation', addToGroup],
      ['cognito-post-authentication', addToGroup],
      ['cognito-create-auth-challenge', sendCode],
    ];
    for (const [functionName, statement] of grants) {
      new IamRolePolicy(this, `grant-${functionName}`, {
        name: 'user-pool-and-mail',
        role: this.functions.get(functionName).role.id,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      });
    }
  }

  /** Trigger configuration the manifest does not carry: the sign-up denylist, the code's sender, whether passwordless is on. */
  private configureTriggers(settings: IdentitySettings, passwordless: boolean): void {
    this.functions.get('cognito-define-auth-challenge').lambda.addOverride('environment.variables.PASSWORDLESS_SIGN_IN', passwordless ? 'enabled' : 'disabled');
    const codeKeyParameter = resolveParameterName(ONE_TIME_CODE_KEY_PARAMETER, this.environment.name);
    for (const name of ['cognito-create-auth-challenge', 'cognito-verify-auth-challenge']) {
      const fn = this.functions.get(name);
      fn.lambda.addOverride('environment.variables.ONE_TIME_CODE_KEY_PARAMETER', codeKeyParameter);
      // The operator creates the SecureString under the service key (README runbook).
      fn.grant({
        Sid: 'DecryptCodeKeyParameter',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [this.key.arn],
        Condition: { StringEquals: { 'kms:ViaService': `ssm.${this.environment.region}.amazonaws.com` } },
      });
    }
    this.functions.get('cognito-pre-sign-up').lambda.addOverride('environment.variables.BLOCKED_EMAIL_DOMAINS', settings.blockedEmailDomains.join(','));
    this.functions.get('cognito-create-auth-challenge').lambda.addOverride('environment.variables.ONE_TIME_CODE_FROM_ADDRESS', settings.fromAddress);
  }
}

/** `no-reply@x` from `Kestrel <no-reply@x>`: SES's `ses:FromAddress` condition compares the bare address. */
export function fromAddressOnly(from: string): string {
  return from.match(/<([^>]+)>/)?.[1] ?? from;
}
