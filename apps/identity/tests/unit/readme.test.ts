import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import manifest from '../../service';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('lists every function of the manifest with its Cognito trigger', () => {
    for (const [name, fn] of Object.entries(manifest.functions)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `README triggers table has no row for ${name}`).toBeDefined();
      for (const trigger of fn.triggers) if (trigger.kind === 'cognito') expect(row).toContain(trigger.trigger);
    }
  });

  it('documents every published event and no other', () => {
    const documented = [...readme.matchAll(/\| \[`(\w+)` v(\d+)\]/g)].map((match) => `${match[1]} v${match[2]}`).sort();
    expect(documented).toEqual(manifest.publishes.map((publication) => `${publication.event.detailType} v${publication.event.version}`).sort());
  });

  it('has the latency figures filled in', () => {
    expect(readme).not.toContain('FIGURES');
  });
});
