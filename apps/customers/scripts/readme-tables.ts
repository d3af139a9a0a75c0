// The README's generated tables: access patterns (from the table-keys registry in
// src/adapters/table.ts) and events published/consumed (from the manifest and the contracts).
// `npx tsx scripts/readme-tables.ts` prints them; tests/unit/readme.test.ts fails when the README drifts.
import { pathToFileURL } from 'node:url';
import { eventRegistry, piiPaths } from '@kestrel/contracts';
import { accessPatternTable } from '@kestrel/table-keys';
import { accessPatterns } from '../src/adapters/table';
import manifest from '../service';

export function accessPatternsMarkdown(): string {
  return accessPatternTable(accessPatterns);
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

export function eventsMarkdown(): string {
  const published = manifest.publishes.map((publication) => {
    const contract = eventRegistry.get(publication.event.source, publication.event.detailType, publication.event.version);
    if (!contract) throw new Error(`${publication.event.detailType} v${publication.event.version} is not registered in @kestrel/contracts`);
    const pii = piiPaths(contract);
    return row([`\`${contract.detailType}\` v${contract.version}`, contract.description, pii.length === 0 ? '—' : pii.map((path) => `\`${path}\``).join(', ')]);
  });
  const consumed = manifest.consumes.flatMap((subscription) =>
    subscription.events.map((event) =>
      row([
        `\`${event.source}\` \`${event.detailType}\` v${event.version}`,
        `\`${subscription.name}\` → \`${subscription.target}\``,
        `${subscription.retry.maximumRetryAttempts} retries within ${subscription.retry.maximumEventAgeSeconds} s, then DLQ`,
      ]),
    ),
  );
  return [
    `Published (source \`kestrel.${manifest.name}\`, through the outbox of the \`customers\` table):`,
    '',
    row(['Event', 'What happened', 'PII fields (`detail.data`)']),
    row(['---', '---', '---']),
    ...published,
    '',
    'Consumed:',
    '',
    row(['Event', 'Subscription → function', 'Retry']),
    row(['---', '---', '---']),
    ...consumed,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(accessPatternsMarkdown());
  console.log(eventsMarkdown());
}
