import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import { platformBusName } from '@kestrel/infra-constructs/platform-parameters';
import { stateKey } from '@kestrel/infra-constructs/kestrel-stack';

/** One IAM policy statement (the subset of the grammar we write). */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface ServiceAccessContext {
  env: EnvironmentConfig;
  /** Service (stack) name: state key `<env>/<service>/…`, resource prefix `kestrel-<env>-<service>-`. */
  service: string;
  /** ARN of the KMS key encrypting the state bucket (a Terraform reference in the stack). */
  stateKeyArn: string;
}

/**
 * The IAM path of the pipeline's own roles. Service resources are named
 * `kestrel-<env>-<service>-*` at the root path, so no service's deploy role
 * (which manages roles under its prefix) can touch a pipeline role, its own
 * included.
 */
export const PIPELINE_ROLE_PATH = '/kestrel-pipeline/';

/** `kestrel-<env>-<service>-plan` or `-deploy`. */
export function pipelineRoleName(env: string, service: string, kind: 'plan' | 'deploy'): string {
  return `kestrel-${env}-${service}-${kind}`;
}

/**
 * The ARN a workflow assumes, e.g. `arn:aws:iam::111111111111:role/kestrel-pipeline/kestrel-staging-customers-deploy`.
 *
 * @example
 * ```ts
 * pipelineRoleArn(environment('staging'), 'customers', 'plan');
 * ```
 */
export function pipelineRoleArn(env: Pick<EnvironmentConfig, 'accountId' | 'name'>, service: string, kind: 'plan' | 'deploy'): string {
  return `arn:aws:iam::${env.accountId}:role${PIPELINE_ROLE_PATH}${pipelineRoleName(env.name, service, kind)}`;
}

/**
 * A family of AWS resources a service owns, found by name (its ARN patterns
 * embed the `kestrel-<env>-<service>-` prefix), with the actions a plan may
 * read and a deploy may take on them.
 */
interface NamedFamily {
  arns: (ctx: ArnContext) => string[];
  /** Metadata reads for `terraform plan` (refresh); no data-plane reads. */
  read: string[];
  /** Everything `terraform apply` does on them. */
  manage: string[];
}

interface ArnContext {
  region: string;
  account: string;
  env: string;
  service: string;
  /** `kestrel-<env>-<service>` */
  prefix: string;
}

const NAMED_FAMILIES: Record<string, NamedFamily> = {
  dynamodb: {
    arns: ({ region, account, prefix }) => [`arn:aws:dynamodb:${region}:${account}:table/${prefix}-*`],
    read: ['dynamodb:Describe*', 'dynamodb:ListTagsOfResource', 'dynamodb:GetResourcePolicy'],
    manage: ['dynamodb:*'],
  },
  lambda: {
    arns: ({ region, account, prefix }) => [`arn:aws:lambda:${region}:${account}:function:${prefix}-*`],
    read: ['lambda:Get*', 'lambda:List*'],
    manage: ['lambda:*'],
  },
  sqs: {
    arns: ({ region, account, prefix }) => [`arn:aws:sqs:${region}:${account}:${prefix}-*`],
    read: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ListQueueTags', 'sqs:ListDeadLetterSourceQueues'],
    manage: ['sqs:*'],
  },
  logs: {
    arns: ({ region, account, prefix }) =>
      ['/aws/lambda/', '/aws/apigateway/', '/aws/vendedlogs/', ''].map((group) => `arn:aws:logs:${region}:${account}:log-group:${group}${prefix}-*`),
    read: ['logs:Describe*', 'logs:ListTagsForResource', 'logs:ListTagsLogGroup'],
    manage: ['logs:*'],
  },
  events: {
    arns: ({ region, account, env, prefix }) => [
      `arn:aws:events:${region}:${account}:rule/${prefix}-*`,
      `arn:aws:events:${region}:${account}:rule/${platformBusName(env as EnvironmentConfig['name'])}/${prefix}-*`,
      `arn:aws:events:${region}:${account}:archive/${prefix}-*`,
    ],
    read: ['events:Describe*', 'events:List*'],
    manage: ['events:*'],
  },
  pipes: {
    arns: ({ region, account, prefix }) => [`arn:aws:pipes:${region}:${account}:pipe/${prefix}-*`],
    read: ['pipes:Describe*', 'pipes:List*'],
    manage: ['pipes:*'],
  },
  ssm: {
    arns: ({ region, account, env, service }) => [`arn:aws:ssm:${region}:${account}:parameter/kestrel/${env}/${service}/*`],
    read: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:ListTagsForResource'],
    manage: ['ssm:*'],
  },
  iam: {
    arns: ({ account, prefix }) => [`arn:aws:iam::${account}:role/${prefix}-*`, `arn:aws:iam::${account}:policy/${prefix}-*`],
    read: ['iam:Get*', 'iam:List*'],
    manage: [
      'iam:Get*', 'iam:List*', 'iam:CreateRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy', 'iam:TagRole', 'iam:UntagRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy',
    ],
  },
  firehose: {
    arns: ({ region, account, prefix }) => [`arn:aws:firehose:${region}:${account}:deliverystream/${prefix}-*`],
    read: ['firehose:Describe*', 'firehose:List*'],
    manage: ['firehose:*'],
  },
  s3: {
    // Bucket ARNs only for reads: object ARNs (`<bucket>/<key>`) are data.
    arns: ({ prefix }) => [`arn:aws:s3:::${prefix}-*`],
    read: ['s3:GetBucket*', 's3:Get*Configuration', 's3:GetAccelerateConfiguration', 's3:ListBucketVersions'],
    manage: ['s3:*'],
  },
  glue: {
    arns: ({ region, account, prefix }) => {
      const underscored = prefix.replaceAll('-', '_');
      return [
        `arn:aws:glue:${region}:${account}:catalog`,
        ...[prefix, underscored].flatMap((name) => [
          `arn:aws:glue:${region}:${account}:database/${name}*`,
          `arn:aws:glue:${region}:${account}:table/${name}*/*`,
        ]),
      ];
    },
    read: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTableVersions', 'glue:GetTags'],
    manage: ['glue:*Database*', 'glue:*Table*', 'glue:*Partition*', 'glue:GetTags', 'glue:TagResource', 'glue:UntagResource'],
  },
  athena: {
    arns: ({ region, account, prefix }) => [`arn:aws:athena:${region}:${account}:workgroup/${prefix}-*`],
    read: ['athena:GetWorkGroup', 'athena:ListTagsForResource'],
    manage: ['athena:*WorkGroup*', 'athena:TagResource', 'athena:UntagResource', 'athena:ListTagsForResource'],
  },
  cloudwatch: {
    arns: ({ region, account, prefix }) => [`arn:aws:cloudwatch:${region}:${account}:alarm:${prefix}-*`],
    read: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListTagsForResource'],
    manage: ['cloudwatch:*Alarm*', 'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'],
  },
  kmsAlias: {
    // ServiceKey's alias is `alias/kestrel-<env>-<service>` (no suffix).
    arns: ({ region, account, prefix }) => [`arn:aws:kms:${region}:${account}:alias/${prefix}`, `arn:aws:kms:${region}:${account}:alias/${prefix}-*`],
    read: ['kms:ListAliases'],
    manage: ['kms:CreateAlias', 'kms:DeleteAlias', 'kms:UpdateAlias'],
  },
  schemas: {
    arns: ({ region, account, prefix }) => [
      `arn:aws:schemas:${region}:${account}:registry/${prefix}-*`,
      `arn:aws:schemas:${region}:${account}:schema/${prefix}-*/*`,
    ],
    read: ['schemas:Describe*', 'schemas:List*', 'schemas:GetResourcePolicy'],
    manage: ['schemas:*'],
  },
};

/**
 * Resources whose ARNs hold an id instead of a name (KMS keys, HTTP APIs,
 * Cognito user pools, event source mappings): scoped by the `service` tag
 * every resource gets from the provider's default tags.
 */
const TAGGED = {
  read: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'cognito-idp:Describe*', 'cognito-idp:Get*', 'cognito-idp:List*'],
  manage: ['kms:*', 'apigateway:*', 'cognito-idp:*'],
  create: ['kms:CreateKey', 'kms:TagResource', 'apigateway:POST', 'apigateway:TagResource', 'cognito-idp:CreateUserPool*', 'cognito-idp:TagResource'],
};

/** Calls that take no resource (or that Terraform needs account-wide) and reveal only metadata. */
const ACCOUNT_WIDE_READS = [
  'dynamodb:ListTables', 'lambda:ListFunctions', 'lambda:ListEventSourceMappings', 'lambda:GetEventSourceMapping',
  'sqs:ListQueues', 'logs:DescribeLogGroups', 'events:ListRules', 'events:ListEventBuses', 'pipes:ListPipes',
  'ssm:DescribeParameters', 'kms:ListAliases', 'kms:ListKeys', 'firehose:ListDeliveryStreams', 'athena:ListWorkGroups',
  'schemas:ListRegistries', 'cognito-idp:ListUserPools', 'cloudwatch:DescribeAlarms', 'tag:GetResources',
  // HTTP API sub-resources (routes, integrations, stages) carry no tags: reads are account-wide.
  'apigateway:GET',
];

/** Data-plane calls neither role needs: `manage` wildcards above would otherwise include them. */
const DATA_PLANE = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:PutItem',
  'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQL*', 'dynamodb:GetRecords',
  'sqs:ReceiveMessage', 'sqs:SendMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue',
  'firehose:PutRecord*', 'lambda:InvokeFunction', 'events:PutEvents',
];

function arnContext({ env, service }: ServiceAccessContext): ArnContext {
  return { region: env.region, account: env.accountId, env: env.name, service, prefix: `kestrel-${env.name}-${service}` };
}

/** The platform owns the bus itself, which is not under its name prefix (`kestrel-<env>-bus`). */
function extraOwnedArns({ env, service }: ServiceAccessContext): string[] {
  return service === 'platform' ? [`arn:aws:events:${env.region}:${env.accountId}:event-bus/${platformBusName(env.name)}`] : [];
}

/** Every ARN pattern the service owns by name. */
export function ownedResourceArns(ctx: ServiceAccessContext): string[] {
  const arns = arnContext(ctx);
  return [...Object.values(NAMED_FAMILIES).flatMap((family) => family.arns(arns)), ...extraOwnedArns(ctx)];
}

const unique = (values: string[]) => [...new Set(values)];

function stateStatements(ctx: ServiceAccessContext, kind: 'plan' | 'deploy'): PolicyStatement[] {
  const bucket = `arn:aws:s3:::${ctx.env.stateBucket}`;
  const key = stateKey(ctx.env.name, ctx.service);
  return [
    {
      Sid: 'ListOwnStatePrefix',
      Effect: 'Allow',
      Action: ['s3:ListBucket'],
      Resource: bucket,
      Condition: { StringLike: { 's3:prefix': [`${ctx.env.name}/${ctx.service}/*`] } },
    },
    {
      Sid: kind === 'plan' ? 'ReadOwnState' : 'ReadWriteOwnState',
      Effect: 'Allow',
      Action: kind === 'plan' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
      Resource: `${bucket}/${key}`,
    },
    {
      // S3 native locking: `<key>.tflock` is created and deleted by plan and apply alike.
      Sid: 'LockOwnState',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: `${bucket}/${key}.tflock`,
    },
    {
      Sid: 'UseStateKeyThroughS3',
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: ctx.stateKeyArn,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${ctx.env.region}.amazonaws.com` } },
    },
  ];
}

function sharedParameterReads({ env }: ServiceAccessContext): PolicyStatement {
  return {
    // Service stacks read the platform bus and the identity issuer by name (data sources).
    Sid: 'ReadSharedParameters',
    Effect: 'Allow',
    Action: ['ssm:GetParameter', 'ssm:GetParameters'],
    Resource: ['platform', 'identity'].map((owner) => `arn:aws:ssm:${env.region}:${env.accountId}:parameter/kestrel/${env.name}/${owner}/*`),
  };
}

/**
 * What a pull request's `terraform plan` may do for one service: read its own
 * state (and take the S3 lock file), read the metadata of its own resources,
 * list account-wide. No writes outside the lock file, no data-plane reads.
 *
 * @example
 * ```ts
 * planPolicy({ env: environment('staging'), service: 'customers', stateKeyArn }).Statement.map((s) => s.Sid);
 * ```
 */
export function planPolicy(ctx: ServiceAccessContext): PolicyDocument {
  const families = Object.values(NAMED_FAMILIES);
  return {
    Version: '2012-10-17',
    Statement: [
      ...stateStatements(ctx, 'plan'),
      { Sid: 'ReadOwnResources', Effect: 'Allow', Action: unique(families.flatMap((f) => f.read)), Resource: ownedResourceArns(ctx) },
      {
        Sid: 'ReadOwnTaggedResources',
        Effect: 'Allow',
        Action: TAGGED.read,
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/service': ctx.service } },
      },
      { Sid: 'ListAccountWide', Effect: 'Allow', Action: ACCOUNT_WIDE_READS, Resource: '*' },
      sharedParameterReads(ctx),
      { Sid: 'NoDataPlane', Effect: 'Deny', Action: DATA_PLANE, Resource: '*' },
    ],
  };
}

/**
 * What a deploy of one service may do: read and write its own state, manage
 * resources under its name prefix or carrying its `service` tag, pass only
 * its own roles, and nothing that escalates (IAM users, access keys, managed
 * policy attachments, the pipeline's roles).
 *
 * @example
 * ```ts
 * deployPolicy({ env: environment('production'), service: 'customers', stateKeyArn });
 * ```
 */
export function deployPolicy(ctx: ServiceAccessContext): PolicyDocument {
  const families = Object.values(NAMED_FAMILIES);
  const { account, prefix } = arnContext(ctx);
  return {
    Version: '2012-10-17',
    Statement: [
      ...stateStatements(ctx, 'deploy'),
      { Sid: 'ManageOwnResources', Effect: 'Allow', Action: unique(families.flatMap((f) => f.manage)), Resource: ownedResourceArns(ctx) },
      {
        Sid: 'ManageOwnTaggedResources',
        Effect: 'Allow',
        Action: TAGGED.manage,
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/service': ctx.service } },
      },
      {
        Sid: 'CreateTaggedResources',
        Effect: 'Allow',
        Action: TAGGED.create,
        Resource: '*',
        Condition: { StringEquals: { 'aws:RequestTag/service': ctx.service } },
      },
      {
        // Stream and queue triggers: the mapping's id is random, its function is ours.
        Sid: 'ManageOwnEventSourceMappings',
        Effect: 'Allow',
        Action: ['lambda:CreateEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping', 'lambda:TagResource'],
        Resource: '*',
        Condition: { ArnLike: { 'lambda:FunctionArn': `arn:aws:lambda:${ctx.env.region}:${account}:function:${prefix}-*` } },
      },
      {
        Sid: 'PassOwnRolesToServices',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: `arn:aws:iam::${account}:role/${prefix}-*`,
        Condition: {
          StringEquals: {
            'iam:PassedToService': ['lambda.amazonaws.com', 'pipes.amazonaws.com', 'firehose.amazonaws.com', 'events.amazonaws.com', 'scheduler.amazonaws.com'],
          },
        },
      },
      { Sid: 'ListAccountWide', Effect: 'Allow', Action: ACCOUNT_WIDE_READS, Resource: '*' },
      sharedParameterReads(ctx),
      { Sid: 'NoDataPlane', Effect: 'Deny', Action: DATA_PLANE, Resource: '*' },
      {
        Sid: 'NoObjectReads',
        Effect: 'Deny',
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: `arn:aws:s3:::${prefix}-*/*`,
      },
      {
        Sid: 'NoEscalation',
        Effect: 'Deny',
        Action: [
          'iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:AttachRolePolicy', 'iam:AttachUserPolicy',
          'iam:PutRolePermissionsBoundary', 'iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion',
        ],
        Resource: '*',
      },
      {
        Sid: 'NoPipelineRoles',
        Effect: 'Deny',
        Action: ['iam:*'],
        Resource: `arn:aws:iam::${account}:role${PIPELINE_ROLE_PATH}*`,
      },
    ],
  };
}
