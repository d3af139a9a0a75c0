import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environment } from '@kestrel/infra-constructs/environments';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { synthStack, testApp } from '@kestrel/infra-constructs/testing';
import type { SynthesizedStack } from '@kestrel/infra-constructs/testing';
import { AnalyticsIngestStack } from '../../infra/analytics-ingest.stack';
import type { AnalyticsIngestStackProps } from '../../infra/analytics-ingest.stack';

/** A stand-in bundle folder, shared by every run (same content): synth only zips and hashes it. */
function stubBundles(): string {
  const dir = join(tmpdir(), 'analytics-ingest-stub-bundles');
  const entry = join(dir, 'ingest', 'index.mjs');
  if (!existsSync(entry)) {
    mkdirSync(join(dir, 'ingest'), { recursive: true });
    writeFileSync(entry, 'export const handler = async () => ({});\n');
  }
  return dir;
}

/** The synthesized Terraform of the stack for one environment. */
export function synthesize(envName: EnvironmentName = 'staging', props: Partial<AnalyticsIngestStackProps> = {}): { stack: AnalyticsIngestStack; json: SynthesizedStack } {
  const stack = new AnalyticsIngestStack(testApp(), { env: environment(envName), bundlesDir: stubBundles(), ...props });
  return { stack, json: synthStack(stack) };
}
