import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { startLocalCloud } from '@kestrel/local-cloud';
import { platformBusName } from '@kestrel/infra-constructs/platform-parameters';
import { repairClients } from '../ops/repair';
import { synthDrillStack } from './drill-stack';
import type { GameDayContext } from './gameday';

/**
 * A local cloud (in memory) with the synthesized platform stack and the drill service applied,
 * as Terraform would apply them, and SDK clients pointed at it.
 */
export async function startDrillCloud(workspaceRoot: string, options: { port?: number } = {}): Promise<{ context: GameDayContext; stop: () => Promise<void> }> {
  const platformStack = join(workspaceRoot, 'infra/platform/cdktf.out/stacks/platform-staging');
  if (!existsSync(join(platformStack, 'cdk.tf.json'))) throw new Error(`${platformStack} is missing: run npx nx run platform:synth`);
  const drillDir = mkdtempSync(join(tmpdir(), 'kestrel-gameday-'));
  const drillStack = await synthDrillStack(drillDir);
  const cloud = await startLocalCloud({ inMemory: true, ...(options.port ? { port: options.port } : {}) });
  try {
    await cloud.applyStacks([platformStack]);
    await cloud.applyStacks([drillStack]);
  } catch (error) {
    await cloud.stop();
    throw error;
  }
  const config = { endpoint: cloud.endpoint, region: cloud.context.region, credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' } };
  const clients = repairClients(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const ssm = new SSMClient(config);
  const logs = new CloudWatchLogsClient(config);
  return {
    context: { clients, s3, ssm, logs, endpoint: cloud.endpoint, drillStack, drillDir, busName: platformBusName('staging') },
    stop: async () => {
      for (const client of [s3, ssm, logs, clients.sqs, clients.events, clients.lambda]) client.destroy();
      await cloud.stop();
      rmSync(drillDir, { recursive: true, force: true });
    },
  };
}
