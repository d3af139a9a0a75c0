// Synthesizes the platform stack for every environment:
// cdktf.out/stacks/platform-<env>/cdk.tf.json
import { allEnvironments, createKestrelApp } from '@kestrel/infra-constructs';
import { PlatformStack } from './src/platform.stack';

const app = createKestrelApp();
for (const env of allEnvironments()) {
  new PlatformStack(app, { env });
}
app.synth();
