import { readFileSync } from 'node:fs';
import { accessPatternTable } from '@kestrel/table-keys';
import { describe, expect, it } from 'vitest';
import { accessPatterns } from '../../src/adapters/table';

// Handlers never evaluate the access patterns (they are /* @__PURE__ */ and dropped from bundles),
// so this is where a wrong declaration fails: defineAccessPattern throws on one, and the README's
// table must be what the declarations render.
describe('catalog access patterns', () => {
  it('are valid declarations and the README shows exactly their table', () => {
    // Arrange
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

    // Act
    const table = accessPatternTable(accessPatterns);

    // Assess
    expect(accessPatterns.map((pattern) => pattern.name)).toContain('GetStoreCollection');
    expect(readme).toContain(table.trim());
  });
});
