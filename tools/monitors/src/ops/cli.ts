// One-command repair of a subscription, the same against the local cloud and AWS (real SDK v3 clients;
// the endpoint comes from AWS_ENDPOINT_URL, credentials and region from the usual AWS variables).
//   npx tsx tools/monitors/src/ops/cli.ts inspect --service catalog --env staging --subscription product-retired [--limit 10]
//   npx tsx tools/monitors/src/ops/cli.ts redrive --service catalog --env staging --subscription product-retired [--yes]
//   npx tsx tools/monitors/src/ops/cli.ts replay  --service catalog --env staging --subscription product-retired (--last 2h | --from 2026-12-07T06:00:00Z --to 2026-12-07T07:00:00Z) [--yes]
// redrive and replay are dry runs unless --yes is given. Output is JSON.
import { parseOpsArgs } from './args';
import { loadManifest } from './manifest';
import { inspect, redrive, repairClients, replay } from './repair';
import { subscriptionTargets } from './targets';

async function main(): Promise<number> {
  const args = parseOpsArgs(process.argv.slice(2));
  const manifest = await loadManifest(args.service);
  const targets = subscriptionTargets(manifest, args.env, args.subscription);
  const clients = repairClients();
  const dryRun = !args.yes;
  const result =
    args.command === 'inspect'
      ? await inspect(clients, targets, args.limit)
      : args.command === 'redrive'
        ? await redrive(clients, targets, { dryRun })
        : await replay(clients, targets, { from: args.from as Date, to: args.to as Date }, { dryRun });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (dryRun && args.command !== 'inspect') process.stderr.write('Dry run: nothing changed. Run again with --yes to do it.\n');
  return 'failed' in result && typeof result.failed === 'number' && result.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
