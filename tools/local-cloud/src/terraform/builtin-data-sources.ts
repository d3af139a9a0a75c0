/**
 * Data sources the interpreter answers itself: who and where we are
 * (`aws_caller_identity`, `aws_region`, `aws_partition`) and
 * `aws_iam_policy_document`, rendered to the policy JSON the AWS provider
 * would produce.
 */
import { createHash } from 'node:crypto';
import type { DataSourceReader, ResolvedResource, ResourceAttributes } from '../core/types';
import { blocks, str } from '../core/config';

type Json = string | string[];

/** One value as a string, several as a sorted list — the provider's rendering of its string sets. */
function setValue(values: unknown): Json | undefined {
  if (values === undefined || values === null) return undefined;
  const list = (Array.isArray(values) ? values : [values]).map(String);
  if (list.length === 0) return undefined;
  const unique = [...new Set(list)].sort();
  return unique.length === 1 ? (unique[0] as string) : unique;
}

function principals(value: unknown): Record<string, Json> | '*' | undefined {
  const entries = blocks(value);
  if (entries.length === 0) return undefined;
  if (entries.length === 1 && entries[0]?.type === '*' && setValue(entries[0]?.identifiers) === '*') return '*';
  const grouped: Record<string, string[]> = {};
  for (const entry of entries) {
    const type = String(entry.type);
    const identifiers = Array.isArray(entry.identifiers) ? entry.identifiers.map(String) : [String(entry.identifiers)];
    grouped[type] = [...(grouped[type] ?? []), ...identifiers];
  }
  return Object.fromEntries(Object.entries(grouped).map(([type, ids]) => [type, setValue(ids) as Json]));
}

function conditions(value: unknown): Record<string, Record<string, Json>> | undefined {
  const entries = blocks(value);
  if (entries.length === 0) return undefined;
  const result: Record<string, Record<string, Json>> = {};
  for (const entry of entries) {
    const test = String(entry.test);
    const variable = String(entry.variable);
    const existing = result[test]?.[variable];
    const values = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), ...((entry.values as unknown[]) ?? []).map(String)];
    result[test] = { ...result[test], [variable]: (setValue(values) as Json) ?? [] };
  }
  return result;
}

/** A Terraform `statement` block → an IAM policy statement. */
function statement(block: Record<string, unknown>): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  if (block.sid) rendered.Sid = String(block.sid);
  rendered.Effect = block.effect ? String(block.effect) : 'Allow';
  const fields: Array<[string, unknown]> = [
    ['Action', setValue(block.actions)],
    ['NotAction', setValue(block.not_actions)],
    ['Resource', setValue(block.resources)],
    ['NotResource', setValue(block.not_resources)],
    ['Principal', principals(block.principals)],
    ['NotPrincipal', principals(block.not_principals)],
    ['Condition', conditions(block.condition)],
  ];
  for (const [key, value] of fields) if (value !== undefined) rendered[key] = value;
  return rendered;
}

/**
 * Renders `aws_iam_policy_document` configuration as IAM policy JSON, with
 * `source_policy_documents` statements first and `override_policy_documents`
 * replacing statements of the same `Sid`, as the provider does.
 *
 * @example
 * renderPolicyDocument({ statement: [{ actions: ['sqs:SendMessage'], resources: ['arn:…'] }] })
 * // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:…"}]}
 */
/** AWS's zone id prefix of a region: `us-east-1` → `use1`, `eu-west-1` → `euw1`, `ap-southeast-2` → `apse2`. */
function zoneIdPrefix(region: string): string {
  const [area = '', direction = '', number = ''] = region.split('-');
  return `${area}${direction.replace(/north|south|east|west|central/g, (word) => word[0] as string)}${number}`;
}

export function renderPolicyDocument(config: Record<string, unknown>): Record<string, unknown> {
  const fromDocuments = (documents: unknown) =>
    ((documents as string[] | undefined) ?? []).flatMap((document) => {
      const parsed = JSON.parse(document) as { Statement?: Record<string, unknown> | Record<string, unknown>[] };
      return Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
    });
  let statements: Record<string, unknown>[] = [...fromDocuments(config.source_policy_documents)];
  for (const own of blocks(config.statement).map(statement)) {
    const sameSid = own.Sid ? statements.findIndex((existing) => existing.Sid === own.Sid) : -1;
    if (sameSid >= 0) statements[sameSid] = own;
    else statements.push(own);
  }
  for (const override of fromDocuments(config.override_policy_documents)) {
    const sameSid = override.Sid ? statements.findIndex((existing) => existing.Sid === override.Sid) : -1;
    if (sameSid >= 0) statements[sameSid] = override;
    else statements = [...statements, override];
  }
  return {
    Version: config.version ? String(config.version) : '2012-10-17',
    ...(config.policy_id ? { Id: String(config.policy_id) } : {}),
    Statement: statements,
  };
}

export function builtinDataSources(identity: { accountId: string; region: string }): DataSourceReader[] {
  return [
    {
      type: 'aws_caller_identity',
      async read() {
        return { id: identity.accountId, account_id: identity.accountId, arn: `arn:aws:iam::${identity.accountId}:root`, user_id: identity.accountId };
      },
    },
    {
      type: 'aws_region',
      async read() {
        // provider v6 calls it `region`; `name` is the older, still-exported attribute.
        return { id: identity.region, name: identity.region, region: identity.region, endpoint: `${identity.region}.amazonaws.com`, description: `Local (${identity.region})` };
      },
    },
    {
      type: 'aws_partition',
      async read() {
        return { id: 'aws', partition: 'aws', dns_suffix: 'amazonaws.com', reverse_dns_prefix: 'com.amazonaws' };
      },
    },
    {
      type: 'aws_iam_policy_document',
      async read(resource: ResolvedResource): Promise<ResourceAttributes> {
        const document = renderPolicyDocument(resource.config);
        const json = JSON.stringify(document, null, 2);
        return {
          id: String(createHash('sha256').update(json).digest().readUInt32BE(0)),
          json,
          minified_json: JSON.stringify(document),
        };
      },
    },
    {
      // Secret metadata only (this data source never exposes a value). Stacks read a secret by name to
      // grant access to its ARN (e.g. the Datadog API key); no secret values exist in the local cloud.
      type: 'aws_secretsmanager_secret',
      async read(resource: ResolvedResource): Promise<ResourceAttributes> {
        const name = typeof resource.config.name === 'string' ? resource.config.name : undefined;
        const arnInput = typeof resource.config.arn === 'string' ? resource.config.arn : undefined;
        if (!name && !arnInput) throw new Error(`${resource.stack}: ${resource.address}: data "aws_secretsmanager_secret" needs name or arn`);
        const secretName = name ?? arnInput!.split(':secret:')[1]!.replace(/-[A-Za-z0-9]{6}$/, '');
        // AWS appends six random characters to a secret's ARN; a fixed suffix keeps local ARNs stable.
        const arn = arnInput ?? `arn:aws:secretsmanager:${identity.region}:${identity.accountId}:secret:${secretName}-local0`;
        return { id: arn, arn, name: secretName, description: '', kms_key_id: '', policy: '', tags: {} };
      },
    },
    {
      type: 'aws_availability_zones',
      async read() {
        const names = ['a', 'b', 'c'].map((suffix) => `${identity.region}${suffix}`);
        return { id: identity.region, names, zone_ids: names.map((_name, index) => `${zoneIdPrefix(identity.region)}-az${index + 1}`) };
      },
    },
  ];
}

/** The `arn`/`name` Terraform would export for a resource the local cloud records without provisioning. */
export function recordedAttributes(type: string, config: Record<string, unknown>, logicalName: string, identity: { accountId: string; region: string }): ResourceAttributes {
  const name = str(config, 'name', type, true) ?? str(config, 'function_name', type, true) ?? str(config, 'alarm_name', type, true) ?? logicalName;
  const { accountId, region } = identity;
  const arns: Record<string, string> = {
    aws_iam_role: `arn:aws:iam::${accountId}:role/${name}`,
    aws_iam_policy: `arn:aws:iam::${accountId}:policy/${name}`,
    aws_cloudwatch_log_group: `arn:aws:logs:${region}:${accountId}:log-group:${name}`,
    aws_cloudwatch_metric_alarm: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
    aws_cloudwatch_composite_alarm: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`,
    aws_cloudwatch_dashboard: `arn:aws:cloudwatch::${accountId}:dashboard/${str(config, 'dashboard_name', type, true) ?? name}`,
    aws_kms_key: `arn:aws:kms:${region}:${accountId}:key/${createHash('sha256').update(logicalName).digest('hex').slice(0, 32)}`,
    aws_kms_alias: `arn:aws:kms:${region}:${accountId}:${name}`,
    aws_cloudwatch_event_archive: `arn:aws:events:${region}:${accountId}:archive/${name}`,
    aws_schemas_registry: `arn:aws:schemas:${region}:${accountId}:registry/${name}`,
  };
  const service = type.replace(/^aws_/, '').split('_')[0] as string;
  return {
    ...config,
    id: type === 'aws_kms_key' ? (arns.aws_kms_key as string).split('/').pop() : name,
    name,
    arn: arns[type] ?? `arn:aws:${service}:${region}:${accountId}:${type.replace(/^aws_/, '')}/${name}`,
    ...(type === 'aws_kms_key' ? { key_id: (arns.aws_kms_key as string).split('/').pop() } : {}),
    ...(type === 'aws_iam_role' ? { unique_id: `AROA${createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase()}` } : {}),
  };
}
