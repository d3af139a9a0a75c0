// Synthesizes the bootstrap stack for every environment (one per AWS account):
// cdktf.out/stacks/bootstrap-<env>/cdk.tf.json. Applied by hand with admin
// credentials (docs/delivery.md#bootstrapping-an-aws-account).
// KESTREL_BOOTSTRAP_BACKEND=s3 once the state bucket exists and the local state
// has been migrated into it.
import { fileURLToPath } from 'node:url';
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { BootstrapStack } from './src/bootstrap.stack';
import type { BootstrapBackend } from './src/bootstrap.stack';
import { discoverServices } from './src/services';

const backend = (process.env.KESTREL_BOOTSTRAP_BACKEND ?? 'local') as BootstrapBackend;
if (backend !== 'local' && backend !== 's3') {
  throw new Error(`KESTREL_BOOTSTRAP_BACKEND must be "local" or "s3", got "${String(backend)}"`);
}
const services = await discoverServices(fileURLToPath(new URL('../..', import.meta.url)));
const app = createKestrelApp();
for (const env of allEnvironments()) {
  new BootstrapStack(app, { env, services, backend });
}
app.synth();
