// Pull requests run what `nx affected` selects: the projects a change touches and every project
// that depends on them in the project graph. The sign-up journey runs every service's stack and
// the contracts they exchange, so system-tests must depend on all of them; the workspace guards
// read configuration, workflows and the project graph (sources and project files), so a README or
// a doc must not select them. Asked of the repository's own Nx, as CI asks it (each question
// computes the project graph, ~5 s; they run side by side).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/npm-start';

const RUNS = ['contracts', 'platform', 'identity', 'customers', 'catalog', 'analytics-ingest', 'local-cloud'];
const CONTRACT_CHANGE = 'libs/contracts/src/envelope.ts';
/** Not inputs of the workspace guards; one question for all (none may select it, so neither may their union). */
const DOCUMENTATION = ['apps/catalog/README.md', 'tools/local-cloud/README.md', 'docs/conventions.md'];
const WORKFLOW = '.github/workflows/ci.yml';

const nx = (args: string[]) =>
  promisify(execFile)(process.execPath, [join(repoRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
const affectedBy = async (files: readonly string[]) => JSON.parse((await nx(['show', 'projects', '--affected', `--files=${files.join(',')}`, '--json'])).stdout) as string[];

let dependencies: Set<string>;
let byContractChange: string[];
let byDocumentation: string[];
let byWorkflow: string[];

beforeAll(async () => {
  const graphFile = join(mkdtempSync(join(tmpdir(), 'graph-')), 'graph.json');
  [, byContractChange, byDocumentation, byWorkflow] = await Promise.all([nx(['graph', `--file=${graphFile}`]), affectedBy([CONTRACT_CHANGE]), affectedBy(DOCUMENTATION), affectedBy([WORKFLOW])]);
  const { graph } = JSON.parse(readFileSync(graphFile, 'utf8')) as { graph: { dependencies: Record<string, Array<{ target: string }>> } };
  // system-tests and everything it depends on, directly or not
  dependencies = new Set<string>();
  const queue = ['system-tests'];
  while (queue.length) {
    for (const { target } of graph.dependencies[queue.pop() as string] ?? []) {
      if (dependencies.has(target)) continue;
      dependencies.add(target);
      queue.push(target);
    }
  }
}, 180_000);

describe('nx affected', () => {
  it.each(RUNS)('selects system-tests for a change to %s (it depends on it in the project graph)', (project) => {
    expect(dependencies.has(project)).toBe(true);
  });

  it(`selects system-tests for a change to a contract (${CONTRACT_CHANGE})`, () => {
    expect(byContractChange).toContain('system-tests');
  });

  it(`does not select workspace for a change to documentation (${DOCUMENTATION.join(', ')})`, () => {
    expect(byDocumentation).not.toContain('workspace');
  });

  it('selects workspace for a change to what its guards read (a workflow)', () => {
    expect(byWorkflow).toContain('workspace');
  });
});
