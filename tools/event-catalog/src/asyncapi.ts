// The whole bus as one AsyncAPI 3 document: a channel per event, a message per version (payload =
// the published JSON Schema), a `send` operation per producing service and a `receive` operation per
// subscription, carrying its EventBridge pattern. Generated from the catalog, so it cannot drift.
import type { Catalog, CatalogEvent } from './model';
import type { SchemaNode } from './schema-walk';

export const ASYNCAPI_VERSION = '3.0.0';
/** AsyncAPI parsers know draft-07; our schemas use only keywords draft-07 shares with 2020-12 once `$defs` are moved. */
export const PAYLOAD_SCHEMA_FORMAT = 'application/schema+json;version=draft-07';

const key = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');
const messageKey = (event: CatalogEvent, version: number) => key(`${event.id}.v${version}`);

/** Draft-07 spells `$defs` as `definitions`; refs are rewritten to match, everything else is kept. */
function toDraft07(schema: SchemaNode): SchemaNode {
  const { $schema: _dialect, $id: _id, $defs, ...rest } = schema;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/definitions/') : rewrite(v)]),
    );
  };
  return rewrite($defs ? { ...rest, definitions: $defs } : rest) as SchemaNode;
}

/**
 * Builds the AsyncAPI 3 document of the platform bus.
 *
 * @example
 * ```ts
 * const doc = buildAsyncApi(catalog);
 * doc.channels['kestrel.customers.CustomerCreated'].messages; // { 'kestrel.customers.CustomerCreated.v1': {...} }
 * ```
 */
export function buildAsyncApi(catalog: Catalog): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  for (const event of catalog.events) {
    const channelKey = key(event.id);
    const channelMessages: Record<string, unknown> = {};
    for (const version of event.versions) {
      const id = messageKey(event, version.version);
      messages[id] = {
        name: event.detailType,
        title: `${event.detailType} v${version.version}`,
        summary: version.description,
        contentType: 'application/json',
        payload: { schemaFormat: PAYLOAD_SCHEMA_FORMAT, schema: toDraft07(version.schema) },
        examples: [{ name: `${event.detailType}-v${version.version}`, payload: version.example }],
        'x-kestrel-event': { source: event.source, detailType: event.detailType, version: version.version, owner: event.owner },
        'x-kestrel-pii': version.pii.map((field) => ({ path: `detail.data.${field.path}`, kind: field.kind })),
      };
      channelMessages[id] = { $ref: `#/components/messages/${id}` };
    }
    channels[channelKey] = {
      address: `${event.source}/${event.detailType}`,
      title: event.detailType,
      description: `Events with source \`${event.source}\` and detail-type \`${event.detailType}\` on the platform EventBridge bus; versions in \`detail.metadata.version\`.`,
      messages: channelMessages,
    };
    const channelRef = { $ref: `#/channels/${channelKey}` };
    const messageRefs = (versions: readonly number[]) =>
      versions.map((v) => ({ $ref: `#/channels/${channelKey}/messages/${messageKey(event, v)}` }));

    const producers = event.producers.length > 0 ? event.producers : [{ service: event.owner, versions: event.versions.map((v) => v.version), via: 'unknown' }];
    for (const producer of producers) {
      operations[key(`${producer.service}.publishes.${event.id}`)] = {
        action: 'send',
        channel: channelRef,
        title: `${producer.service} publishes ${event.detailType}`,
        summary: `Published via ${producer.via}.`,
        messages: messageRefs(producer.versions.filter((v) => event.versions.some((ev) => ev.version === v))),
        'x-kestrel-service': producer.service,
      };
    }
    for (const consumer of event.consumers) {
      operations[key(`${consumer.service}.${consumer.subscription}.${event.id}`)] = {
        action: 'receive',
        channel: channelRef,
        title: `${consumer.service} receives ${event.detailType} (${consumer.subscription})`,
        summary: consumer.description,
        messages: messageRefs(consumer.versions),
        'x-kestrel-service': consumer.service,
        'x-eventbridge-pattern': consumer.pattern,
        ...(consumer.wideReason ? { 'x-kestrel-wide': consumer.wideReason } : {}),
      };
    }
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Kestrel platform event bus',
      version: '1.0.0',
      description:
        'Every business event on the platform EventBridge bus, generated from the zod contracts in libs/contracts and the service manifests (apps/*/service.ts).',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
