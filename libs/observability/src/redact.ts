import { piiFields, type AnyEventContract, type PiiKind } from '@kestrel/contracts';

/** What a personal-data value becomes in a log line: its kind, never its value. */
export function redactedValue(kind: PiiKind): string {
  return `[redacted:${kind}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits `items[].recipient.name` into `['items', '[]', 'recipient', 'name']`. */
function segments(path: string): string[] {
  return path.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part])).filter((s) => s !== '');
}

function redactAt(node: unknown, path: readonly string[], kind: PiiKind): unknown {
  if (path.length === 0) return node === undefined ? undefined : redactedValue(kind);
  const [head, ...rest] = path as [string, ...string[]];
  if (head === '[]') return Array.isArray(node) ? node.map((item) => redactAt(item, rest, kind)) : node;
  if (!isRecord(node)) return node;
  if (head === '*') return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, redactAt(value, rest, kind)]));
  if (!(head in node)) return node;
  return { ...node, [head]: redactAt(node[head], rest, kind) };
}

/**
 * A copy of an event's `detail.data` with every field the contract marks as personal data
 * replaced by `[redacted:<kind>]`. The input is not changed.
 *
 * @example
 * ```ts
 * redactEventData(UserRegisteredV1, event.detail.data);
 * // { userId: '3f1c…', email: '[redacted:email]', givenName: '[redacted:name]', locale: 'en-GB', … }
 * ```
 */
export function redactEventData(contract: AnyEventContract, data: unknown): unknown {
  let result = data;
  for (const field of piiFields(contract)) result = redactAt(result, segments(field.path), field.kind);
  return result;
}

/**
 * A loggable copy of an EventBridge event: envelope and metadata as they are, `detail.data`
 * redacted by the matching contract. When no contract matches, `data` is left out entirely:
 * a log line never holds personal data a contract didn't vouch for.
 *
 * @example
 * ```ts
 * logger.info('received', { event: redactEvent([UserRegisteredV1], rawEvent) });
 * ```
 */
export function redactEvent(contracts: readonly AnyEventContract[], event: unknown): unknown {
  if (!isRecord(event) || !isRecord(event.detail)) return event;
  const version = isRecord(event.detail.metadata) ? event.detail.metadata.version : undefined;
  const contract = contracts.find((c) => c.source === event.source && c.detailType === event['detail-type'] && c.version === version);
  const { data, ...rest } = event.detail;
  const detail = contract ? { ...rest, data: redactEventData(contract, data) } : { ...rest, data: '[redacted:no-contract]' };
  return { ...event, detail };
}
