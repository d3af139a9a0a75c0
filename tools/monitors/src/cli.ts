// Plans (and with --apply, writes) a service's Datadog monitors from its synthesized stacks.
//   npx tsx tools/monitors/src/cli.ts --service customers [--apply] [--json]
// Dry run by default. With DD_API_KEY and DD_APP_KEY set, the dry run validates every monitor
// against the API and diffs with what exists; without them it validates locally and lists every
// monitor as `create`. --apply always needs the keys.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OWNERSHIP, ownershipOf } from '@kestrel/observability';
import { synthesizedStacks } from './discover';
import { monitorsForStack, unmonitoredResources } from './generate';
import { loadStack } from './stack';
import { applyPlan, connectionFromEnv, formatPlan, MissingApiKeyError, planSync } from './sync';

const WORKSPACE = resolve(import.meta.dirname, '../../..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { service: { type: 'string' }, apply: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
  });
  const service = values.service;
  if (!service) {
    process.stderr.write(`--service is required (one of: ${Object.keys(OWNERSHIP).join(', ')})\n`);
    return 2;
  }
  const ownership = ownershipOf(service);
  const files = synthesizedStacks(WORKSPACE, service);
  if (files.length === 0) {
    process.stderr.write(`No synthesized stacks for "${service}": run \`npx nx run ${service}:synth\` first\n`);
    return 2;
  }
  const stacks = files.map(loadStack);
  const monitors = stacks.flatMap((stack) => monitorsForStack(stack));
  const gaps = stacks.flatMap((stack) => unmonitoredResources(stack, monitors).map((gap) => `${stack.origin}: ${gap.address}`));
  if (gaps.length > 0) {
    process.stderr.write(`Unmonitored resources:\n${gaps.map((g) => `  - ${g}`).join('\n')}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(monitors, null, 2)}\n`);
    return 0;
  }

  const connection = connectionFromEnv();
  if (values.apply && !connection) throw new MissingApiKeyError();
  const plan = await planSync({ service, ownership, monitors, connection });
  process.stdout.write(`${formatPlan(plan)}\n`);
  if (!values.apply) return 0;
  const result = await applyPlan(plan, connection);
  process.stdout.write(`Applied: ${result.created} created, ${result.updated} updated, ${result.deleted} deleted; PagerDuty ${result.pagerDuty}\n`);
  return 0;
}

main().then(
  // Exit once stdout has drained: exiting at once cuts piped output (--json) at 64-128 KB.
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
