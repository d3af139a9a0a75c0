import { piiFields, type AnyEventContract, type PiiKind } from '@kestrel/contracts';
import { isRecord, withoutEventData } from './event-data';

/** What a personal-data value becomes in a log line: its kind, never its value. */
export function redactedValue(kind: PiiKind): string {
  return `[redacted:${kind}]`;
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
  if (!contract) return withoutEventData(event);
  return { ...event, detail: { ...event.detail, data: redactEventData(contract, event.detail.data) } };
}

/**
 * The `redact` option of `withObservability` for a consumer of these contracts: logs its events
 * with the contracts' PII marks applied. A separate entry point (`@kestrel/observability/redact`)
 * because it needs the contracts' schemas at run time; handlers that log no events don't pay for them.
 *
 * @example
 * ```ts
 * withObservability(handle, { service: 'customers', functionName: 'on-user-registered', redact: eventRedactor([UserRegisteredV1]), logEvent: true });
 * ```
 */
export function eventRedactor(contracts: readonly AnyEventContract[]): (event: unknown) => unknown {
  return (event) => redactEvent(contracts, event);
}
