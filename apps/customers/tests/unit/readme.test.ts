import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accessPatternsMarkdown, eventsMarkdown } from '../../scripts/readme-tables';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the access patterns as the registry renders them (run scripts/readme-tables.ts and paste on failure)', () => {
    expect(readme).toContain(accessPatternsMarkdown().trim());
  });

  it('lists the events published and consumed as the manifest and contracts declare them', () => {
    expect(readme).toContain(eventsMarkdown().trim());
  });
});
