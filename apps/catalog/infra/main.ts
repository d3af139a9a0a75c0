// Synthesizes catalog for every environment:
// cdktf.out/stacks/catalog-<env>/cdk.tf.json (needs `nx run catalog:bundle` first)
import { fileURLToPath } from 'node:url';
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { CatalogStack } from './catalog.stack';

const bundlesDir = fileURLToPath(new URL('../dist/bundles', import.meta.url));
const app = createKestrelApp();
for (const env of allEnvironments()) new CatalogStack(app, { env, bundlesDir });
app.synth();
