// Bundles a service's functions: npx tsx tools/bundle/src/cli.ts --service apps/<svc> [--out <dir>] [--function <name>]...
import { parseArgs } from 'node:util';
import { bundleService, formatSizeTable } from './bundle';

const usage = 'usage: tsx tools/bundle/src/cli.ts --service <service dir> [--out <dir>] [--function <name>]...';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      service: { type: 'string' },
      out: { type: 'string' },
      function: { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.service) {
    console.error(`--service is required\n${usage}`);
    return 2;
  }
  const results = await bundleService({ serviceDir: values.service, outDir: values.out, functions: values.function });
  console.log(formatSizeTable(results));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
