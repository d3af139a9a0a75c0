import { describe, expect, it } from 'vitest';
import { COGNITO_TRIGGERS } from '@kestrel/service-manifest';
import { onlyResourceOfType, reference, resourcesOfType } from '@kestrel/infra-constructs/testing';
import { OUTBOX_ITEM } from '@kestrel/table-keys';
import manifest from '../../service';
import { CLIENT_WRITE_ATTRIBUTES } from '../../infra/identity.stack';
import { grantsOf, roleStatements, synthesize, where } from './synth';

const { json } = synthesize('staging');
const { json: production } = synthesize('production');
const pool = onlyResourceOfType(json, 'aws_cognito_user_pool');
const poolArn = reference(pool.address, 'arn');
const fnName = (name: string) => `kestrel-staging-identity-${name}`;
const functionOf = (name: string) => where(json, 'aws_lambda_function', 'function_name', fnName(name));

/** The manifest function that serves each Cognito trigger. */
const functionForTrigger = Object.fromEntries(
  Object.entries(manifest.functions).flatMap(([name, fn]) => fn.triggers.flatMap((t) => (t.kind === 'cognito' ? [[t.trigger, name] as const] : []))),
);

describe('user pool', () => {
  it('signs users in by email, case-insensitively, with a length-first password policy', () => {
    expect(pool.values).toMatchObject({
      name: 'kestrel-staging-identity-users',
      username_attributes: ['email'],
      username_configuration: { case_sensitive: false },
      auto_verified_attributes: ['email'],
      password_policy: { minimum_length: 12, require_lowercase: true, require_numbers: true, password_history_size: 5 },
      account_recovery_setting: { recovery_mechanism: [{ name: 'verified_email', priority: 1 }] },
      user_pool_tier: 'PLUS',
    });
  });

  it('has deletion protection, and MFA and threat protection per environment (optional/audit in staging, required/enforced in production)', () => {
    const prodPool = onlyResourceOfType(production, 'aws_cognito_user_pool');
    expect([pool.values.deletion_protection, prodPool.values.deletion_protection]).toEqual(['ACTIVE', 'ACTIVE']);
    expect([pool.values.mfa_configuration, prodPool.values.mfa_configuration]).toEqual(['OPTIONAL', 'ON']);
    expect([pool.values.user_pool_add_ons, prodPool.values.user_pool_add_ons]).toEqual([{ advanced_security_mode: 'AUDIT' }, { advanced_security_mode: 'ENFORCED' }]);
    expect(prodPool.values.software_token_mfa_configuration).toEqual({ enabled: true });
  });

  it('wires all ten triggers to their functions, pre token generation as a V2_0 event', () => {
    const config = pool.values.lambda_config as Record<string, unknown>;
    const keys: Record<string, string> = {
      PreSignUp: 'pre_sign_up',
      CustomMessage: 'custom_message',
      PostConfirmation: 'post_confirmation',
      PreAuthentication: 'pre_authentication',
      PostAuthentication: 'post_authentication',
      UserMigration: 'user_migration',
      DefineAuthChallenge: 'define_auth_challenge',
      CreateAuthChallenge: 'create_auth_challenge',
      VerifyAuthChallengeResponse: 'verify_auth_challenge_response',
    };
    for (const trigger of COGNITO_TRIGGERS) {
      const arn = reference(functionOf(functionForTrigger[trigger] as string).address, 'arn');
      if (trigger === 'PreTokenGeneration') expect(config.pre_token_generation_config).toEqual({ lambda_arn: arn, lambda_version: 'V2_0' });
      else expect(config[keys[trigger] as string]).toBe(arn);
    }
    expect(config.pre_token_generation).toBeUndefined();
  });

  it('lets Cognito invoke each trigger function from this pool only', () => {
    const permissions = resourcesOfType(json, 'aws_lambda_permission');
    expect(permissions).toHaveLength(COGNITO_TRIGGERS.length);
    for (const functionName of Object.keys(manifest.functions)) {
      const permission = where(json, 'aws_lambda_permission', 'function_name', reference(functionOf(functionName).address, 'function_name'));
      expect(permission.values).toMatchObject({ action: 'lambda:InvokeFunction', principal: 'cognito-idp.amazonaws.com', source_arn: poolArn });
    }
  });

  it('has the customers and staff groups', () => {
    expect(resourcesOfType(json, 'aws_cognito_user_group').map((group) => [group.values.name, group.values.precedence]).sort()).toEqual([
      ['customers', 10],
      ['staff', 1],
    ]);
  });
});

describe('mobile app client', () => {
  const client = onlyResourceOfType(json, 'aws_cognito_user_pool_client');

  it('has no secret, SRP + refresh + custom auth (and password auth for migration), and hides whether users exist', () => {
    expect(client.values).toMatchObject({
      generate_secret: false,
      prevent_user_existence_errors: 'ENABLED',
      enable_token_revocation: true,
      user_pool_id: reference(pool.address, 'id'),
    });
    expect([...(client.values.explicit_auth_flows as string[])].sort()).toEqual(['ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']);
  });

  it('keeps access and ID tokens five minutes, so revocation, disabling or leaving staff bites within five minutes', () => {
    expect(client.values).toMatchObject({ access_token_validity: 5, id_token_validity: 5, token_validity_units: [{ access_token: 'minutes', id_token: 'minutes' }] });
  });

  it('turns passwordless off where MFA is required (production): no custom flow on the client, the define trigger fails it', () => {
    // act
    const productionClient = onlyResourceOfType(production, 'aws_cognito_user_pool_client');
    const defineFunction = (stack: typeof json) =>
      resourcesOfType(stack, 'aws_lambda_function').find((fn) => String(fn.values.function_name).endsWith('-cognito-define-auth-challenge'));

    // assess
    expect(onlyResourceOfType(production, 'aws_cognito_user_pool').values.mfa_configuration).toBe('ON');
    expect(productionClient.values.explicit_auth_flows).not.toContain('ALLOW_CUSTOM_AUTH');
    expect((defineFunction(production)?.values.environment as { variables: Record<string, string> }).variables.PASSWORDLESS_SIGN_IN).toBe('disabled');
    expect((defineFunction(json)?.values.environment as { variables: Record<string, string> }).variables.PASSWORDLESS_SIGN_IN).toBe('enabled');
  });

  it('cannot write the account origin', () => {
    expect(client.values.write_attributes).toEqual(CLIENT_WRITE_ATTRIBUTES);
    expect(CLIENT_WRITE_ATTRIBUTES).not.toContain('custom:origin');
  });
});

describe('parameters for other services’ JWT authorizers', () => {
  it('publishes the issuer URL and the client ids', () => {
    expect(where(json, 'aws_ssm_parameter', 'name', '/kestrel/staging/identity/user-pool-issuer').values.value).toBe(`https://${reference(pool.address, 'endpoint')}`);
    const clientIds = where(json, 'aws_ssm_parameter', 'name', '/kestrel/staging/identity/user-pool-client-ids');
    expect(clientIds.values).toMatchObject({ type: 'StringList', value: reference(onlyResourceOfType(json, 'aws_cognito_user_pool_client').address, 'id') });
  });
});

describe('trigger roles: least privilege', () => {
  const table = (name: string) => reference(where(json, 'aws_dynamodb_table', 'name', `kestrel-staging-identity-${name}`).address, 'arn');
  const logGroup = (name: string) => reference(where(json, 'aws_cloudwatch_log_group', 'name', `/aws/lambda/${fnName(name)}`).address, 'arn');
  /** A function's grants with its own log group written as `<own logs>`, so functions compare. */
  const normalised = (name: string) => grantsOf(json, name).map((grant) => grant.replace(logGroup(name), '<own logs>'));
  const names = Object.keys(manifest.functions);
  /** What every function of every service gets from ServiceStack (logs, traces, and whatever the platform adds). */
  const shared = names.map(normalised).reduce((common, grants) => common.filter((grant) => grants.includes(grant)));
  /** What this function has beyond the shared baseline. */
  const specific = (name: string) => normalised(name).filter((grant) => !shared.includes(grant));
  const reads = (arn: string) => ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'].map((action) => `${action} on ${arn}`);
  const writes = (arn: string) => [...reads(arn), ...['dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'].map((action) => `${action} on ${arn}`)];
  const key = reference(onlyResourceOfType(json, 'aws_kms_key').address, 'arn');

  it('the baseline every function shares is logging and tracing, no data access', () => {
    expect(shared).toEqual(expect.arrayContaining(['logs:CreateLogStream on <own logs>:*', 'logs:PutLogEvents on <own logs>:*', 'xray:PutTraceSegments on *']));
    expect(shared.filter((grant) => /^(dynamodb|cognito-idp|ses|events|kms|sqs|s3):/.test(grant))).toEqual([]);
    expect(shared.filter((grant) => grant.endsWith(' on *')).every((grant) => grant.startsWith('xray:'))).toBe(true);
  });

  it.each(['cognito-pre-sign-up', 'cognito-custom-message', 'cognito-pre-token-generation', 'cognito-define-auth-challenge'])('%s has nothing beyond the baseline', (name) => {
    expect(specific(name)).toEqual([]);
  });

  it('pre authentication reads the identity table, nothing else', () => {
    expect(specific('cognito-pre-authentication')).toEqual([...reads(table('identity')), `dynamodb:Query on ${table('identity')}/index/*`, `kms:Decrypt on ${key}`].sort());
  });

  it('user migration reads the legacy users, nothing else (never the identity table)', () => {
    expect(specific('cognito-user-migration')).toEqual([...reads(table('legacy-users')), `dynamodb:Query on ${table('legacy-users')}/index/*`, `kms:Decrypt on ${key}`].sort());
  });

  it.each(['cognito-post-confirmation', 'cognito-post-authentication'])('%s writes the identity table and adds users to groups of this pool only', (name) => {
    const kms = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'].map((action) => `${action} on ${key}`);
    expect(specific(name)).toEqual([...writes(table('identity')), `dynamodb:Query on ${table('identity')}/index/*`, ...kms, `cognito-idp:AdminAddUserToGroup on ${poolArn}`].sort());
  });

  it.each(['cognito-create-auth-challenge', 'cognito-verify-auth-challenge'])('%s writes the identity table (challenges, failure windows) and reads the code key parameter', (name) => {
    const kms = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'].map((action) => `${action} on ${key}`);
    const mail = name === 'cognito-create-auth-challenge' ? ['ses:SendEmail on arn:aws:ses:eu-west-1:111111111111:identity/staging.kestrel.example'] : [];
    const codeKey = ['ssm:GetParameter', 'ssm:GetParameters'].map((action) => `${action} on arn:aws:ssm:eu-west-1:111111111111:parameter/kestrel/staging/identity/one-time-code-key`);
    expect(specific(name)).toEqual([...writes(table('identity')), `dynamodb:Query on ${table('identity')}/index/*`, ...kms, ...mail, ...codeKey, `kms:Decrypt on ${key}`].sort());
    expect(functionOf(name).values.environment).toMatchObject({ variables: { ONE_TIME_CODE_KEY_PARAMETER: '/kestrel/staging/identity/one-time-code-key' } });
  });

  it('keeps the code key out of Terraform: no resource or data source names the parameter', () => {
    expect(resourcesOfType(json, 'aws_ssm_parameter').map((p) => p.values.name)).not.toContain('/kestrel/staging/identity/one-time-code-key');
    expect(JSON.stringify(json.data ?? {})).not.toContain('one-time-code-key');
  });

  it('create auth challenge may send mail only from the configured address of its SES identity', () => {
    const mail = roleStatements(json, 'cognito-create-auth-challenge').find((statement) => statement.Sid === 'SendOneTimeCode');
    expect(mail).toEqual({
      Sid: 'SendOneTimeCode',
      Effect: 'Allow',
      Action: ['ses:SendEmail'],
      Resource: ['arn:aws:ses:eu-west-1:111111111111:identity/staging.kestrel.example'],
      Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@staging.kestrel.example' } },
    });
    expect(functionOf('cognito-create-auth-challenge').values.environment).toMatchObject({ variables: { ONE_TIME_CODE_FROM_ADDRESS: 'Kestrel <no-reply@staging.kestrel.example>' } });
  });

  it('no trigger may put events on the bus: events leave through the outbox pipe, which may publish only as kestrel.identity', () => {
    for (const name of Object.keys(manifest.functions)) expect(grantsOf(json, name).filter((grant) => grant.startsWith('events:'))).toEqual([]);
    const pipe = onlyResourceOfType(json, 'aws_pipes_pipe');
    const filter = JSON.parse(((pipe.values.source_parameters as { filter_criteria: { filter: Array<{ pattern: string }> } }).filter_criteria.filter[0] as { pattern: string }).pattern);
    expect(filter.dynamodb.NewImage).toEqual({
      PK: { S: [{ prefix: OUTBOX_ITEM.keyPrefix }] },
      [OUTBOX_ITEM.source]: { S: ['kestrel.identity'] },
      [OUTBOX_ITEM.detailType]: { S: ['UserRegistered', 'UserSignedIn'] },
    });
  });

  it('configures the sign-up denylist on the pre sign-up function', () => {
    expect(functionOf('cognito-pre-sign-up').values.environment).toMatchObject({ variables: { BLOCKED_EMAIL_DOMAINS: '' } });
  });
});
