// Synthesizes identity for every environment:
// cdktf.out/stacks/identity-<env>/cdk.tf.json (needs `nx run identity:bundle` first)
import { fileURLToPath } from 'node:url';
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { IdentityStack } from './identity.stack';

const bundlesDir = fileURLToPath(new URL('../dist/bundles', import.meta.url));
const app = createKestrelApp();
for (const env of allEnvironments()) {
  new IdentityStack(app, { env, bundlesDir });
}
app.synth();
