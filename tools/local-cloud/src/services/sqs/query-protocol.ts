/**
 * SQS's query protocol, which the AWS CLI v2 before 2.13 (Debian's awscli
 * 2.9 among them) and older SDKs speak: a form-encoded `Action=<Op>` POST
 * (or GET query string) in, `<<Op>Response><<Op>Result>…` XML out, errors as
 * `<ErrorResponse>` with the legacy codes (`AWS.SimpleQueueService.NonExistentQueue`).
 *
 * The operations themselves are shared with the JSON protocol: a query
 * request is turned into the JSON protocol's input shape, and the JSON
 * output shape is written back as XML, member names as the query model
 * names them (flattened lists, `Attribute.N.Name`/`.Value` maps).
 */
import type { AwsRequest, AwsResponse } from '../../core/types';

type Tree = { [key: string]: Tree | string };

/** Form members whose query name differs from the JSON member, per shape. */
const MAP_MEMBERS: Record<string, { json: string; key: string; value: string }> = {
  Attribute: { json: 'Attributes', key: 'Name', value: 'Value' },
  Tag: { json: 'Tags', key: 'Key', value: 'Value' },
  MessageAttribute: { json: 'MessageAttributes', key: 'Name', value: 'Value' },
  MessageSystemAttribute: { json: 'MessageSystemAttributes', key: 'Name', value: 'Value' },
};

const LIST_MEMBERS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
  AWSAccountId: 'AWSAccountIds',
  ActionName: 'Actions',
  SendMessageBatchRequestEntry: 'Entries',
  DeleteMessageBatchRequestEntry: 'Entries',
  ChangeMessageVisibilityBatchRequestEntry: 'Entries',
  StringListValue: 'StringListValues',
  BinaryListValue: 'BinaryListValues',
};

/** `a.1.b=x&a.2.b=y` → `{ a: { 1: { b: 'x' }, 2: { b: 'y' } } }`. */
function toTree(params: URLSearchParams): Tree {
  const root: Tree = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'object') node = next;
      else node = node[part] = {};
    }
    node[parts[parts.length - 1] as string] = value;
  }
  return root;
}

/** The numbered members of a flattened list or map, in index order. */
function numbered(node: Tree | string): Array<Tree | string> {
  if (typeof node === 'string') return [node];
  return Object.keys(node)
    .filter((key) => /^\d+$/.test(key))
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => node[key] as Tree | string);
}

/** One query structure → the JSON protocol's member names and shapes. */
function toJsonShape(node: Tree): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(node)) {
    const map = MAP_MEMBERS[name] ?? (name === 'Tags' ? MAP_MEMBERS.Tag : name === 'Attributes' ? MAP_MEMBERS.Attribute : undefined);
    const list = LIST_MEMBERS[name];
    if (map) {
      const entries: Record<string, unknown> = {};
      for (const entry of numbered(value)) {
        if (typeof entry === 'string') continue;
        const key = entry[map.key];
        const raw = entry[map.value];
        if (typeof key !== 'string' || raw === undefined) continue;
        entries[key] = typeof raw === 'string' ? raw : toJsonShape(raw);
      }
      // CreateQueue's tags are `tags` in JSON; TagQueue's are `Tags`.
      result[map.json] = entries;
      if (map.json === 'Tags') result.tags = entries;
    } else if (list) {
      result[list] = numbered(value).map((entry) => (typeof entry === 'string' ? entry : toJsonShape(entry)));
    } else {
      result[name] = typeof value === 'string' ? value : toJsonShape(value);
    }
  }
  return result;
}

/** Parameters of a query request: the query string and, for POST, the form body. */
export function queryParameters(request: Pick<AwsRequest, 'query' | 'body'>): URLSearchParams {
  const params = new URLSearchParams(request.query);
  for (const [key, value] of new URLSearchParams(request.body.toString('utf8'))) params.append(key, value);
  return params;
}

/** True when the request is SQS's query protocol (`Action=` in the form body or query string). */
export function isQueryRequest(request: Pick<AwsRequest, 'query' | 'body' | 'headers' | 'operation'>): boolean {
  if (request.operation) return false;
  if (request.query.has('Action')) return true;
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
  return contentType.includes('application/x-www-form-urlencoded');
}

/**
 * The operation name and its input in the JSON protocol's shape.
 *
 * @example
 * parseQueryRequest(new URLSearchParams('Action=SendMessage&QueueUrl=u&MessageBody=hi&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v'))
 * // → { action: 'SendMessage', input: { QueueUrl: 'u', MessageBody: 'hi', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } } }
 */
export function parseQueryRequest(params: URLSearchParams): { action: string | undefined; input: Record<string, unknown> } {
  const tree = toTree(params);
  const action = typeof tree.Action === 'string' ? tree.Action : undefined;
  delete tree.Action;
  delete tree.Version;
  // Presigned-style signing parameters are not part of the input.
  for (const key of Object.keys(tree)) if (key.startsWith('X-Amz-')) delete tree[key];
  return { action, input: toJsonShape(tree) };
}

// ---- Output ----

/** The XML element a JSON list member's items are written as (flattened), per operation where it differs. */
const LIST_ITEM_NAMES: Record<string, string | ((action: string) => string)> = {
  QueueUrls: 'QueueUrl',
  queueUrls: 'QueueUrl',
  Messages: 'Message',
  Successful: (action) => `${action}ResultEntry`,
  Failed: 'BatchResultErrorEntry',
  Results: (action) => `${action}ResultEntry`,
  StringListValues: 'StringListValue',
  BinaryListValues: 'BinaryListValue',
};

const MAP_ITEM_NAMES: Record<string, { item: string; key: string; value: string }> = {
  Attributes: { item: 'Attribute', key: 'Name', value: 'Value' },
  MessageAttributes: { item: 'MessageAttribute', key: 'Name', value: 'Value' },
  Tags: { item: 'Tag', key: 'Key', value: 'Value' },
};

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"\r]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;', '\r': '&#xD;' })[c] as string);
}

function element(name: string, value: unknown, action: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    const itemName = LIST_ITEM_NAMES[name];
    const item = typeof itemName === 'function' ? itemName(action) : (itemName ?? name);
    return value.map((entry) => element(item, entry, action)).join('');
  }
  if (typeof value === 'object') {
    const map = MAP_ITEM_NAMES[name];
    if (map) {
      return Object.entries(value as Record<string, unknown>)
        .map(([key, entry]) => `<${map.item}><${map.key}>${xmlEscape(key)}</${map.key}>${element(map.value, entry, action)}</${map.item}>`)
        .join('');
    }
    return `<${name}>${members(value as Record<string, unknown>, action)}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

function members(value: Record<string, unknown>, action: string): string {
  return Object.entries(value)
    .map(([name, entry]) => element(name, entry, action))
    .join('');
}

/** Operations without a result: their answer holds only `ResponseMetadata`; every other one has a `<…Result>`, empty or not. */
const WITHOUT_RESULT = new Set([
  'AddPermission',
  'ChangeMessageVisibility',
  'DeleteMessage',
  'DeleteQueue',
  'PurgeQueue',
  'RemovePermission',
  'SetQueueAttributes',
  'TagQueue',
  'UntagQueue',
]);

/**
 * The XML answer of a query-protocol call, from the JSON protocol's output.
 *
 * @example
 * queryResponse('GetQueueUrl', { QueueUrl: 'http://…/q' }, 'req-1')
 * // <GetQueueUrlResponse …><GetQueueUrlResult><QueueUrl>http://…/q</QueueUrl></GetQueueUrlResult><ResponseMetadata>…
 */
export function queryResponse(action: string, output: Record<string, unknown>, requestId: string): AwsResponse {
  const result = members(output, action);
  const body =
    `<?xml version="1.0"?>\n<${action}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">` +
    (WITHOUT_RESULT.has(action) ? '' : `<${action}Result>${result}</${action}Result>`) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}
