/**
 * Calls signed for a region the local cloud does not run. The local cloud
 * runs one region (its `region`, by default the stacks' provider region): every
 * resource lives there. A call signed for another region reaches a region with
 * no resources, as it would in AWS: one naming a queue, table, bus, function,
 * parameter, stream, log group, user pool or pipe is answered with that
 * service's not-found error, a list with an empty list. The few things AWS
 * would do in an empty region that we cannot (create a resource there, list in
 * the SQS query protocol, services without a not-found shape here) are refused
 * with `LocalCloudRegionNotServed`, naming the region to sign for.
 *
 * S3 (one global bucket namespace), STS and IAM (global) are not regional here.
 */
import type { AwsProtocol } from '../core/protocol';
import { AwsServiceError } from '../core/types';
import type { AwsRequest, AwsResponse } from '../core/types';
import { requiredPermissions } from '../iam/request-actions';
import { SqsErrors } from '../services/sqs/errors';

const GLOBAL_SERVICES = new Set(['s3', 'sts', 'iam']);

/** The last part of an ARN's resource (`table/orders` → `orders`, `…:function:orders` → `orders`). */
function nameIn(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(Math.max(resource.lastIndexOf('/'), resource.lastIndexOf(':')) + 1) || resource;
}

function json(body: unknown, protocol: AwsProtocol): AwsResponse {
  const contentType = protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : protocol === 'awsJson1_1' ? 'application/x-amz-json-1.1' : 'application/json';
  return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(body) };
}

/** What each list operation answers in a region with nothing in it. */
const EMPTY_LISTS: Record<string, unknown> = {
  'dynamodb:ListTables': { TableNames: [] },
  'dynamodb:ListStreams': { Streams: [] },
  'sqs:ListQueues': {},
  'events:ListRules': { Rules: [] },
  'events:ListArchives': { Archives: [] },
  'lambda:ListFunctions': { Functions: [] },
  'lambda:ListEventSourceMappings': { EventSourceMappings: [] },
  'ssm:DescribeParameters': { Parameters: [] },
  'ssm:GetParametersByPath': { Parameters: [] },
  'firehose:ListDeliveryStreams': { DeliveryStreamNames: [], HasMoreDeliveryStreams: false },
  'logs:DescribeLogGroups': { logGroups: [] },
  'cognito-idp:ListUserPools': { UserPools: [] },
  'pipes:ListPipes': { Pipes: [] },
};

/** Operations that would create a resource in the empty region (the local cloud has nowhere to put it). PutItem, PutTargets… name an existing resource: not found. */
const CREATING = /^[\w-]+:(Create\w*|Register\w*|PutParameter|PutRule|PutPermission|AddPermission|PublishVersion)$/;

/** The service's own not-found error for a resource it does not have. */
function notFound(action: string, resource: string, request: AwsRequest): AwsServiceError | undefined {
  const name = nameIn(resource);
  const [service] = action.split(':');
  switch (service) {
    case 'dynamodb':
      return new AwsServiceError('ResourceNotFoundException', action === 'dynamodb:DescribeTable' ? `Requested resource not found: Table: ${name} not found` : 'Requested resource not found');
    case 'sqs':
      return SqsErrors.nonExistentQueue();
    case 'events':
      if (resource.includes(':rule/')) {
        // `rule/<bus>/<name>`, or `rule/<name>` on the default bus; worded as the local EventBridge words it.
        const path = resource.slice(resource.indexOf(':rule/') + ':rule/'.length).split('/');
        return new AwsServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${path.length > 1 ? path[0] : 'default'}.`);
      }
      return new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    case 'lambda':
      return new AwsServiceError('ResourceNotFoundException', `Function not found: ${resource}`, 404, { Type: 'User' });
    case 'ssm':
      return new AwsServiceError('ParameterNotFound', `Parameter ${resource.replace(/^arn:[^/]*parameter/, '')} not found.`);
    case 'firehose':
      return new AwsServiceError('ResourceNotFoundException', `Firehose ${name} under account ${request.accountId} not found.`);
    case 'logs':
      return new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    case 'cognito-idp':
      return new AwsServiceError('ResourceNotFoundException', `User pool ${name} does not exist.`);
    case 'pipes':
      return new AwsServiceError('NotFoundException', `Pipe ${name} does not exist.`, 404);
    default:
      return undefined;
  }
}

/** The query protocol carries SQS's legacy code (`AWS.SimpleQueueService.NonExistentQueue`), which its JSON error keeps in a header. */
function forProtocol(error: AwsServiceError, protocol: AwsProtocol): AwsServiceError {
  const legacy = error.headers['x-amzn-query-error']?.split(';')[0];
  return protocol === 'awsQuery' && legacy ? new AwsServiceError(legacy, error.message, error.status, error.extra) : error;
}

function notServed(request: AwsRequest, home: string): AwsServiceError {
  return new AwsServiceError(
    'LocalCloudRegionNotServed',
    `This local cloud runs one region, ${home}, where every resource lives; this ${request.service}${request.operation ? ` ${request.operation}` : ''} call is signed for ${request.region}, which it does not run. Sign for ${home} (AWS_REGION=${home}).`,
  );
}

/**
 * The answer to a call signed for a region other than `home`, or undefined when
 * the call is for `home` (or a global service) and goes to its service.
 * Throws the service's not-found error (or `LocalCloudRegionNotServed`).
 *
 * @example
 * answerForOtherRegion(request, 'eu-west-1', 'awsJson1_0') // DescribeTable signed for us-east-1 → throws ResourceNotFoundException
 */
export function answerForOtherRegion(request: AwsRequest, home: string, protocol: AwsProtocol): AwsResponse | undefined {
  if (request.region === home || GLOBAL_SERVICES.has(request.service)) return undefined;
  const needed = requiredPermissions(request);
  const first = needed.kind === 'check' ? needed.permissions[0] : undefined;
  if (!first) throw notServed(request, home);
  if (first.action === 'events:PutEvents') return putEventsElsewhere(needed.kind === 'check' ? needed.permissions.map((permission) => permission.resource) : []);
  const empty = EMPTY_LISTS[first.action];
  if (empty !== undefined) {
    if (protocol === 'awsQuery') throw notServed(request, home);
    return json(empty, protocol);
  }
  if (first.resource === '*' || CREATING.test(first.action)) throw notServed(request, home);
  const error = notFound(first.action, first.resource, request);
  if (!error) throw notServed(request, home);
  throw forProtocol(error, protocol);
}

/**
 * PutEvents in a region with no buses of ours: its `default` bus exists there (every region has one) and has no
 * rules, so those entries are accepted and go nowhere; any other bus does not exist (a per-entry failure, as the
 * local EventBridge answers for an unknown bus).
 */
function putEventsElsewhere(busArns: string[]): AwsResponse {
  const entries = busArns.map((arn) => {
    const bus = nameIn(arn);
    return bus === 'default' ? { EventId: crypto.randomUUID() } : { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
  });
  return json({ FailedEntryCount: entries.filter((entry) => 'ErrorCode' in entry).length, Entries: entries }, 'awsJson1_1');
}
