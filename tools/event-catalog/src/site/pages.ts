// HTML pages of the catalog: index (search + graph), one page per event, one per service. Plain
// strings, escaped at every interpolation; relative links only, so the site works from disk.
import type { Catalog, CatalogEvent, CatalogService, CatalogVersion } from '../model';
import { renderGraph } from './graph';

/** Escapes text for HTML element content and attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** File of an event page relative to the site root. */
export const eventPage = (id: string) => `events/${id}.html`;
/** File of a service page relative to the site root. */
export const servicePage = (name: string) => `services/${name}.html`;

function json(value: unknown): string {
  return `<pre><code>${esc(JSON.stringify(value, null, 2))}</code></pre>`;
}

function layout(title: string, depth: number, body: string, extraHead = ''): string {
  const up = depth === 0 ? '' : '../'.repeat(depth);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Kestrel event catalog</title>
<link rel="stylesheet" href="${up}assets/catalog.css">${extraHead}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<a class="brand" href="${up}index.html">Kestrel event catalog</a>
<nav aria-label="Main"><ul>
<li><a href="${up}index.html#events">Events</a></li>
<li><a href="${up}index.html#services">Services</a></li>
<li><a href="${up}index.html#graph">Graph</a></li>
<li><a href="${up}asyncapi.json">AsyncAPI</a></li>
<li><a href="${up}catalog.json">catalog.json</a></li>
</ul></nav>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer>Generated from the zod contracts in <code>libs/contracts</code> and the service manifests <code>apps/*/service.ts</code>; edit those, never this page.</footer>
</body>
</html>
`;
}

function serviceLink(name: string, known: ReadonlySet<string>, up: string): string {
  return known.has(name) ? `<a href="${up}${servicePage(name)}">${esc(name)}</a>` : `${esc(name)} <span class="tag">no manifest yet</span>`;
}

function eventLink(id: string, catalog: Catalog, up: string): string {
  const event = catalog.events.find((e) => e.id === id);
  return event ? `<a href="${up}${eventPage(id)}">${esc(event.detailType)}</a> <span class="tag">${esc(event.source)}</span>` : esc(id);
}

const versionList = (versions: readonly number[]) => versions.map((v) => `v${v}`).join(', ');

/** The landing page: searchable event list, services, and who feeds whom. */
export function renderIndex(catalog: Catalog): string {
  const services = new Set(catalog.services.map((s) => s.name));
  const index = catalog.events.map((event) => {
    const latest = event.versions[event.versions.length - 1]!;
    return {
      name: event.detailType,
      source: event.source,
      url: eventPage(event.id),
      summary: latest.description,
      fields: [...new Set(event.versions.flatMap((v) => v.fields))],
      services: [...new Set([...event.producers.map((p) => p.service), event.owner, ...event.consumers.map((c) => c.service)])],
    };
  });
  const eventItems = catalog.events
    .map((event) => {
      const latest = event.versions[event.versions.length - 1]!;
      return `<li><a href="${eventPage(event.id)}">${esc(event.detailType)}</a> <span class="tag">${esc(event.source)}</span><span class="why">${esc(latest.description)}</span></li>`;
    })
    .join('\n');
  const serviceRows = catalog.services
    .map(
      (s) =>
        `<tr><th scope="row"><a href="${servicePage(s.name)}">${esc(s.name)}</a></th><td>${esc(s.team)}</td><td>${s.publishes.length}</td><td>${s.consumes.length}</td><td>${esc(s.description)}</td></tr>`,
    )
    .join('\n');
  const edgeItems = catalog.edges
    .map((e) => `<li>${serviceLink(e.from, services, '')} feeds ${serviceLink(e.to, services, '')}: ${e.events.map((id) => eventLink(id, catalog, '')).join(', ')}</li>`)
    .join('\n');
  // `<` inside the JSON is escaped so no string in it can close the script element.
  const indexJson = JSON.stringify(index).replace(/</g, '\\u003c');
  const body = `<h1>Event catalog</h1>
<p class="meta">${catalog.events.length} events (${catalog.events.reduce((n, e) => n + e.versions.length, 0)} versions) from ${catalog.services.length} services on the platform EventBridge bus.</p>
<section aria-labelledby="events">
<h2 id="events">Events</h2>
<form role="search" action="#">
<label for="search">Search events by name, field or service</label>
<input id="search" type="search" name="q" autocomplete="off" placeholder="e.g. CustomerCreated, email, analytics-ingest" aria-describedby="search-status">
</form>
<p id="search-status" role="status" aria-live="polite">${catalog.events.length} events</p>
<ul id="results">
${eventItems}
</ul>
</section>
<section aria-labelledby="services">
<h2 id="services">Services</h2>
<table>
<caption class="meta">Every service with a manifest under apps/</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Owner</th><th scope="col">Publishes</th><th scope="col">Subscriptions</th><th scope="col">Purpose</th></tr></thead>
<tbody>
${serviceRows}
</tbody>
</table>
</section>
<section aria-labelledby="graph">
<h2 id="graph">Who feeds whom</h2>
<p>An arrow from A to B means B subscribes to events A publishes. Select a service to open its page.</p>
<div class="graph">${renderGraph(catalog)}</div>
<h3>The same as a list</h3>
<ul>
${edgeItems}
</ul>
</section>
<script type="application/json" id="catalog-index">${indexJson}</script>
<script src="assets/search.js" defer></script>`;
  return layout('Events', 0, body);
}

function renderChanges(version: CatalogVersion): string {
  const diff = version.changesFromPrevious;
  if (!diff) return '';
  if (diff.changes.length === 0) return `<p>No schema change from v${diff.from}.</p>`;
  const rows = diff.changes
    .map(
      (c) =>
        `<tr><td><code>${esc(c.path)}</code></td><td>${c.breaking ? `<span class="breaking">${esc(c.kind)}</span>` : esc(c.kind)}</td><td>${esc(c.detail)}</td></tr>`,
    )
    .join('\n');
  return `<h4>Changes from v${diff.from}</h4>
<table><thead><tr><th scope="col">Field</th><th scope="col">Change</th><th scope="col">Detail</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function renderVersion(event: CatalogEvent, version: CatalogVersion, latest: boolean): string {
  const pii =
    version.pii.length === 0
      ? '<p>No field is marked as personal data.</p>'
      : `<table><thead><tr><th scope="col">Field (in <code>detail.data</code>)</th><th scope="col">PII kind</th></tr></thead><tbody>
${version.pii.map((f) => `<tr><td><code>${esc(f.path)}</code></td><td class="pii">${esc(f.kind)}</td></tr>`).join('\n')}
</tbody></table>`;
  const fields = `<table class="fields"><caption class="meta">Every field of <code>detail.data</code> in v${version.version}; nested fields are dotted, <code>[]</code> marks array items</caption>
<thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Constraints</th><th scope="col">Description</th><th scope="col">PII</th></tr></thead><tbody>
${version.fieldTable
  .map(
    (f) =>
      `<tr><th scope="row"><code>${esc(f.path)}</code></th><td>${esc(f.type)}</td><td>${f.required ? 'required' : 'optional'}</td><td>${f.constraints.map((c) => esc(c)).join('<br>')}</td><td>${esc(f.description ?? '')}</td><td>${f.pii ? `<span class="pii">${esc(f.pii)}</span>` : ''}</td></tr>`,
  )
  .join('\n')}
</tbody></table>`;
  const changelog =
    version.changelog === undefined
      ? ''
      : `<h3>Changelog</h3>
${
  version.changelog.length === 0
    ? '<p>Not committed yet.</p>'
    : `<ol class="changelog">${version.changelog
        .map(
          (entry) =>
            `<li><time datetime="${esc(entry.date)}">${esc(entry.date)}</time> <code>${esc(entry.commit)}</code> ${esc(entry.subject)}: ${
              entry.event === 'published'
                ? 'published'
                : entry.changes.length === 0
                  ? 'example or wording only'
                  : `<ul>${entry.changes.map((c) => `<li><code>${esc(c.path)}</code> ${esc(c.kind)}${c.breaking ? ' <strong>(breaking)</strong>' : ''}: ${esc(c.detail)}</li>`).join('')}</ul>`
            }</li>`,
        )
        .join('\n')}</ol>`
}`;
  return `<section aria-labelledby="v${version.version}">
<h2 id="v${version.version}">Version ${version.version}${latest ? ' <span class="tag">current</span>' : ' <span class="tag">previous</span>'}</h2>
<p>${esc(version.description)}</p>
${renderChanges(version)}
<h3>Personal data</h3>
${pii}
<h3>Fields of <code>detail.data</code></h3>
${fields}
${changelog}
<h3>Example</h3>
${json(version.example)}
<h3>JSON Schema</h3>
<p><a href="../${esc(version.schemaFile)}">Download the JSON Schema of ${esc(event.detailType)} v${version.version}</a> (draft 2020-12, whole event).</p>
<details><summary>Show the JSON Schema</summary>
${json(version.schema)}
</details>
</section>`;
}

/** One page per event: every version, who publishes it, who receives it and with which pattern. */
export function renderEventPage(event: CatalogEvent, catalog: Catalog): string {
  const services = new Set(catalog.services.map((s) => s.name));
  const producers =
    event.producers.length > 0
      ? event.producers.map((p) => `${serviceLink(p.service, services, '../')} (${versionList(p.versions)}, via ${esc(p.via)})`).join('; ')
      : `no manifest publishes it (the contract names ${serviceLink(event.owner, services, '../')} as owner); no edge is drawn`;
  const team = catalog.services.find((s) => s.name === (event.producers[0]?.service ?? event.owner))?.team;
  const consumerRows = event.consumers
    .map(
      (c) => `<tr><th scope="row">${serviceLink(c.service, services, '../')}</th><td><code>${esc(c.subscription)}</code><br>${esc(c.description)}${
        c.wideReason ? `<br><span class="tag">wide</span> ${esc(c.wideReason)}` : ''
      }</td><td>${versionList(c.versions)}${
        c.unpublished.length > 0 ? `<br><strong class="warn">consumes ${versionList(c.unpublished)}, which no manifest publishes</strong>` : ''
      }</td><td>${json(c.pattern)}</td></tr>`,
    )
    .join('\n');
  const consumers =
    event.consumers.length === 0
      ? '<p>No service subscribes to this event yet.</p>'
      : `<table><caption class="meta">Every subscription whose pattern lets this event through</caption>
<thead><tr><th scope="col">Service</th><th scope="col">Subscription</th><th scope="col">Versions</th><th scope="col">Pattern</th></tr></thead>
<tbody>
${consumerRows}
</tbody></table>`;
  const versions = [...event.versions].reverse();
  const body = `<h1>${esc(event.detailType)}</h1>
<p class="meta"><span class="tag">source ${esc(event.source)}</span> <span class="tag">detail-type ${esc(event.detailType)}</span> versions ${versionList(event.versions.map((v) => v.version))}</p>
<dl>
<dt>Produced by</dt><dd>${producers}</dd>
<dt>Owner</dt><dd>${esc(event.owner)} context${team ? `, team ${esc(team)}` : ''}</dd>
</dl>
<section aria-labelledby="consumers">
<h2 id="consumers">Consumers</h2>
${consumers}
</section>
<section aria-labelledby="flow">
<h2 id="flow">Who publishes it to whom</h2>
${renderEventFlow(event, catalog)}
</section>
${renderSideBySide(event)}
${versions.map((v, i) => renderVersion(event, v, i === 0)).join('\n')}`;
  return layout(event.detailType, 1, body);
}

/** This event's producer → consumer graph: the service graph cut down to the edges carrying it. */
function renderEventFlow(event: CatalogEvent, catalog: Catalog): string {
  const edges = catalog.edges.filter((e) => e.events.includes(event.id)).map((e) => ({ ...e, events: [event.id] }));
  if (edges.length === 0) return '<p>No manifest publishes a version that a subscription receives: nothing flows.</p>';
  const involved = new Set(edges.flatMap((e) => [e.from, e.to]));
  const sub: Catalog = { events: [event], services: catalog.services.filter((s) => involved.has(s.name)), edges };
  const lines = edges.map((e) => {
    const published = event.producers.find((p) => p.service === e.from)?.versions ?? [];
    const received = event.consumers.filter((c) => c.service === e.to).flatMap((c) => c.versions.filter((v) => published.includes(v)).map((v) => `${c.subscription} v${v}`));
    return `<li>${esc(e.from)} → ${esc(e.to)} (${esc(received.join(', '))})</li>`;
  });
  return `<div class="graph">${renderGraph(sub, '../')}</div>\n<ul>${lines.join('')}</ul>`;
}

/** Every field of every version in one table: what each version has, side by side. */
function renderSideBySide(event: CatalogEvent): string {
  if (event.versions.length < 2) return '';
  const paths = [...new Set(event.versions.flatMap((v) => v.fieldTable.map((f) => f.path)))];
  const cell = (version: CatalogVersion, path: string) => {
    const field = version.fieldTable.find((f) => f.path === path);
    return field ? `${esc(field.type)}${field.required ? '' : ' <span class="meta">optional</span>'}` : '<span class="meta">—</span>';
  };
  return `<section aria-labelledby="side-by-side">
<h2 id="side-by-side">Versions side by side</h2>
<table><thead><tr><th scope="col">Field</th>${event.versions.map((v) => `<th scope="col">v${v.version}</th>`).join('')}</tr></thead><tbody>
${paths.map((path) => `<tr><th scope="row"><code>${esc(path)}</code></th>${event.versions.map((v) => `<td>${cell(v, path)}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
</section>`;
}

/** One page per service: what it publishes and consumes, who owns it, whom it feeds. */
export function renderServicePage(service: CatalogService, catalog: Catalog): string {
  const services = new Set(catalog.services.map((s) => s.name));
  const publishes =
    service.publishes.length === 0
      ? '<p>Publishes no events.</p>'
      : `<table><thead><tr><th scope="col">Event</th><th scope="col">Version</th><th scope="col">Via</th></tr></thead><tbody>
${service.publishes.map((p) => `<tr><td>${eventLink(p.id, catalog, '../')}</td><td>v${p.version}</td><td>${esc(p.via)}</td></tr>`).join('\n')}
</tbody></table>`;
  const consumes =
    service.consumes.length === 0
      ? '<p>Subscribes to no events.</p>'
      : service.consumes
          .map(
            (s) => `<section aria-labelledby="sub-${esc(s.name)}">
<h3 id="sub-${esc(s.name)}"><code>${esc(s.name)}</code>${s.wideReason ? ' <span class="tag">wide</span>' : ''}</h3>
<p>${esc(s.description)}</p>
${s.wideReason ? `<p><strong>Why wide:</strong> ${esc(s.wideReason)}</p>` : ''}
<p>Target function <code>${esc(s.target)}</code>; retries: ${s.retry.maximumRetryAttempts} attempts within ${s.retry.maximumEventAgeSeconds} s.</p>
<p>Receives: ${s.events.map((e) => `${eventLink(e.id, catalog, '../')} (${versionList(e.versions)})`).join(', ') || 'no registered event'}</p>
${json(s.pattern)}
</section>`,
          )
          .join('\n');
  const feeds = catalog.edges.filter((e) => e.from === service.name);
  const fedBy = catalog.edges.filter((e) => e.to === service.name);
  const edgeList = (edges: typeof feeds, side: 'from' | 'to') =>
    edges.length === 0 ? '<p>None.</p>' : `<ul>${edges.map((e) => `<li>${serviceLink(e[side], services, '../')}: ${e.events.map((id) => eventLink(id, catalog, '../')).join(', ')}</li>`).join('')}</ul>`;
  const body = `<h1>${esc(service.name)}</h1>
<p>${esc(service.description)}</p>
<dl>
<dt>Owner</dt><dd>team ${esc(service.team)}</dd>
<dt>Manifest</dt><dd><code>${esc(service.file)}</code></dd>
<dt>On call</dt><dd>${
    service.onCall
      ? `PagerDuty service <code>${esc(service.onCall.pagerDutyService)}</code>, Slack <code>#${esc(service.onCall.slackChannel)}</code>, <a href="${esc(service.onCall.runbookBaseUrl)}">runbooks</a>`
      : 'not in the ownership registry (libs/observability)'
  }</dd>
</dl>
<section aria-labelledby="publishes"><h2 id="publishes">Publishes</h2>
${publishes}
</section>
<section aria-labelledby="consumes"><h2 id="consumes">Consumes</h2>
${consumes}
</section>
<section aria-labelledby="feeds"><h2 id="feeds">Feeds</h2>
${edgeList(feeds, 'to')}
</section>
<section aria-labelledby="fed-by"><h2 id="fed-by">Fed by</h2>
${edgeList(fedBy, 'from')}
</section>`;
  return layout(service.name, 1, body);
}
