import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildAsyncApi } from './asyncapi';
import type { Catalog } from './model';
import { SEARCH_SCRIPT, STYLESHEET } from './site/assets';
import { eventMarkdown, renderEventMarkdown, renderIndexMarkdown } from './site/markdown';
import { eventPage, renderEventPage, renderIndex, renderServicePage, servicePage } from './site/pages';

/** Version of the catalog.json shape; bump when a field is removed or changes meaning. */
export const CATALOG_FORMAT_VERSION = 1;

/**
 * catalog.json: the index other tools read (the local console, the compatibility gate, CI
 * comments). Schemas are referenced by file, not inlined, to keep it small.
 */
export function catalogJson(catalog: Catalog): Record<string, unknown> {
  return {
    formatVersion: CATALOG_FORMAT_VERSION,
    events: catalog.events.map((event) => ({
      id: event.id,
      source: event.source,
      detailType: event.detailType,
      owner: event.owner,
      page: eventPage(event.id),
      producers: event.producers,
      markdown: eventMarkdown(event.id),
      versions: event.versions.map((v) => ({
        version: v.version,
        description: v.description,
        schema: v.schemaFile,
        fields: v.fields,
        fieldTable: v.fieldTable,
        ...(v.changelog ? { changelog: v.changelog } : {}),
        pii: v.pii,
        ...(v.changesFromPrevious ? { changesFromPrevious: v.changesFromPrevious } : {}),
      })),
      consumers: event.consumers,
    })),
    services: catalog.services.map((service) => ({ ...service, page: servicePage(service.name) })),
    edges: catalog.edges,
  };
}

/** What was written, relative to the output folder, with sizes in bytes. */
export interface SiteReport {
  readonly files: ReadonlyMap<string, number>;
  /** Bytes of the site itself: pages, stylesheet and script (no exports, no inlined JSON Schemas). */
  readonly siteBytes: number;
  readonly totalBytes: number;
}

/**
 * Writes the static site and the machine-readable exports into `outDir` (emptied first):
 * `index.html`, `events/*.html`, `services/*.html`, `assets/`, `schemas/<source>/<DetailType>.v<N>.json`,
 * `asyncapi.json` and `catalog.json`. Every link is relative, so the folder works from disk.
 *
 * @example
 * ```ts
 * const report = writeSite(buildCatalog({ contracts, manifests }), 'tools/event-catalog/dist/site');
 * console.log(report.siteBytes);
 * ```
 */
export function writeSite(catalog: Catalog, outDir: string): SiteReport {
  rmSync(outDir, { recursive: true, force: true });
  const files = new Map<string, number>();
  let schemaInPages = 0;
  const write = (file: string, content: string) => {
    const path = join(outDir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    files.set(file, Buffer.byteLength(content));
  };

  write('assets/catalog.css', STYLESHEET);
  write('assets/search.js', SEARCH_SCRIPT);
  write('index.html', renderIndex(catalog));
  write('index.md', renderIndexMarkdown(catalog));
  for (const event of catalog.events) {
    write(eventPage(event.id), renderEventPage(event, catalog));
    write(eventMarkdown(event.id), renderEventMarkdown(event));
    for (const version of event.versions) {
      const text = `${JSON.stringify(version.schema, null, 2)}\n`;
      write(version.schemaFile, text);
      // The page shows the same schema HTML-escaped inside <details>; count it as schema, not site.
      schemaInPages += Buffer.byteLength(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'));
    }
  }
  for (const service of catalog.services) write(servicePage(service.name), renderServicePage(service, catalog));
  write('asyncapi.json', `${JSON.stringify(buildAsyncApi(catalog), null, 2)}\n`);
  write('catalog.json', `${JSON.stringify(catalogJson(catalog), null, 2)}\n`);

  const sum = (filter: (file: string) => boolean) => [...files].filter(([f]) => filter(f)).reduce((n, [, size]) => n + size, 0);
  const siteFiles = (f: string) => f.endsWith('.html') || f.startsWith('assets/');
  // Markdown pages are an export (like the JSON), not part of the browsed site's size.
  return { files, siteBytes: sum(siteFiles) - schemaInPages, totalBytes: sum(() => true) };
}
