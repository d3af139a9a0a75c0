// Synthesizes analytics-ingest for every environment:
// cdktf.out/stacks/analytics-ingest-<env>/cdk.tf.json (needs `nx run analytics-ingest:bundle` first)
import { fileURLToPath } from 'node:url';
import { allEnvironments, createKestrelApp } from '@kestrel/infra-constructs';
import { AnalyticsIngestStack } from './analytics-ingest.stack';

const bundlesDir = fileURLToPath(new URL('../dist/bundles', import.meta.url));
const app = createKestrelApp();
for (const env of allEnvironments()) {
  new AnalyticsIngestStack(app, { env, bundlesDir });
}
app.synth();
