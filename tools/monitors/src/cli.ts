// Plans (and with --apply, writes) a service's Datadog SLOs (from its manifest) and monitors (from
// its synthesized stacks, plus two burn-rate monitors per SLO).
//   npx tsx tools/monitors/src/cli.ts --service customers [--apply] [--json]
// --json prints { slos, monitors }.
// Dry run by default. With DD_API_KEY and DD_APP_KEY set, the dry run validates every monitor
// against the API and diffs with what exists; without them it validates locally and lists every
// monitor as `create`. --apply always needs the keys.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { OWNERSHIP, ownershipOf } from '@kestrel/observability';
import { synthesizedStacks } from './discover';
import { burnRateMonitors } from './slo';
import { monitorsForStack, unmonitoredResources } from './generate';
import { serviceSlos } from './service-slos';
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
  const slos = await serviceSlos(WORKSPACE, service, stacks.map((stack) => stack.env));
  const monitors = [...stacks.flatMap((stack) => monitorsForStack(stack)), ...burnRateMonitors(slos)];
  const gaps = stacks.flatMap((stack) => unmonitoredResources(stack, monitors).map((gap) => `${stack.origin}: ${gap.address}`));
  if (gaps.length > 0) {
    process.stderr.write(`Unmonitored resources:\n${gaps.map((g) => `  - ${g}`).join('\n')}\n`);
    return 1;
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ slos, monitors }, null, 2)}\n`);
    return 0;
  }

  const connection = connectionFromEnv();
  if (values.apply && !connection) throw new MissingApiKeyError();
  const plan = await planSync({ service, ownership, monitors, slos, connection });
  process.stdout.write(`${formatPlan(plan)}\n`);
  if (!values.apply) return 0;
  const result = await applyPlan(plan, connection);
  process.stdout.write(
    `Applied: SLOs ${result.slos.created} created, ${result.slos.updated} updated, ${result.slos.deleted} deleted; monitors ${result.created} created, ${result.updated} updated, ${result.deleted} deleted; PagerDuty ${result.pagerDuty}\n`,
  );
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
