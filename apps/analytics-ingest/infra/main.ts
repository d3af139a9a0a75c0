// Synthesizes analytics-ingest for every environment:
// cdktf.out/stacks/analytics-ingest-<env>/cdk.tf.json (needs `nx run analytics-ingest:bundle` first)
import { fileURLToPath } from 'node:url';
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { AnalyticsIngestStack } from './analytics-ingest.stack';

const bundlesDir = fileURLToPath(new URL('../dist/bundles', import.meta.url));
const app = createKestrelApp();
for (const env of allEnvironments()) {
  new AnalyticsIngestStack(app, { env, bundlesDir });
}
app.synth();
