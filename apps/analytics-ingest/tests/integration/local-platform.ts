/**
 * The deployed topology, locally: the platform stack and this service's
 * stack, synthesized from the same code as for AWS (with the real ingest
 * bundle) and applied to a fresh in-memory local cloud.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from '@kestrel/bundle';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { environment } from '@kestrel/infra-constructs/environments';
import { startLocalCloud } from '@kestrel/local-cloud';
import type { LocalCloud } from '@kestrel/local-cloud';
import { AnalyticsIngestStack } from '../../infra/analytics-ingest.stack';

export const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = resolve(projectDir, '../..');

export interface LocalPlatform {
  cloud: LocalCloud;
  /** Values the local cloud reports for this service's stack outputs. */
  outputs: Record<string, unknown>;
  workDir: string;
}

/** Synthesizes the platform stack (its own main.ts) into `outDir`; returns the staging stack folder. */
function synthPlatform(outDir: string): string {
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), 'main.ts'], {
    cwd: join(repoRoot, 'infra/platform'),
    env: { ...process.env, CDKTF_OUTDIR: outDir },
    stdio: 'pipe',
  });
  return join(outDir, 'stacks', 'platform-staging');
}

/** Bundles the ingest function and synthesizes analytics-ingest-staging into `outDir`. */
async function synthService(outDir: string, bundlesDir: string): Promise<string> {
  await bundleService({ serviceDir: projectDir, outDir: bundlesDir });
  const app = createKestrelApp({ outdir: outDir });
  new AnalyticsIngestStack(app, { env: environment('staging'), bundlesDir });
  app.synth();
  return join(outDir, 'stacks', 'analytics-ingest-staging');
}

/**
 * Starts a local cloud with the platform and analytics-ingest stacks applied.
 *
 * @example
 * ```ts
 * const platform = await startLocalPlatform();
 * // ... put events on the bus, read the lake ...
 * await platform.cloud.stop();
 * ```
 */
export async function startLocalPlatform(): Promise<LocalPlatform> {
  const workDir = mkdtempSync(join(tmpdir(), 'analytics-ingest-it-'));
  let cloud: LocalCloud | undefined;
  try {
    const platformStack = synthPlatform(join(workDir, 'platform.out'));
    const serviceStack = await synthService(join(workDir, 'service.out'), join(workDir, 'bundles'));
    cloud = await startLocalCloud({ inMemory: true });
    const reports = await cloud.applyStacks([platformStack, serviceStack]);
    const service = cloud.stacks().find((stack) => stack.name === 'analytics-ingest-staging');
    const missing = reports.flatMap((report) => report.notEmulated.map((r) => r.type));
    // Glue and Athena have no local counterpart (DuckDB stands in); anything else missing is a gap.
    const unexpected = missing.filter((type) => !type.startsWith('aws_glue_') && !type.startsWith('aws_athena_') && type !== 'aws_cloudwatch_log_stream');
    if (unexpected.length > 0) throw new Error(`The local cloud does not emulate: ${[...new Set(unexpected)].join(', ')}`);
    return { cloud, outputs: service?.outputs ?? {}, workDir };
  } catch (error) {
    await cloud?.stop();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}
