// Synthesizes the platform stack for every environment:
// cdktf.out/stacks/platform-<env>/cdk.tf.json
import { allEnvironments } from '@kestrel/infra-constructs/environments';
import { createKestrelApp } from '@kestrel/infra-constructs/app';
import { PlatformStack } from './src/platform.stack';

const app = createKestrelApp();
for (const env of allEnvironments()) {
  new PlatformStack(app, { env });
}
app.synth();
