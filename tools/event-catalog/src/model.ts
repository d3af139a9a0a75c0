// The catalog as data: events (every registered version), services (from their manifests), who
// publishes what and who receives it. Everything comes from code, the contracts and manifests, so
// the site, catalog.json and the AsyncAPI document can never drift from what runs.
import { eventSchemaFor, piiFields, toJsonSchema, type AnyEventContract, type PiiField } from '@kestrel/contracts';
import { subscriptionPattern, type EventPattern } from '@kestrel/service-manifest';
import type { LoadedManifest } from './load-manifests';
import { patternAlternatives, routesTo } from './pattern-fields';
import type { ChangelogEntry } from './history';
import { fieldRows, leafPaths, type FieldRow, type SchemaNode } from './schema-walk';

/** One change between two versions of an event, as the contracts' compatibility comparison reports it. */
export interface VersionChange {
  readonly path: string;
  readonly kind: string;
  readonly breaking: boolean;
  readonly detail: string;
}

/** Compares two JSON Schemas (the contracts' `compareSchemas`, injected so tests can run without it). */
export type CompareSchemas = (base: SchemaNode, current: SchemaNode) => readonly VersionChange[];

export interface CatalogVersion {
  readonly version: number;
  readonly description: string;
  /** Path of the exported JSON Schema, relative to the site root. */
  readonly schemaFile: string;
  readonly schema: SchemaNode;
  /** A whole EventBridge event as a consumer receives it, `detail.data` from the contract's example. */
  readonly example: Record<string, unknown>;
  readonly pii: readonly PiiField[];
  /** Leaf fields of `detail.data`, dotted, arrays flattened: what a pattern or a search can name. */
  readonly fields: readonly string[];
  /** What changed from the previous registered version, when there is one. */
  readonly changesFromPrevious?: { readonly from: number; readonly changes: readonly VersionChange[] };
  /** The typed field table of `detail.data`. */
  readonly fieldTable: readonly FieldRow[];
  /** Dated changes of this version's schema lock file, oldest first (when history was read). */
  readonly changelog?: readonly ChangelogEntry[];
}

export interface CatalogConsumer {
  readonly service: string;
  readonly subscription: string;
  readonly description: string;
  readonly pattern: EventPattern;
  /** The reason, when the subscription is deliberately wide. */
  readonly wideReason?: string;
  /** The versions of this event the pattern lets through. */
  readonly versions: readonly number[];
  /** Versions it names in `events` that no manifest publishes: nothing backs them, so no edge is drawn. */
  readonly unpublished: readonly number[];
}

export interface CatalogEvent {
  /** `source.DetailType`, used for file names and links: `kestrel.customers.CustomerCreated`. */
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  /** The producing context named by the contract. */
  readonly owner: string;
  /** Services whose manifest publishes some version, with how. */
  readonly producers: readonly { readonly service: string; readonly versions: readonly number[]; readonly via: string }[];
  /** Ascending. */
  readonly versions: readonly CatalogVersion[];
  readonly consumers: readonly CatalogConsumer[];
}

export interface CatalogSubscription {
  readonly name: string;
  readonly description: string;
  readonly pattern: EventPattern;
  readonly wideReason?: string;
  readonly target: string;
  readonly retry: { readonly maximumRetryAttempts: number; readonly maximumEventAgeSeconds: number };
  /** Events the pattern lets through, with versions. */
  readonly events: readonly { readonly id: string; readonly versions: readonly number[] }[];
}

export interface CatalogService {
  readonly name: string;
  readonly description: string;
  readonly team: string;
  /** Manifest file relative to the repository root. */
  readonly file: string;
  readonly publishes: readonly { readonly id: string; readonly version: number; readonly via: string }[];
  readonly consumes: readonly CatalogSubscription[];
  /** From the ownership registry (libs/observability), when the service has an entry. */
  readonly onCall?: OnCall;
}

/** Who is paged for a service and where to talk about it. */
export interface OnCall {
  readonly pagerDutyService: string;
  readonly slackChannel: string;
  readonly runbookBaseUrl: string;
}

/** "from feeds to": `from` publishes events that `to` subscribes to. */
export interface CatalogEdge {
  readonly from: string;
  readonly to: string;
  readonly events: readonly string[];
}

export interface Catalog {
  readonly events: readonly CatalogEvent[];
  readonly services: readonly CatalogService[];
  readonly edges: readonly CatalogEdge[];
}

export interface BuildCatalogInput {
  readonly contracts: readonly AnyEventContract[];
  readonly manifests: readonly LoadedManifest[];
  /** The dated changelog of a contract version (from the lock's git history, `lockHistory`). */
  readonly history?: (contract: AnyEventContract) => readonly ChangelogEntry[];
  readonly compareSchemas?: CompareSchemas;
  /** On-call details per service name (the observability ownership registry). */
  readonly ownership?: Readonly<Record<string, OnCall>>;
}

/** `kestrel.customers.CustomerCreated`. */
export function eventId(ref: { source: string; detailType: string }): string {
  return `${ref.source}.${ref.detailType}`;
}

/** Where a version's JSON Schema is exported, relative to the site root (same layout as the schema lock). */
export function schemaFileFor(ref: { source: string; detailType: string; version: number }): string {
  return `schemas/${ref.source}/${ref.detailType}.v${ref.version}.json`;
}

/**
 * A full example event for a contract version, validated against the contract's event schema so
 * the catalog never shows an example a consumer's parser would reject.
 */
export function exampleEvent(contract: AnyEventContract): Record<string, unknown> {
  const event = {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': contract.detailType,
    source: contract.source,
    account: '111122223333',
    time: '2026-01-15T09:30:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      metadata: {
        eventId: '2b0c3c52-7f1e-4d51-9a3b-6f8e2d1c0a9b',
        occurredAt: '2026-01-15T09:30:00.123Z',
        version: contract.version,
        correlationId: 'req-7f1d',
        causationId: 'req-7f1d',
        producer: contract.owner,
      },
      data: contract.example,
    },
  };
  const checked = eventSchemaFor(contract).safeParse(event);
  if (!checked.success) throw new Error(`Example event for ${contract.key} does not match its contract: ${checked.error.message}`);
  return event;
}

/**
 * Builds the catalog from the registered contracts and the loaded service manifests.
 *
 * @example
 * ```ts
 * const catalog = buildCatalog({ contracts: allContracts(), manifests: await loadManifests(repoRoot), compareSchemas });
 * catalog.events.find((e) => e.detailType === 'UserRegistered')?.consumers.map((c) => c.service); // ['analytics-ingest', 'customers']
 * ```
 */
export function buildCatalog({ contracts, manifests, compareSchemas, ownership = {}, history }: BuildCatalogInput): Catalog {
  const byEvent = new Map<string, AnyEventContract[]>();
  for (const contract of [...contracts].sort((a, b) => a.version - b.version)) {
    const id = eventId(contract);
    byEvent.set(id, [...(byEvent.get(id) ?? []), contract]);
  }

  const subscriptions = manifests.flatMap(({ manifest }) =>
    manifest.consumes.map((subscription) => {
      const pattern = subscriptionPattern(subscription);
      const alternatives = patternAlternatives(pattern);
      return { service: manifest.name, subscription, pattern, reaches: (c: AnyEventContract) => routesTo(alternatives, c) };
    }),
  );

  const events: CatalogEvent[] = [...byEvent.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, versions]) => {
      const first = versions[0]!;
      const catalogVersions = versions.map((contract, index): CatalogVersion => {
        const schema = toJsonSchema(contract) as SchemaNode;
        const previous = versions[index - 1];
        return {
          version: contract.version,
          description: contract.description,
          schemaFile: schemaFileFor(contract),
          schema,
          example: exampleEvent(contract),
          pii: piiFields(contract),
          fields: leafPaths(schema, ['detail', 'data']).map((path) => path.slice('detail.data.'.length)),
          fieldTable: fieldRows(schema),
          ...(history ? { changelog: history(contract) } : {}),
          ...(previous && compareSchemas
            ? { changesFromPrevious: { from: previous.version, changes: compareSchemas(toJsonSchema(previous) as SchemaNode, schema) } }
            : {}),
        };
      });
      const producers = manifests.flatMap(({ manifest }) => {
        const published = manifest.publishes.filter((p) => eventId(p.event) === id);
        if (published.length === 0) return [];
        return [{ service: manifest.name, versions: published.map((p) => p.event.version).sort((a, b) => a - b), via: [...new Set(published.map((p) => p.via))].join(', ') }];
      });
      const published = new Set(producers.flatMap((p) => p.versions));
      const consumers = subscriptions.flatMap(({ service, subscription, pattern, reaches }) => {
        const reached = versions.filter(reaches).map((c) => c.version);
        if (reached.length === 0) return [];
        const named = subscription.events.filter((e) => eventId(e) === id).map((e) => e.version);
        return [
          {
            service,
            subscription: subscription.name,
            description: subscription.description,
            pattern,
            ...(subscription.wide ? { wideReason: subscription.wide.reason } : {}),
            versions: reached,
            unpublished: [...new Set(named)].filter((version) => !published.has(version)).sort((a, b) => a - b),
          },
        ];
      });
      return { id, source: first.source, detailType: first.detailType, owner: first.owner, producers, versions: catalogVersions, consumers };
    });

  const services: CatalogService[] = manifests
    .map(({ manifest, file }) => ({
      name: manifest.name,
      description: manifest.description,
      team: manifest.owner.team,
      file,
      publishes: manifest.publishes.map((p) => ({ id: eventId(p.event), version: p.event.version, via: p.via })),
      consumes: subscriptions
        .filter((s) => s.service === manifest.name)
        .map(({ subscription, pattern, reaches }) => ({
          name: subscription.name,
          description: subscription.description,
          pattern,
          ...(subscription.wide ? { wideReason: subscription.wide.reason } : {}),
          target: subscription.target,
          retry: subscription.retry,
          events: [...byEvent.entries()]
            .map(([id, versions]) => ({ id, versions: versions.filter(reaches).map((c) => c.version) }))
            .filter((e) => e.versions.length > 0),
        })),
      ...(Object.hasOwn(ownership, manifest.name)
        ? {
            onCall: {
              pagerDutyService: ownership[manifest.name]!.pagerDutyService,
              slackChannel: ownership[manifest.name]!.slackChannel,
              runbookBaseUrl: ownership[manifest.name]!.runbookBaseUrl,
            },
          }
        : {}),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));

  // An edge only where a manifest publishes a version the consumer's pattern lets through: a
  // contract's owner that publishes nothing (or stopped) feeds no one.
  const edgeMap = new Map<string, Set<string>>();
  for (const event of events) {
    for (const producer of event.producers) {
      for (const consumer of event.consumers) {
        if (!consumer.versions.some((version) => producer.versions.includes(version))) continue;
        const key = `${producer.service}\u0000${consumer.service}`;
        edgeMap.set(key, (edgeMap.get(key) ?? new Set()).add(event.id));
      }
    }
  }
  const edges = [...edgeMap.entries()]
    .map(([key, ids]) => {
      const [from, to] = key.split('\u0000') as [string, string];
      return { from, to, events: [...ids].sort() };
    })
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));

  return { events, services, edges };
}
