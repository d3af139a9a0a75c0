import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import { serviceRoleBoundaryArn } from '@kestrel/infra-constructs/role-boundary';
import type { Decision, Request } from './decide';

/**
 * Who makes the call: a service's deploy or plan role, or a role that deploy
 * created (its own policy anything it likes — `*` on `*` — capped by the
 * service's boundary).
 */
export type Principal = 'deploy' | 'plan' | 'created-role';

/** One step of an escalation path from issue #19, with what IAM must answer. */
export interface EscalationCase {
  finding: string;
  step: string;
  principal: Principal;
  request: Request;
  expected: Decision | 'denied';
}

/**
 * The escalation paths of findings 1 and 2, as the catalog pipeline (the
 * attacker) would walk them against identity's resources and the account, and
 * the calls its legitimate deploys make, which must keep working. Data only:
 * `decide` (`@kestrel/iam`, the local cloud's evaluator, see `decide.ts`)
 * answers each request.
 */
export function escalationCases(env: EnvironmentConfig): EscalationCase[] {
  const { accountId: account, region, name } = env;
  const own = `kestrel-${name}-catalog`;
  const boundary = serviceRoleBoundaryArn(env, 'catalog');
  const ownRole = `arn:aws:iam::${account}:role/${own}-http-get-product`;
  const identityPool = `arn:aws:cognito-idp:${region}:${account}:userpool/${region}_AbCdEf123`;
  const stateKey = `arn:aws:kms:${region}:${account}:key/0000-state`;
  const identityKey = `arn:aws:kms:${region}:${account}:key/1111-identity`;
  const ownKey = `arn:aws:kms:${region}:${account}:key/2222-catalog`;
  const identityApi = `arn:aws:apigateway:${region}::/apis/identity1`;
  const tagged = (service: string) => ({ 'aws:ResourceTag/service': service });
  return [
    // Finding 1: a deploy role writes a role without a boundary and passes it to Lambda.
    { finding: '1', step: 'create an own-prefix role without a boundary', principal: 'deploy', request: { action: 'iam:CreateRole', resource: ownRole }, expected: 'denied' },
    {
      finding: '1',
      step: 'create an own-prefix role with an AWS-managed admin boundary',
      principal: 'deploy',
      request: { action: 'iam:CreateRole', resource: ownRole, context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'create an own-prefix role with the service boundary (what a deploy does)',
      principal: 'deploy',
      request: { action: 'iam:CreateRole', resource: ownRole, context: { 'iam:PermissionsBoundary': boundary } },
      expected: 'allow',
    },
    {
      finding: '1',
      step: 'write an inline policy on an own role that has the boundary (what a deploy does)',
      principal: 'deploy',
      request: { action: 'iam:PutRolePolicy', resource: ownRole, context: { 'iam:PermissionsBoundary': boundary } },
      expected: 'allow',
    },
    { finding: '1', step: 'write an inline policy on an own role created before the boundary', principal: 'deploy', request: { action: 'iam:PutRolePolicy', resource: ownRole }, expected: 'denied' },
    {
      finding: '1',
      step: 'remove the boundary from an own role',
      principal: 'deploy',
      request: { action: 'iam:DeleteRolePermissionsBoundary', resource: ownRole, context: { 'iam:PermissionsBoundary': boundary } },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'swap the boundary for another policy',
      principal: 'deploy',
      request: { action: 'iam:PutRolePermissionsBoundary', resource: ownRole, context: { 'iam:PermissionsBoundary': `arn:aws:iam::${account}:policy/${own}-wide` } },
      expected: 'denied',
    },
    {
      finding: '1',
      step: "put another service's boundary on an own role",
      principal: 'deploy',
      request: { action: 'iam:PutRolePermissionsBoundary', resource: ownRole, context: { 'iam:PermissionsBoundary': serviceRoleBoundaryArn(env, 'identity') } },
      expected: 'denied',
    },
    { finding: '1', step: 'open an own role to another principal (trust policy)', principal: 'deploy', request: { action: 'iam:UpdateAssumeRolePolicy', resource: ownRole }, expected: 'denied' },
    {
      finding: '1',
      step: 'attach AdministratorAccess to an own role',
      principal: 'deploy',
      request: { action: 'iam:AttachRolePolicy', resource: ownRole, context: { 'iam:PermissionsBoundary': boundary, 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'rewrite the boundary policy itself',
      principal: 'deploy',
      request: { action: 'iam:CreatePolicyVersion', resource: boundary },
      expected: 'denied',
    },
    {
      finding: '1',
      step: "edit a pipeline role (its own deploy role)",
      principal: 'deploy',
      request: { action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${account}:role/kestrel-pipeline/${own}-deploy`, context: { 'iam:PermissionsBoundary': boundary } },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'pass an own role to Lambda (what a deploy does)',
      principal: 'deploy',
      request: { action: 'iam:PassRole', resource: ownRole, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      expected: 'allow',
    },
    {
      finding: '1',
      step: 'pass an own role to EC2 (an instance profile runs arbitrary code)',
      principal: 'deploy',
      request: { action: 'iam:PassRole', resource: ownRole, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      expected: 'denied',
    },
    // What a role written by the deploy can do, whatever its own policy says: the boundary caps it.
    { finding: '1', step: 'the created role creates an IAM user', principal: 'created-role', request: { action: 'iam:CreateUser', resource: `arn:aws:iam::${account}:user/backdoor` }, expected: 'denied' },
    {
      finding: '1',
      step: 'the created role attaches admin to a pipeline role',
      principal: 'created-role',
      request: { action: 'iam:AttachRolePolicy', resource: `arn:aws:iam::${account}:role/kestrel-pipeline/${own}-deploy` },
      expected: 'denied',
    },
    { finding: '1', step: 'the created role assumes another role', principal: 'created-role', request: { action: 'sts:AssumeRole', resource: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole` }, expected: 'denied' },
    {
      finding: '1',
      step: "the created role reads identity's table",
      principal: 'created-role',
      request: { action: 'dynamodb:Scan', resource: `arn:aws:dynamodb:${region}:${account}:table/kestrel-${name}-identity-identity` },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'the created role reads the Terraform state',
      principal: 'created-role',
      request: { action: 's3:GetObject', resource: `arn:aws:s3:::${env.stateBucket}/${name}/identity/terraform.tfstate` },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'the created role publishes as identity',
      principal: 'created-role',
      request: { action: 'events:PutEvents', resource: `arn:aws:events:${region}:${account}:event-bus/kestrel-${name}-bus`, context: { 'events:source': 'kestrel.identity' } },
      expected: 'denied',
    },
    {
      finding: '1',
      step: 'the created role reads its own table (what a function does)',
      principal: 'created-role',
      request: { action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:${region}:${account}:table/${own}-catalog` },
      expected: 'allow',
    },
    {
      finding: '1',
      step: 'the created role publishes its own source (what a function does)',
      principal: 'created-role',
      request: { action: 'events:PutEvents', resource: `arn:aws:events:${region}:${account}:event-bus/kestrel-${name}-bus`, context: { 'events:source': 'kestrel.catalog' } },
      expected: 'allow',
    },
    // What the stacks' roles do at run time (from the synthesized service stacks) stays allowed under the boundary.
    ...[
      ['read its table stream (outbox pipe)', 'dynamodb:GetRecords', `arn:aws:dynamodb:${region}:${account}:table/${own}-catalog/stream/2026-01-01T00:00:00.000`],
      ['send to its dead-letter queue', 'sqs:SendMessage', `arn:aws:sqs:${region}:${account}:${own}-on-product-retired-failures`],
      ['write its function logs', 'logs:PutLogEvents', `arn:aws:logs:${region}:${account}:log-group:/aws/lambda/${own}-http-get-product:log-stream:x`],
      ['read its own parameter', 'ssm:GetParameter', `arn:aws:ssm:${region}:${account}:parameter/kestrel/${name}/catalog/some-key`],
      ['read the platform bus parameter', 'ssm:GetParameter', `arn:aws:ssm:${region}:${account}:parameter/kestrel/${name}/platform/event-bus-arn`],
      ['write its bucket objects', 's3:PutObject', `arn:aws:s3:::${own}-raw-zone-${account}/raw/x.json`],
      ['put to its delivery stream', 'firehose:PutRecordBatch', `arn:aws:firehose:${region}:${account}:deliverystream/${own}-raw-events`],
      ['trace', 'xray:PutTraceSegments', '*'],
      // ListStreams has no resource-level permissions: the stream-trigger roles ask for it on "*".
      ['list its table streams (stream triggers)', 'dynamodb:ListStreams', '*'],
    ].map(([step, action, resource]) => ({ finding: '1', step: `the created role may ${step as string}`, principal: 'created-role' as const, request: { action: action as string, resource: resource as string }, expected: 'allow' as const })),
    {
      finding: '1',
      step: 'the created role may decrypt with its own tagged key',
      principal: 'created-role',
      request: { action: 'kms:Decrypt', resource: ownKey, context: tagged('catalog') },
      expected: 'allow',
    },
    { finding: '1', step: "the created role decrypts with identity's key", principal: 'created-role', request: { action: 'kms:Decrypt', resource: identityKey, context: tagged('identity') }, expected: 'denied' },
    {
      finding: '1',
      step: "the created role adds a user to a group of identity's pool",
      principal: 'created-role',
      request: { action: 'cognito-idp:AdminAddUserToGroup', resource: identityPool, context: tagged('identity') },
      expected: 'denied',
    },

    // Finding 2: claim another service's resource with the service tag, then administer it.
    {
      finding: '2',
      step: "tag identity's user pool service=catalog",
      principal: 'deploy',
      request: { action: 'cognito-idp:TagResource', resource: identityPool, context: { ...tagged('identity'), 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: "remove the service tag from identity's user pool",
      principal: 'deploy',
      request: { action: 'cognito-idp:UntagResource', resource: identityPool, context: { ...tagged('identity'), 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: 'tag the Terraform state key service=catalog',
      principal: 'deploy',
      request: { action: 'kms:TagResource', resource: stateKey, context: { ...tagged('bootstrap'), 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: "tag identity's HTTP API service=catalog (API Gateway tags through PUT)",
      principal: 'deploy',
      request: { action: 'apigateway:PUT', resource: `arn:aws:apigateway:${region}::/tags/${encodeURIComponent(identityApi)}`, context: { ...tagged('identity'), 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    { finding: '2', step: "delete identity's user pool", principal: 'deploy', request: { action: 'cognito-idp:DeleteUserPool', resource: identityPool, context: tagged('identity') }, expected: 'denied' },
    { finding: '2', step: "rewrite identity's key policy", principal: 'deploy', request: { action: 'kms:PutKeyPolicy', resource: identityKey, context: tagged('identity') }, expected: 'denied' },
    { finding: '2', step: 'rewrite the state key policy', principal: 'deploy', request: { action: 'kms:PutKeyPolicy', resource: stateKey, context: { ...tagged('bootstrap'), 'kms:ResourceAliases': ['alias/kestrel-terraform-state'] } }, expected: 'denied' },
    {
      finding: '2',
      step: 'hand an own resource to another service (retag service=identity)',
      principal: 'deploy',
      request: { action: 'kms:TagResource', resource: ownKey, context: { ...tagged('catalog'), 'aws:RequestTag/service': 'identity', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: 'create a key tagged for another service',
      principal: 'deploy',
      request: { action: 'kms:CreateKey', resource: '*', context: { 'aws:RequestTag/service': 'identity', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: 'create a key tagged for itself (what a deploy does)',
      principal: 'deploy',
      request: { action: 'kms:CreateKey', resource: '*', context: { 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service', 'owner', 'env', 'managed-by'] } },
      expected: 'allow',
    },
    {
      finding: '2',
      step: 'tag the key being created (tag-on-create, no service tag yet)',
      principal: 'deploy',
      request: { action: 'kms:TagResource', resource: ownKey, context: { 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service', 'owner'] } },
      expected: 'allow',
    },
    {
      finding: '2',
      step: 'change another tag on an own key, which carries its alias (what a deploy does)',
      principal: 'deploy',
      request: { action: 'kms:TagResource', resource: ownKey, context: { ...tagged('catalog'), 'kms:ResourceAliases': [`alias/${own}`], 'aws:RequestTag/owner': 'team-x', 'aws:TagKeys': ['owner'] } },
      expected: 'allow',
    },
    {
      finding: '2',
      step: 'administer an own key that carries its alias (what a deploy does)',
      principal: 'deploy',
      request: { action: 'kms:ScheduleKeyDeletion', resource: ownKey, context: { ...tagged('catalog'), 'kms:ResourceAliases': [`alias/${own}`] } },
      expected: 'allow',
    },
    {
      finding: '2',
      step: 'administer a key tagged catalog but aliased for identity',
      principal: 'deploy',
      request: { action: 'kms:ScheduleKeyDeletion', resource: identityKey, context: { ...tagged('catalog'), 'kms:ResourceAliases': [`alias/kestrel-${name}-identity`] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: "tag identity's table service=catalog",
      principal: 'deploy',
      request: { action: 'dynamodb:TagResource', resource: `arn:aws:dynamodb:${region}:${account}:table/kestrel-${name}-identity-identity`, context: { ...tagged('identity'), 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: 'tag an own role (what a deploy does)',
      principal: 'deploy',
      request: { action: 'iam:TagRole', resource: ownRole, context: { ...tagged('catalog'), 'aws:RequestTag/owner': 'team-x', 'aws:TagKeys': ['owner'] } },
      expected: 'allow',
    },
    {
      finding: '2',
      step: 'change the service tag of an own role',
      principal: 'deploy',
      request: { action: 'iam:TagRole', resource: ownRole, context: { ...tagged('catalog'), 'aws:RequestTag/service': 'identity', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
    {
      finding: '2',
      step: 'a plan tags anything',
      principal: 'plan',
      request: { action: 'cognito-idp:TagResource', resource: identityPool, context: { 'aws:RequestTag/service': 'catalog', 'aws:TagKeys': ['service'] } },
      expected: 'denied',
    },
  ];
}
