// Game day on a local cloud it starts (in memory; LOCAL_CLOUD_PORT picks its port): applies the
// platform stack and the drill service, injects each failure, checks the generated monitor would
// fire, runs the runbook repair, and writes the JSON report. Exits 1 unless every failure was
// detected, repaired and lost nothing.
//   npx nx run monitors:gameday                    (needs `npx nx run platform:synth`)
//   npx tsx tools/monitors/src/gameday/cli.ts --out tools/monitors/test-artifacts/gameday.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startDrillCloud } from './drill-cloud';
import { runGameDay } from './gameday';

const WORKSPACE = resolve(import.meta.dirname, '../../../..');

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'tools/monitors/test-artifacts/gameday.json' } } });
  const port = process.env.LOCAL_CLOUD_PORT ? Number(process.env.LOCAL_CLOUD_PORT) : 0;
  const drill = await startDrillCloud(WORKSPACE, { port });
  try {
    const report = await runGameDay(drill.context);
    const out = resolve(WORKSPACE, values.out as string);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(report, null, 2)}\nReport: ${out}\n`);
    return report.ok ? 0 : 1;
  } finally {
    await drill.stop();
  }
}

main().then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
