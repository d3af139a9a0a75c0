// Every repair command the on-call runbooks give must run as written: it parses, and the service
// and subscription it names exist (the manifest), so the names it derives are the stack's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MONITOR_KINDS } from '../../src/kinds';
import { parseOpsArgs } from '../../src/ops/args';
import { loadManifest } from '../../src/ops/manifest';
import { subscriptionTargets } from '../../src/ops/targets';

const ON_CALL = join(import.meta.dirname, '../../../../docs/on-call.md');
const CLI = 'npx tsx tools/monitors/src/ops/cli.ts ';

/** The ops commands inside the runbook's sh blocks, each with the section it sits in. */
function runbookCommands(markdown: string): { section: string; argv: string[] }[] {
  const found: { section: string; argv: string[] }[] = [];
  let section = '';
  let inShell = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) section = line.replace(/^#+\s*/, '');
    if (line.trim().startsWith('```')) inShell = !inShell && line.trim() === '```sh';
    else if (inShell && line.trim().startsWith(CLI)) found.push({ section, argv: line.trim().slice(CLI.length).split(/\s+/) });
  }
  return found;
}

describe('runbook commands in docs/on-call.md', () => {
  const commands = runbookCommands(readFileSync(ON_CALL, 'utf8'));

  it('the runbook of every kind that pages gives repair commands, and so do those for dead letters and throttled tables', () => {
    const sections = new Set(commands.map((command) => command.section));
    const paging = Object.values(MONITOR_KINDS).filter((kind) => kind.pages).map((kind) => kind.id);
    for (const kind of paging) expect(sections, `the ${kind} runbook has no ops command`).toContain(kind);
    expect(sections).toEqual(new Set([...paging, 'lambda-error-rate', 'event-target-dead-letters', 'dynamodb-throttles']));
    expect(new Set(commands.map((command) => command.argv[0]))).toEqual(new Set(['inspect', 'redrive', 'replay']));
  });

  it.each(commands.map((command) => [`${command.section}: ${command.argv.join(' ')}`, command.argv] as const))('%s parses and targets a real subscription', async (_, argv) => {
    const args = parseOpsArgs(argv);
    const targets = subscriptionTargets(await loadManifest(args.service), args.env, args.subscription);
    expect(targets.ruleName).toBe(`kestrel-${args.env}-${args.service}-${args.subscription}`);
  });
});
