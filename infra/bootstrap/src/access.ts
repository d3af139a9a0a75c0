import type { EnvironmentConfig } from '@kestrel/infra-constructs/environments';
import { PIPELINE_PATH, serviceRoleBoundaryArn } from '@kestrel/infra-constructs/role-boundary';
import { platformBusName } from '@kestrel/infra-constructs/platform-parameters';
import { stateKey } from '@kestrel/infra-constructs/kestrel-stack';

/** One IAM policy statement (the subset of the grammar we write). */
export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
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
 * The IAM path of the pipeline's own roles and of the service-role boundaries.
 * Service resources are named `kestrel-<env>-<service>-*` at the root path, so
 * no service's deploy role (which manages roles under its prefix) can touch a
 * pipeline role or a boundary, its own included.
 */
export const PIPELINE_ROLE_PATH = PIPELINE_PATH;

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
    // Writes to roles are in roleStatements(): each requires the service's boundary.
    manage: ['iam:Get*', 'iam:List*'],
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
    // kms:ListAliases takes no resource (account-wide, see ACCOUNT_WIDE_READS): an alias ARN here never matches.
    read: [],
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
 * Cognito user pools): scoped by the `service` tag every resource gets from
 * the provider's default tags, which is why that tag is immutable once set
 * (see {@link tagStatements}). KMS keys are scoped by name as well: a key is
 * the service's only if it also carries the service's alias (`kms:ResourceAliases`).
 */
const TAGGED = {
  read: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'cognito-idp:Describe*', 'cognito-idp:Get*', 'cognito-idp:List*'],
  /** Managed on existing resources carrying `service=<service>`; tagging is separate ({@link TAG_ACTIONS}). */
  manage: ['apigateway:DELETE', 'apigateway:GET', 'apigateway:PATCH', 'apigateway:POST', 'apigateway:PUT', 'cognito-idp:*'],
  /** Creating calls: allowed only with `aws:RequestTag/service=<service>` in the request. */
  create: ['kms:CreateKey', 'apigateway:POST', 'cognito-idp:CreateUserPool'],
};

/**
 * Every call that adds, lists or removes tags, per family (tag-on-create needs
 * them too: DynamoDB, SQS, Lambda and KMS check the tagging action when a
 * create carries tags). Wildcards keep the deploy policy under IAM's inline
 * size limit; the list calls they also match only read. API Gateway has no
 * tagging actions: it tags through {@link APIGATEWAY_TAGGING} on `/tags/<arn>`.
 */
const TAG_ACTIONS = ['kms', 'cognito-idp', 'lambda', 'dynamodb', 'sqs', 'logs', 'events', 'pipes', 'iam', 'firehose', 'glue', 'athena', 'cloudwatch', 'schemas']
  .map((service) => `${service}:*Tag*`)
  .concat(['ssm:*TagsToResource', 'ssm:*TagsFromResource', 's3:*BucketTagging']);

/**
 * API Gateway's tag calls are its HTTP verbs on the `Tags` resource
 * (`arn:aws:apigateway:<region>::/tags/<url-encoded arn>`): PUT adds, DELETE
 * removes (Service Authorization Reference). POST is not one (creates carry
 * tags and are judged by {@link TAGGED}.create), so it stays out of the
 * immutable-tag deny, where it would refuse new stages of a tagged API.
 */
const APIGATEWAY_TAGGING = ['apigateway:PUT', 'apigateway:DELETE'];

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
        // Reads only: a plan cannot tag, so it cannot claim anything.
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
      ...taggedStatements(ctx),
      ...tagStatements(ctx),
      ...roleStatements(ctx),
      {
        // Stream and queue triggers: the mapping's id is random, its function is ours.
        Sid: 'ManageOwnEventSourceMappings',
        Effect: 'Allow',
        Action: ['lambda:CreateEventSourceMapping', 'lambda:UpdateEventSourceMapping', 'lambda:DeleteEventSourceMapping'],
        Resource: '*',
        Condition: { ArnLike: { 'lambda:FunctionArn': `arn:aws:lambda:${ctx.env.region}:${account}:function:${prefix}-*` } },
      },
      {
        // Every role under the prefix carries the service's boundary (CreateRole
        // and every change require it, nothing removes it), so what is passed is capped.
        Sid: 'PassOwnRolesToServices',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: `arn:aws:iam::${account}:role/${prefix}-*`,
        Condition: { StringEquals: { 'iam:PassedToService': [...PASSABLE_TO] } },
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
          'iam:DeleteRolePermissionsBoundary', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:CreatePolicy',
          // Service roles trust one AWS service, set at creation; a changed trust could open a role to anyone.
          'iam:UpdateAssumeRolePolicy',
        ],
        Resource: '*',
      },
      {
        Sid: 'NoPipelineRolesOrBoundaries',
        Effect: 'Deny',
        Action: ['iam:*'],
        Resource: [`arn:aws:iam::${account}:role${PIPELINE_ROLE_PATH}*`, `arn:aws:iam::${account}:policy${PIPELINE_ROLE_PATH}*`],
      },
    ],
  };
}

/** The AWS services a deploy may hand its roles to. */
const PASSABLE_TO = ['lambda.amazonaws.com', 'pipes.amazonaws.com', 'firehose.amazonaws.com', 'events.amazonaws.com', 'scheduler.amazonaws.com'] as const;

/**
 * Role writes, each only with the service's permissions boundary in place
 * (`iam:PermissionsBoundary`, which IAM evaluates against the boundary the
 * role has or is given): a role without it cannot be created, and an
 * existing role without it (created before the boundary existed) cannot be
 * changed until `PutRolePermissionsBoundary` gives it exactly this one.
 * `DeleteRole` and `UpdateRole*` take no such key; deleting or renaming a
 * description grants nothing.
 */
function roleStatements(ctx: ServiceAccessContext): PolicyStatement[] {
  const { account, prefix } = arnContext(ctx);
  const roles = `arn:aws:iam::${account}:role/${prefix}-*`;
  const boundary = serviceRoleBoundaryArn(ctx.env, ctx.service);
  return [
    {
      Sid: 'WriteOwnRolesWithBoundary',
      Effect: 'Allow',
      Action: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:DetachRolePolicy'],
      Resource: roles,
      Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } },
    },
    {
      Sid: 'ChangeOwnRoleMetadata',
      Effect: 'Allow',
      Action: ['iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription'],
      Resource: roles,
    },
    {
      Sid: 'NoOtherBoundary',
      Effect: 'Deny',
      Action: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:PutRolePolicy'],
      Resource: '*',
      Condition: { StringNotEquals: { 'iam:PermissionsBoundary': boundary } },
    },
  ];
}

/**
 * Id-addressed resources: manage what carries `service=<service>`; create only
 * with that tag in the request. KMS keys need the service's alias as well.
 */
function taggedStatements(ctx: ServiceAccessContext): PolicyStatement[] {
  const { region, account, prefix } = arnContext(ctx);
  const own = { 'aws:ResourceTag/service': ctx.service };
  return [
    { Sid: 'ManageOwnTaggedResources', Effect: 'Allow', Action: TAGGED.manage, Resource: '*', Condition: { StringEquals: own } },
    {
      // Both conditions: a key is ours only if it carries our tag and our alias.
      Sid: 'ManageOwnKeys',
      Effect: 'Allow',
      Action: ['kms:*'],
      Resource: `arn:aws:kms:${region}:${account}:key/*`,
      Condition: { StringEquals: own, 'ForAnyValue:StringLike': { 'kms:ResourceAliases': [`alias/${prefix}`, `alias/${prefix}-*`] } },
    },
    {
      // A new key has no alias yet: naming it needs only the tag it was created with.
      Sid: 'AliasOwnNewKeys',
      Effect: 'Allow',
      Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListResourceTags',
        'kms:EnableKeyRotation', 'kms:PutKeyPolicy'],
      Resource: `arn:aws:kms:${region}:${account}:key/*`,
      Condition: { StringEquals: own },
    },
    { Sid: 'CreateTaggedResources', Effect: 'Allow', Action: TAGGED.create, Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/service': ctx.service } } },
  ];
}

/**
 * The `service` tag is what the id-addressed grants trust, so it is set once,
 * at creation, and never changed (the pattern of AWS's attribute-based access
 * control guides): tags may be written on a resource being created (it has no
 * `service` tag yet) with `service=<service>` in the request, or on an existing
 * resource of the service without touching `service`; removing or changing
 * `service` on any existing resource is denied.
 */
function tagStatements(ctx: ServiceAccessContext): PolicyStatement[] {
  return [
    {
      Sid: 'TagResourcesBeingCreated',
      Effect: 'Allow',
      Action: TAG_ACTIONS,
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/service': 'true' }, StringEquals: { 'aws:RequestTag/service': ctx.service } },
    },
    // Existing resources of the service are tagged through their family's grants above
    // (`dynamodb:*` on its tables, `kms:*` on its keys, `cognito-idp:*` on its pool…); roles have only reads there.
    { Sid: 'TagOwnRoles', Effect: 'Allow', Action: ['iam:TagRole', 'iam:UntagRole'], Resource: `arn:aws:iam::${ctx.env.accountId}:role/kestrel-${ctx.env.name}-${ctx.service}-*` },
    {
      Sid: 'ServiceTagImmutable',
      Effect: 'Deny',
      Action: [...TAG_ACTIONS, ...APIGATEWAY_TAGGING],
      Resource: '*',
      Condition: { Null: { 'aws:ResourceTag/service': 'false' }, 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['service'] } },
    },
    {
      Sid: 'OnlyOwnServiceTag',
      Effect: 'Deny',
      Action: unique([...TAG_ACTIONS, ...APIGATEWAY_TAGGING, ...TAGGED.create]),
      Resource: '*',
      Condition: { Null: { 'aws:RequestTag/service': 'false' }, StringNotEquals: { 'aws:RequestTag/service': ctx.service } },
    },
  ];
}

/**
 * The permissions boundary of one service's roles (`kestrel-<env>-<service>-boundary`,
 * under the pipeline's path, created by bootstrap): the most any role the
 * service's deploy creates can ever do, whatever policy it writes on it.
 * Runtime calls only, on the service's own resources (by name prefix, or by
 * the immutable `service` tag for keys and the user pool), plus publishing its
 * own source on the bus and reading the shared parameters. No IAM, no STS, no
 * control plane: a role the deploy writes cannot become anything else.
 *
 * @example
 * ```ts
 * serviceRoleBoundary({ env: environment('staging'), service: 'customers', stateKeyArn }).Statement.map((s) => s.Sid);
 * ```
 */
export function serviceRoleBoundary(ctx: ServiceAccessContext): PolicyDocument {
  const { region, account, env, service, prefix } = arnContext(ctx);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RuntimeOnOwnResources',
        Effect: 'Allow',
        Action: [...BOUNDARY_RUNTIME_ACTIONS],
        Resource: [
          `arn:aws:dynamodb:${region}:${account}:table/${prefix}-*`,
          // Streams and indexes of its tables.
          `arn:aws:dynamodb:${region}:${account}:table/${prefix}-*/*`,
          `arn:aws:sqs:${region}:${account}:${prefix}-*`,
          `arn:aws:logs:${region}:${account}:log-group:*${prefix}-*`,
          `arn:aws:firehose:${region}:${account}:deliverystream/${prefix}-*`,
          `arn:aws:s3:::${prefix}-*`,
          `arn:aws:s3:::${prefix}-*/*`,
          `arn:aws:lambda:${region}:${account}:function:${prefix}-*`,
          `arn:aws:ssm:${region}:${account}:parameter/kestrel/${env}/${service}/*`,
          `arn:aws:glue:${region}:${account}:catalog`,
          `arn:aws:glue:${region}:${account}:database/${prefix.replaceAll('-', '_')}*`,
          `arn:aws:glue:${region}:${account}:table/${prefix.replaceAll('-', '_')}*/*`,
        ],
      },
      {
        // Key ids and the user pool id carry no name: the immutable service tag says whose they are.
        Sid: 'RuntimeOnOwnTaggedResources',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey',
          'cognito-idp:AdminGetUser', 'cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminListGroupsForUser', 'cognito-idp:AdminUserGlobalSignOut',
          'cognito-idp:ListUsers'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceTag/service': service } },
      },
      {
        Sid: 'PublishOwnSource',
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: `arn:aws:events:${region}:${account}:event-bus/${platformBusName(env as EnvironmentConfig['name'])}`,
        Condition: { StringEquals: { 'events:source': `kestrel.${service}` } },
      },
      {
        Sid: 'ReadSharedParametersAndSecrets',
        Effect: 'Allow',
        Action: ['ssm:GetParameter', 'ssm:GetParameters', 'secretsmanager:GetSecretValue'],
        Resource: [
          `arn:aws:ssm:${region}:${account}:parameter/kestrel/${env}/platform/*`,
          `arn:aws:ssm:${region}:${account}:parameter/kestrel/${env}/identity/*`,
          // The Datadog API key; Secrets Manager appends six random characters to the name.
          ...(ctx.env.datadog.enabled ? [`arn:aws:secretsmanager:${region}:${account}:secret:${ctx.env.datadog.apiKeySecretName}-??????`] : []),
        ],
      },
      ...(ctx.env.datadog.enabled && ctx.env.datadog.apiKeyKmsKeyArn
        ? [
            {
              Sid: 'DecryptDatadogApiKey',
              Effect: 'Allow' as const,
              Action: ['kms:Decrypt'],
              Resource: ctx.env.datadog.apiKeyKmsKeyArn,
              Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } },
            },
          ]
        : []),
      {
        // X-Ray and dynamodb:ListStreams accept only "*"; SES only from the environment's verified identities.
        Sid: 'TracingMailAndStreamListing',
        Effect: 'Allow',
        Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ses:SendEmail', 'dynamodb:ListStreams'],
        Resource: ['*'],
      },
    ],
  };
}

/** What a service role does at run time on its own resources: data, queues, logs, delivery. */
const BOUNDARY_RUNTIME_ACTIONS = [
  'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator',
  'sqs:SendMessage', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes',
  'logs:CreateLogStream', 'logs:PutLogEvents', 'firehose:PutRecord', 'firehose:PutRecordBatch', 's3:GetObject', 's3:PutObject',
  's3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads', 'lambda:InvokeFunction',
  'ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath', 'glue:GetTable', 'glue:GetTableVersion', 'glue:GetTableVersions',
] as const;
