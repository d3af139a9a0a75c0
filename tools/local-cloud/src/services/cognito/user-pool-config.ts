/**
 * Terraform `aws_cognito_user_pool` / `aws_cognito_user_pool_client` /
 * `aws_cognito_user_group` configuration → Cognito API input.
 */
import type {
  CreateGroupCommandInput,
  CreateUserPoolClientCommandInput,
  CreateUserPoolCommandInput,
  LambdaConfigType,
  SchemaAttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { blocks, bool, num, str } from '../../core/config';

/** Terraform `lambda_config` argument → API `LambdaConfig` key. */
const TRIGGER_KEYS: Record<string, keyof LambdaConfigType> = {
  pre_sign_up: 'PreSignUp',
  custom_message: 'CustomMessage',
  post_confirmation: 'PostConfirmation',
  pre_authentication: 'PreAuthentication',
  post_authentication: 'PostAuthentication',
  define_auth_challenge: 'DefineAuthChallenge',
  create_auth_challenge: 'CreateAuthChallenge',
  verify_auth_challenge_response: 'VerifyAuthChallengeResponse',
  pre_token_generation: 'PreTokenGeneration',
  user_migration: 'UserMigration',
};

/** Triggers cognito-local calls (the rest are accepted and reported as not emulated). */
export const EMULATED_TRIGGERS = ['PreSignUp', 'PostConfirmation', 'PostAuthentication', 'PreTokenGeneration', 'CustomMessage', 'UserMigration'] as const;
export type EmulatedTrigger = (typeof EMULATED_TRIGGERS)[number];

export function lambdaConfig(config: Record<string, unknown>): LambdaConfigType {
  const block = blocks(config.lambda_config)[0];
  if (!block) return {};
  const result: Record<string, unknown> = {};
  for (const [argument, key] of Object.entries(TRIGGER_KEYS)) {
    if (typeof block[argument] === 'string' && block[argument] !== '') result[key] = block[argument];
  }
  const v2 = blocks(block.pre_token_generation_config)[0];
  if (v2 && typeof v2.lambda_arn === 'string') {
    result.PreTokenGeneration = v2.lambda_arn;
    result.PreTokenGenerationConfig = { LambdaArn: v2.lambda_arn, LambdaVersion: String(v2.lambda_version ?? 'V1_0') };
  }
  for (const unsupported of ['custom_email_sender', 'custom_sms_sender']) {
    if (blocks(block[unsupported]).length) result[unsupported === 'custom_email_sender' ? 'CustomEmailSender' : 'CustomSMSSender'] = blocks(block[unsupported])[0];
  }
  return result as LambdaConfigType;
}

function schema(config: Record<string, unknown>, address: string): SchemaAttributeType[] {
  return blocks(config.schema).map((attribute) => {
    const strings = blocks(attribute.string_attribute_constraints)[0];
    const numbers = blocks(attribute.number_attribute_constraints)[0];
    return {
      Name: str(attribute, 'name', `${address}.schema`),
      AttributeDataType: str(attribute, 'attribute_data_type', `${address}.schema`) as SchemaAttributeType['AttributeDataType'],
      Mutable: bool(attribute.mutable, true),
      Required: bool(attribute.required),
      DeveloperOnlyAttribute: bool(attribute.developer_only_attribute),
      StringAttributeConstraints: strings ? { MinLength: str(strings, 'min_length', address, true), MaxLength: str(strings, 'max_length', address, true) } : undefined,
      NumberAttributeConstraints: numbers ? { MinValue: str(numbers, 'min_value', address, true), MaxValue: str(numbers, 'max_value', address, true) } : undefined,
    };
  });
}

/**
 * @example
 * userPoolInput({ name: 'kestrel-users', username_attributes: ['email'], lambda_config: { pre_sign_up: 'arn:…' } }, 'aws_cognito_user_pool.users')
 */
export function userPoolInput(config: Record<string, unknown>, address: string): CreateUserPoolCommandInput {
  const password = blocks(config.password_policy)[0];
  const adminCreate = blocks(config.admin_create_user_config)[0];
  const recovery = blocks(config.account_recovery_setting)[0];
  const usernameConfiguration = blocks(config.username_configuration)[0];
  return {
    PoolName: str(config, 'name', address),
    UsernameAttributes: config.username_attributes as CreateUserPoolCommandInput['UsernameAttributes'],
    AliasAttributes: config.alias_attributes as CreateUserPoolCommandInput['AliasAttributes'],
    AutoVerifiedAttributes: config.auto_verified_attributes as CreateUserPoolCommandInput['AutoVerifiedAttributes'],
    MfaConfiguration: config.mfa_configuration as CreateUserPoolCommandInput['MfaConfiguration'],
    DeletionProtection: config.deletion_protection as CreateUserPoolCommandInput['DeletionProtection'],
    LambdaConfig: lambdaConfig(config),
    Policies: password
      ? {
          PasswordPolicy: {
            MinimumLength: num(password.minimum_length),
            RequireLowercase: bool(password.require_lowercase, true),
            RequireUppercase: bool(password.require_uppercase, true),
            RequireNumbers: bool(password.require_numbers, true),
            RequireSymbols: bool(password.require_symbols, true),
            TemporaryPasswordValidityDays: num(password.temporary_password_validity_days),
          },
        }
      : undefined,
    AdminCreateUserConfig: adminCreate ? { AllowAdminCreateUserOnly: bool(adminCreate.allow_admin_create_user_only) } : undefined,
    AccountRecoverySetting: recovery
      ? {
          RecoveryMechanisms: blocks(recovery.recovery_mechanism).map((mechanism) => ({
            Name: str(mechanism, 'name', address) as 'verified_email',
            Priority: num(mechanism.priority) ?? 1,
          })),
        }
      : undefined,
    UsernameConfiguration: usernameConfiguration ? { CaseSensitive: bool(usernameConfiguration.case_sensitive) } : undefined,
    Schema: blocks(config.schema).length ? schema(config, address) : undefined,
    UserPoolTags: (config.tags as Record<string, string> | undefined) ?? undefined,
  };
}

export function userPoolClientInput(config: Record<string, unknown>, address: string): CreateUserPoolClientCommandInput {
  const units = blocks(config.token_validity_units)[0];
  return {
    UserPoolId: str(config, 'user_pool_id', address),
    ClientName: str(config, 'name', address),
    GenerateSecret: bool(config.generate_secret),
    ExplicitAuthFlows: config.explicit_auth_flows as CreateUserPoolClientCommandInput['ExplicitAuthFlows'],
    AccessTokenValidity: num(config.access_token_validity),
    IdTokenValidity: num(config.id_token_validity),
    RefreshTokenValidity: num(config.refresh_token_validity),
    TokenValidityUnits: units
      ? {
          AccessToken: units.access_token as 'hours' | undefined,
          IdToken: units.id_token as 'hours' | undefined,
          RefreshToken: units.refresh_token as 'days' | undefined,
        }
      : undefined,
    AllowedOAuthFlows: config.allowed_oauth_flows as CreateUserPoolClientCommandInput['AllowedOAuthFlows'],
    AllowedOAuthFlowsUserPoolClient: config.allowed_oauth_flows_user_pool_client === undefined ? undefined : bool(config.allowed_oauth_flows_user_pool_client),
    AllowedOAuthScopes: config.allowed_oauth_scopes as string[] | undefined,
    CallbackURLs: config.callback_urls as string[] | undefined,
    LogoutURLs: config.logout_urls as string[] | undefined,
    DefaultRedirectURI: str(config, 'default_redirect_uri', address, true),
    SupportedIdentityProviders: config.supported_identity_providers as string[] | undefined,
    PreventUserExistenceErrors: config.prevent_user_existence_errors as CreateUserPoolClientCommandInput['PreventUserExistenceErrors'],
    ReadAttributes: config.read_attributes as string[] | undefined,
    WriteAttributes: config.write_attributes as string[] | undefined,
    EnableTokenRevocation: config.enable_token_revocation === undefined ? undefined : bool(config.enable_token_revocation),
  };
}

export function groupInput(config: Record<string, unknown>, address: string): CreateGroupCommandInput {
  return {
    UserPoolId: str(config, 'user_pool_id', address),
    GroupName: str(config, 'name', address),
    Description: str(config, 'description', address, true),
    Precedence: num(config.precedence),
    RoleArn: str(config, 'role_arn', address, true),
  };
}
