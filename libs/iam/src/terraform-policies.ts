import type { PolicyKind } from './policy';
import { OPAQUE_RESOURCE, validatePolicy } from './validate';
import type { PolicyFinding } from './validate';

/**
 * Every policy of a synthesized Terraform stack (`cdk.tf.json`), with the
 * stack's references (`${aws_sqs_queue.dlq.arn}`) replaced by an ARN of the
 * referenced resource's type, so the validator can tell a queue from a table.
 * References this table does not know stay opaque and are not type-checked.
 */

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** The parts of a synthesized stack this module reads. */
export interface TerraformStackJson {
  resource?: Blocks;
  data?: Blocks;
}

export interface StackPolicy {
  /** `aws_iam_role_policy.orders_policy_1A2B (policy)` */
  location: string;
  kind: PolicyKind;
  /** The policy document with references replaced (JSON text or object). */
  document: unknown;
}

const REGION = 'eu-west-1';
const ACCOUNT = '111111111111';

/** ARN of a resource of each type, from the Terraform name (the type is what matters). */
const SAMPLE_ARNS: Record<string, Record<string, (name: string) => string>> = {
  aws_sqs_queue: { arn: (name) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` },
  aws_dynamodb_table: {
    arn: (name) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
    stream_arn: (name) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}/stream/2026-01-01T00:00:00.000`,
  },
  aws_cloudwatch_event_bus: { arn: (name) => `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}` },
  aws_cloudwatch_event_rule: { arn: (name) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/bus/${name}` },
  aws_cloudwatch_event_archive: { arn: (name) => `arn:aws:events:${REGION}:${ACCOUNT}:archive/${name}` },
  aws_cloudwatch_event_connection: { arn: (name) => `arn:aws:events:${REGION}:${ACCOUNT}:connection/${name}/id` },
  aws_cloudwatch_event_api_destination: { arn: (name) => `arn:aws:events:${REGION}:${ACCOUNT}:api-destination/${name}/id` },
  aws_lambda_function: {
    arn: (name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    qualified_arn: (name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:1`,
  },
  aws_lambda_alias: { arn: (name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fn:${name}` },
  aws_s3_bucket: { arn: (name) => `arn:aws:s3:::${name}` },
  aws_kinesis_firehose_delivery_stream: { arn: (name) => `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${name}` },
  aws_kinesis_stream: { arn: (name) => `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}` },
  aws_iam_role: { arn: (name) => `arn:aws:iam::${ACCOUNT}:role/${name}` },
  aws_iam_policy: { arn: (name) => `arn:aws:iam::${ACCOUNT}:policy/${name}` },
  aws_kms_key: { arn: (name) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}` },
  aws_kms_alias: { arn: (name) => `arn:aws:kms:${REGION}:${ACCOUNT}:alias/${name}` },
  aws_cloudwatch_log_group: { arn: (name) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}` },
  aws_cognito_user_pool: { arn: (name) => `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_${name}` },
  aws_pipes_pipe: { arn: (name) => `arn:aws:pipes:${REGION}:${ACCOUNT}:pipe/${name}` },
  aws_sns_topic: { arn: (name) => `arn:aws:sns:${REGION}:${ACCOUNT}:${name}` },
  aws_ssm_parameter: { arn: (name) => `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/${name}` },
  aws_apigatewayv2_api: { execution_arn: (name) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${name}` },
  aws_glue_catalog_database: { arn: (name) => `arn:aws:glue:${REGION}:${ACCOUNT}:database/${name}` },
  aws_glue_catalog_table: { arn: (name) => `arn:aws:glue:${REGION}:${ACCOUNT}:table/db/${name}` },
  aws_athena_workgroup: { arn: (name) => `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${name}` },
  aws_secretsmanager_secret: { arn: (name) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf` },
  aws_sfn_state_machine: { arn: (name) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}` },
  aws_schemas_registry: { arn: (name) => `arn:aws:schemas:${REGION}:${ACCOUNT}:registry/${name}` },
  aws_iam_openid_connect_provider: { arn: (name) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${name}` },
};

/** Data sources whose attributes are plain values (account id, region, partition). */
const SAMPLE_DATA: Record<string, Record<string, string>> = {
  aws_caller_identity: { account_id: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` },
  aws_region: { name: REGION, region: REGION, id: REGION },
  aws_partition: { partition: 'aws', dns_suffix: 'amazonaws.com' },
};

const REFERENCE = /\$\{([^{}]*)\}/g;
// cdktn writes a literal `${` (an IAM policy variable) as `$${`.
const ESCAPED = '\u0000escaped-dollar-brace';

/**
 * Replaces Terraform references in a policy text. A reference it cannot type
 * makes the whole value opaque (`OPAQUE_RESOURCE` for a Resource value).
 */
function resolveText(text: string): { text: string; opaque: boolean } {
  let opaque = false;
  const resolved = text.replaceAll('$${', ESCAPED).replace(REFERENCE, (whole, expression: string) => {
    const parts = expression.trim().split('.');
    if (parts[0] === 'data' && parts.length === 4) {
      const value = SAMPLE_DATA[parts[1] as string]?.[parts[3] as string];
      if (value !== undefined) return value;
    } else if (parts.length === 3) {
      const sample = SAMPLE_ARNS[parts[0] as string]?.[parts[2] as string];
      if (sample) return sample(parts[1] as string);
    }
    opaque = true;
    return whole;
  });
  return { text: resolved.replaceAll(ESCAPED, '${'), opaque };
}

/** Resolves every string of a (parsed) policy; Resource values that stay opaque become OPAQUE_RESOURCE. */
function resolveDocument(value: unknown, field?: string): unknown {
  if (typeof value === 'string') {
    const { text, opaque } = resolveText(value);
    return opaque && (field === 'Resource' || field === 'NotResource') ? OPAQUE_RESOURCE : text;
  }
  if (Array.isArray(value)) return value.map((item) => resolveDocument(item, field));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveDocument(item, key === 'Resource' || key === 'NotResource' ? key : field)]));
  }
  return value;
}

/** Parses a policy attribute: literal JSON (with references inside strings). `undefined` for a whole-value reference. */
function policyText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/^\$\{[^{}]*\}$/.test(value.trim())) return undefined; // e.g. ${data.aws_iam_policy_document.x.json}: validated at its source
  try {
    return resolveDocument(JSON.parse(value));
  } catch {
    return value; // not JSON: the validator reports it as such
  }
}

const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** `aws_iam_policy_document` statements (HCL blocks) as a policy document. */
function policyDocumentData(values: Record<string, unknown>): unknown {
  const principals = (blocks: unknown): Record<string, string[]> | '*' | undefined => {
    const entries = list(blocks) as Array<{ type: string; identifiers: string[] }>;
    if (entries.length === 0) return undefined;
    // `principals { type = "*", identifiers = ["*"] }` renders as "Principal": "*".
    if (entries.some((entry) => entry.type === '*')) return '*';
    const block: Record<string, string[]> = {};
    for (const entry of entries) block[entry.type] = [...(block[entry.type] ?? []), ...list(entry.identifiers).map(String)];
    return block;
  };
  const statements = (list(values.statement) as Array<Record<string, unknown>>).map((statement) => {
    const conditions: Record<string, Record<string, string[]>> = {};
    for (const condition of list(statement.condition) as Array<{ test: string; variable: string; values: string[] }>) {
      conditions[condition.test] = { ...conditions[condition.test], [condition.variable]: list(condition.values).map(String) };
    }
    const principal = principals(statement.principals);
    const notPrincipal = principals(statement.not_principals);
    const entries: Record<string, unknown> = {
      Sid: statement.sid,
      Effect: statement.effect ?? 'Allow',
      Action: statement.actions,
      NotAction: statement.not_actions,
      Resource: statement.resources,
      NotResource: statement.not_resources,
      Principal: principal,
      NotPrincipal: notPrincipal,
      Condition: Object.keys(conditions).length > 0 ? conditions : undefined,
    };
    return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined && value !== ''));
  });
  return resolveDocument({ Version: values.version ?? '2012-10-17', Statement: statements });
}

/** Resource types whose `policy` attribute is a resource-based policy. */
const RESOURCE_POLICY_TYPES = [
  'aws_sqs_queue_policy',
  'aws_sqs_queue',
  'aws_sns_topic_policy',
  'aws_s3_bucket_policy',
  'aws_kms_key',
  'aws_cloudwatch_event_bus_policy',
  'aws_secretsmanager_secret_policy',
  'aws_ecr_repository_policy',
];
const IDENTITY_POLICY_TYPES = ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'];

/** Every policy in the stack, each with where it is. */
export function stackPolicies(stack: TerraformStackJson): StackPolicy[] {
  const policies: StackPolicy[] = [];
  const add = (location: string, kind: PolicyKind, raw: unknown): void => {
    const document = policyText(raw);
    if (document !== undefined) policies.push({ location, kind, document });
  };
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const [name, values] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      if (IDENTITY_POLICY_TYPES.includes(type)) add(`${address} (policy)`, 'identity', values.policy);
      if (RESOURCE_POLICY_TYPES.includes(type) && values.policy !== undefined) add(`${address} (policy)`, 'resource', values.policy);
      if (type === 'aws_cloudwatch_log_resource_policy') add(`${address} (policy_document)`, 'resource', values.policy_document);
      if (type === 'aws_iam_role') {
        add(`${address} (assume_role_policy)`, 'resource', values.assume_role_policy);
        list(values.inline_policy).forEach((inline, index) => add(`${address} (inline_policy[${index}])`, 'identity', (inline as { policy?: unknown }).policy));
      }
      if (type === 'aws_lambda_permission') add(`${address}`, 'resource', lambdaPermission(values));
    }
  }
  for (const [name, values] of Object.entries(stack.data?.aws_iam_policy_document ?? {})) {
    policies.push({ location: `data.aws_iam_policy_document.${name}`, kind: 'any', document: policyDocumentData(values) });
  }
  return policies;
}

/** A Lambda permission is one statement of the function's resource policy; write it as AWS does. */
function lambdaPermission(values: Record<string, unknown>): unknown {
  const principal = String(values.principal ?? '');
  const condition: Record<string, Record<string, string>> = {};
  if (values.source_arn) condition.ArnLike = { 'AWS:SourceArn': String(values.source_arn) };
  if (values.source_account) condition.StringEquals = { 'AWS:SourceAccount': String(values.source_account) };
  if (values.principal_org_id) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': String(values.principal_org_id) };
  return resolveDocument({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: typeof values.statement_id === 'string' ? values.statement_id : 'permission',
        Effect: 'Allow',
        Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
        Action: values.action,
        Resource: `\${aws_lambda_function.function.arn}`,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      },
    ],
  });
}

/**
 * Validates every policy of a synthesized stack; an empty list means every
 * action, resource type and condition key checks out against iam-data.
 *
 * @example
 * expect(await stackPolicyFindings(synthStack(stack))).toEqual([]);
 */
export async function stackPolicyFindings(stack: TerraformStackJson): Promise<PolicyFinding[]> {
  const findings = await Promise.all(stackPolicies(stack).map((policy) => validatePolicy(policy.document, policy.location, policy.kind)));
  return findings.flat();
}
