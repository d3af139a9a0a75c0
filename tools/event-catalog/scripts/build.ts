// `nx run event-catalog:build`: the catalog site and its exports in tools/event-catalog/dist/site,
// generated from the registered contracts and every apps/*/service.ts manifest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allContracts, type AnyEventContract } from '@kestrel/contracts';
import { OWNERSHIP } from '@kestrel/observability';
import { writeSite } from '../src/build';
import { lockHistory } from '../src/history';
import { loadManifests } from '../src/load-manifests';
import { buildCatalog } from '../src/model';
import { loadSchemaComparison, REPO_ROOT } from '../src/repo';

export const SITE_DIR = join(REPO_ROOT, 'tools/event-catalog/dist/site');

export async function main(outDir: string = SITE_DIR, log: (text: string) => void = (text) => console.log(text)): Promise<number> {
  const manifests = await loadManifests(REPO_ROOT);
  const compareSchemas = await loadSchemaComparison();
  const history = (c: AnyEventContract) => lockHistory(REPO_ROOT, `libs/contracts/schemas/${c.source}/${c.detailType}.v${c.version}.json`, compareSchemas);
  const catalog = buildCatalog({ contracts: allContracts(), manifests, compareSchemas, ownership: OWNERSHIP, history });
  const report = writeSite(catalog, outDir);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  log(
    `Event catalog: ${catalog.events.length} events, ${catalog.services.length} services, ${report.files.size} files in ${outDir}\n` +
      `  site (pages, css, js; without schemas): ${kb(report.siteBytes)}; everything with exports: ${kb(report.totalBytes)}\n` +
      `  open ${pathToFileURL(join(outDir, 'index.html')).href}`,
  );
  writeFileSync(join(outDir, 'build-report.json'), `${JSON.stringify({ files: Object.fromEntries(report.files), siteBytes: report.siteBytes, totalBytes: report.totalBytes }, null, 2)}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
