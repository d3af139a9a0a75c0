/**
 * What a request asks IAM for: the actions as IAM spells them, each with the
 * resource ARN read from the request itself (table, queue, bus, function,
 * parameter, object…) and the service's condition keys (`events:source`…).
 * A batch or transaction asks once per resource, as AWS authorizes it.
 */
import type { ContextValue } from '@kestrel/iam';
import type { AwsRequest } from '../core/types';

export interface RequiredPermission {
  action: string;
  resource: string;
  keys?: Record<string, ContextValue>;
}

/** Public operations (no credentials: Cognito sign-up and sign-in) and STS, which decides for itself. */
export type RequestPermissions = { kind: 'check'; permissions: RequiredPermission[] } | { kind: 'public' };

/** Cognito operations AWS calls without signing: the app client id identifies the caller. */
const COGNITO_PUBLIC = new Set([
  'SignUp',
  'ConfirmSignUp',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'ResendConfirmationCode',
  'GetUser',
  'GlobalSignOut',
  'RevokeToken',
  'ChangePassword',
  'UpdateUserAttributes',
  'DeleteUser',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
]);

function jsonBody(request: AwsRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  const type = String(request.headers['content-type'] ?? '');
  try {
    if (type.includes('x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(request.body.toString('utf8')));
    const parsed: unknown = JSON.parse(request.body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {}; // the service answers a malformed body with its own error
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

interface Where {
  region: string;
  accountId: string;
}

function dynamodbPermissions(operation: string, body: Record<string, unknown>, where: Where): RequiredPermission[] {
  const table = (name: string): string => (name.startsWith('arn:') ? name : `arn:aws:dynamodb:${where.region}:${where.accountId}:table/${name}`);
  const tableName = text(body.TableName) ?? text(body.TableArn) ?? text(body.ResourceArn);
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return Object.keys((body.RequestItems as Record<string, unknown>) ?? {}).map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const kinds: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
      return ((body.TransactItems as Array<Record<string, { TableName?: string }>>) ?? []).flatMap((item) =>
        Object.entries(item).flatMap(([kind, detail]) => (kinds[kind] && detail?.TableName ? [{ action: `dynamodb:${kinds[kind]}`, resource: table(detail.TableName) }] : [])),
      );
    }
    case 'DescribeStream':
    case 'GetShardIterator':
      return [{ action: `dynamodb:${operation}`, resource: text(body.StreamArn) ?? '*' }];
    case 'GetRecords': {
      // The iterator names its stream; without one we cannot tell the resource.
      const arn = /arn:aws:dynamodb:[^|"\s]+\/stream\/[^|"\s]+/.exec(String(body.ShardIterator ?? ''))?.[0];
      return [{ action: 'dynamodb:GetRecords', resource: arn ?? '*' }];
    }
    default: {
      if (!tableName) return [{ action: `dynamodb:${operation}`, resource: '*' }];
      const index = text(body.IndexName);
      return [{ action: `dynamodb:${operation}`, resource: index ? `${table(tableName)}/index/${index}` : table(tableName) }];
    }
  }
}

const SQS_BATCH: Record<string, string> = { SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility' };

function sqsPermissions(operation: string, body: Record<string, unknown>, where: Where): RequiredPermission[] {
  const action = `sqs:${SQS_BATCH[operation] ?? operation}`;
  const url = text(body.QueueUrl);
  if (url) {
    const name = url.slice(url.lastIndexOf('/') + 1);
    return [{ action, resource: `arn:aws:sqs:${where.region}:${where.accountId}:${name}` }];
  }
  const name = text(body.QueueName);
  return [{ action, resource: name ? `arn:aws:sqs:${where.region}:${where.accountId}:${name}` : '*' }];
}

function eventsPermissions(operation: string, body: Record<string, unknown>, where: Where): RequiredPermission[] {
  const bus = (name: string | undefined): string => (name?.startsWith('arn:') ? name : `arn:aws:events:${where.region}:${where.accountId}:event-bus/${name ?? 'default'}`);
  if (operation === 'PutEvents') {
    return ((body.Entries as Array<Record<string, unknown>>) ?? []).map((entry) => ({
      action: 'events:PutEvents',
      resource: bus(text(entry.EventBusName)),
      keys: {
        ...(text(entry.Source) ? { 'events:source': String(entry.Source) } : {}),
        ...(text(entry.DetailType) ? { 'events:detail-type': String(entry.DetailType) } : {}),
      },
    }));
  }
  const ruleName = text(body.Name) ?? text(body.Rule);
  if (ruleName && /Rule|Targets/.test(operation)) {
    const busName = text(body.EventBusName);
    const path = busName && busName !== 'default' ? `rule/${busName.replace(/^arn:.*event-bus\//, '')}/${ruleName}` : `rule/${ruleName}`;
    return [{ action: `events:${operation}`, resource: `arn:aws:events:${where.region}:${where.accountId}:${path}` }];
  }
  // Bus operations name the bus `Name` (DescribeEventBus, CreateEventBus…), the others `EventBusName`.
  const busName = text(body.EventBusName) ?? (operation.endsWith('EventBus') ? text(body.Name) : undefined);
  return [{ action: `events:${operation}`, resource: busName ? bus(busName) : '*' }];
}

const LAMBDA_FUNCTION_PATH = /^\/20\d\d-\d\d-\d\d\/functions\/([^/]+)(?:\/([a-z-]+))?\/?$/;

function lambdaPermissions(request: AwsRequest, where: Where): RequiredPermission[] {
  const match = LAMBDA_FUNCTION_PATH.exec(request.path);
  if (!match) return [{ action: request.path.endsWith('/functions/') || request.path.endsWith('/functions') ? 'lambda:ListFunctions' : 'lambda:Unknown', resource: '*' }];
  const reference = decodeURIComponent(match[1] as string);
  const name = reference.startsWith('arn:') ? (reference.split(':')[6] ?? reference) : (reference.split(':')[0] as string);
  const resource = `arn:aws:lambda:${where.region}:${where.accountId}:function:${name}`;
  const sub = match[2];
  const method = request.method.toUpperCase();
  const action =
    sub === 'invocations' || sub === 'invoke-async'
      ? 'lambda:InvokeFunction'
      : sub === 'configuration'
        ? method === 'PUT'
          ? 'lambda:UpdateFunctionConfiguration'
          : 'lambda:GetFunctionConfiguration'
        : sub === 'code'
          ? 'lambda:UpdateFunctionCode'
          : sub === 'policy'
            ? method === 'GET'
              ? 'lambda:GetPolicy'
              : method === 'DELETE'
                ? 'lambda:RemovePermission'
                : 'lambda:AddPermission'
            : sub === undefined
              ? method === 'DELETE'
                ? 'lambda:DeleteFunction'
                : 'lambda:GetFunction'
              : `lambda:Unknown`;
  return [{ action, resource }];
}

function ssmPermissions(operation: string, body: Record<string, unknown>, where: Where): RequiredPermission[] {
  const parameter = (name: string): string => `arn:aws:ssm:${where.region}:${where.accountId}:parameter/${name.replace(/^\//, '')}`;
  const names = [text(body.Name), text(body.Path), ...((body.Names as unknown[]) ?? []).map(text)].filter((name): name is string => name !== undefined);
  if (names.length === 0) return [{ action: `ssm:${operation}`, resource: '*' }];
  return names.map((name) => ({ action: `ssm:${operation}`, resource: parameter(name) }));
}

function firehosePermissions(operation: string, body: Record<string, unknown>, where: Where): RequiredPermission[] {
  const name = text(body.DeliveryStreamName);
  return [{ action: `firehose:${operation}`, resource: name ? `arn:aws:firehose:${where.region}:${where.accountId}:deliverystream/${name}` : '*' }];
}

function s3Permissions(request: AwsRequest): RequiredPermission[] {
  const [, bucket = '', ...keyParts] = request.path.split('/');
  const key = keyParts.map((part) => decodeURIComponent(part)).join('/');
  const method = request.method.toUpperCase();
  if (!bucket) return [{ action: 's3:ListAllMyBuckets', resource: '*' }];
  const bucketArn = `arn:aws:s3:::${decodeURIComponent(bucket)}`;
  if (!key) {
    if (method === 'POST' && request.query.has('delete')) {
      const keys = [...request.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1] as string);
      return keys.map((objectKey) => ({ action: 's3:DeleteObject', resource: `${bucketArn}/${objectKey}` }));
    }
    const action = method === 'PUT' ? 's3:CreateBucket' : method === 'DELETE' ? 's3:DeleteBucket' : 's3:ListBucket';
    return [{ action, resource: bucketArn }];
  }
  const objectArn = `${bucketArn}/${key}`;
  if (method === 'GET' || method === 'HEAD') return [{ action: 's3:GetObject', resource: objectArn }];
  if (method === 'DELETE') return [{ action: request.query.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resource: objectArn }];
  const permissions: RequiredPermission[] = [{ action: 's3:PutObject', resource: objectArn }];
  const copySource = request.headers['x-amz-copy-source'];
  if (typeof copySource === 'string') permissions.push({ action: 's3:GetObject', resource: `arn:aws:s3:::${decodeURIComponent(copySource.replace(/^\//, '').split('?')[0] as string)}` });
  return permissions;
}

/**
 * SES v2 (REST-JSON): SendEmail is authorized against the sending identity. The
 * local cloud keeps no verified identities, so the identity is the sender's domain
 * (what a stack grants: `arn:aws:ses:<region>:<account>:identity/<domain>`).
 */
function sesPermissions(request: AwsRequest, body: Record<string, unknown>, where: Where): RequiredPermission[] {
  if (request.method.toUpperCase() !== 'POST' || !request.path.startsWith('/v2/email/outbound-emails')) return [{ action: 'ses:Unknown', resource: '*' }];
  const address = (text(body.FromEmailAddress) ?? '').replace(/^.*</, '').replace(/>.*$/, '').trim();
  const domain = address.split('@')[1];
  return [
    {
      action: 'ses:SendEmail',
      resource: domain ? `arn:aws:ses:${where.region}:${where.accountId}:identity/${domain}` : '*',
      ...(address ? { keys: { 'ses:FromAddress': address } } : {}),
    },
  ];
}

/** The permissions a request needs, read from the request itself. */
export function requiredPermissions(request: AwsRequest): RequestPermissions {
  const where = { region: request.region, accountId: request.accountId };
  const body = request.service === 's3' || request.service === 'lambda' ? {} : jsonBody(request);
  const operation = request.operation ?? text(body.Action) ?? 'Unknown';
  switch (request.service) {
    case 'sts':
      return { kind: 'public' };
    case 'cognito-idp':
      if (COGNITO_PUBLIC.has(operation) || request.method === 'GET') return { kind: 'public' };
      return {
        kind: 'check',
        permissions: [{ action: `cognito-idp:${operation}`, resource: text(body.UserPoolId) ? `arn:aws:cognito-idp:${where.region}:${where.accountId}:userpool/${String(body.UserPoolId)}` : '*' }],
      };
    case 'dynamodb':
      return { kind: 'check', permissions: dynamodbPermissions(operation, body, where) };
    case 'sqs':
      return { kind: 'check', permissions: sqsPermissions(operation, body, where) };
    case 'events':
      return { kind: 'check', permissions: eventsPermissions(operation, body, where) };
    case 'lambda':
      return { kind: 'check', permissions: lambdaPermissions(request, where) };
    case 'ssm':
      return { kind: 'check', permissions: ssmPermissions(operation, body, where) };
    case 'firehose':
      return { kind: 'check', permissions: firehosePermissions(operation, body, where) };
    case 's3':
      return { kind: 'check', permissions: s3Permissions(request) };
    case 'ses':
      return { kind: 'check', permissions: sesPermissions(request, body, where) };
    default:
      return { kind: 'check', permissions: [{ action: `${request.service}:${operation}`, resource: '*' }] };
  }
}
