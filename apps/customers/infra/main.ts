// Synthesizes the customers stack for every environment:
// cdktf.out/stacks/customers-<env>/cdk.tf.json (needs `nx run customers:bundle` first; `nx run customers:synth` does both)
import { fileURLToPath } from 'node:url';
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { CustomersStack } from './customers.stack';

const bundlesDir = fileURLToPath(new URL('../dist/bundles', import.meta.url));
const app = createKestrelApp();
for (const env of allEnvironments()) {
  new CustomersStack(app, { env, bundlesDir });
}
app.synth();
