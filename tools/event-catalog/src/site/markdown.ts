// The catalog as Markdown, beside the HTML: one file per event (events/<id>.md) and an index, for
// reading in a pull request, a wiki or a terminal. Same data as the pages, no HTML.
import type { Catalog, CatalogEvent } from '../model';

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

/** File of an event's Markdown page relative to the site root. */
export const eventMarkdown = (id: string) => `events/${id}.md`;

/**
 * One event as Markdown: producers, consumers, then per version (newest first) its field table and
 * dated changelog; the versions side by side when there are several.
 *
 * @example
 * ```ts
 * writeFileSync('CustomerCreated.md', renderEventMarkdown(event));
 * ```
 */
export function renderEventMarkdown(event: CatalogEvent): string {
  const out: string[] = [`# ${event.detailType}`, '', `Source \`${event.source}\`, owner ${event.owner}.`, ''];
  out.push(
    '## Producers',
    '',
    event.producers.length === 0 ? 'No manifest publishes it.' : event.producers.map((p) => `- ${p.service}: ${p.versions.map((v) => `v${v}`).join(', ')} (via ${p.via})`).join('\n'),
    '',
  );
  out.push(
    '## Consumers',
    '',
    event.consumers.length === 0
      ? 'No service subscribes to it.'
      : event.consumers
          .map((c) => `- ${c.service} (${c.subscription}): ${c.versions.map((v) => `v${v}`).join(', ')}${c.wideReason ? ' (wide)' : ''}${c.unpublished.length > 0 ? `; consumes ${c.unpublished.map((v) => `v${v}`).join(', ')}, which no manifest publishes` : ''}`)
          .join('\n'),
    '',
  );
  if (event.versions.length > 1) {
    const paths = [...new Set(event.versions.flatMap((v) => v.fieldTable.map((f) => f.path)))];
    out.push(
      '## Versions side by side',
      '',
      table(
        ['Field', ...event.versions.map((v) => `v${v.version}`)],
        paths.map((path) => [`\`${path}\``, ...event.versions.map((v) => {
          const field = v.fieldTable.find((f) => f.path === path);
          return field ? `${field.type}${field.required ? '' : ' (optional)'}` : '—';
        })]),
      ),
      '',
    );
  }
  for (const version of [...event.versions].reverse()) {
    out.push(`## Version ${version.version}`, '', version.description, '');
    out.push(
      table(
        ['Field', 'Type', 'Required', 'Constraints', 'Description', 'PII'],
        version.fieldTable.map((f) => [`\`${f.path}\``, f.type, f.required ? 'required' : 'optional', f.constraints.join('; '), f.description ?? '', f.pii ?? '']),
      ),
      '',
    );
    if (version.changelog && version.changelog.length > 0) {
      out.push('### Changelog', '');
      for (const entry of version.changelog) {
        const what = entry.event === 'published' ? 'published' : entry.changes.length === 0 ? 'example or wording only' : entry.changes.map((c) => `\`${c.path}\` ${c.kind}${c.breaking ? ' (breaking)' : ''}`).join('; ');
        out.push(`- ${entry.date} \`${entry.commit}\` ${entry.subject}: ${what}`);
      }
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The index: every event with its versions, producers and consumers. */
export function renderIndexMarkdown(catalog: Catalog): string {
  return `# Kestrel event catalog\n\n${table(
    ['Event', 'Source', 'Versions', 'Producers', 'Consumers'],
    catalog.events.map((e) => [
      `[${e.detailType}](${eventMarkdown(e.id)})`,
      e.source,
      e.versions.map((v) => `v${v.version}`).join(', '),
      e.producers.map((p) => p.service).join(', ') || '—',
      [...new Set(e.consumers.map((c) => c.service))].join(', ') || '—',
    ]),
  )}\n`;
}
