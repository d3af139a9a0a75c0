/**
 * One local cloud as its own process, for the crash suite to `kill -9`:
 * starts the modules the crash stack needs on a fixed port and data dir
 * (persistent, as `npm start` runs), applies the stack (again after each
 * restart, as `npm start` does), prints `READY <endpoint>` and runs until
 * killed. SIGTERM stops it cleanly.
 *
 * With the outbox stack (a second stack folder), DynamoDB Local and Pipes run
 * too, and READY waits until the outbox pipe has taken its starting position
 * (LATEST), so no item written after READY is skipped.
 *
 * Usage: node --import tsx runner.ts <port> <dataDir> <recordFile> <stackDir> [outboxStackDir]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCloud } from '../../src/cloud';
import { createDynamoDbModule } from '../../src/services/dynamodb';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { createFirehoseModule } from '../../src/services/firehose';
import { createLambdaModule } from '../../src/services/lambda';
import { createPipesModule } from '../../src/services/pipes';
import { createS3Module } from '../../src/services/s3';
import { createSqsModule } from '../../src/services/sqs';
import { createSsmModule } from '../../src/services/ssm';

async function main(): Promise<void> {
  const [port, dataDir, recordFile, ...stackDirs] = process.argv.slice(2);
  if (!port || !dataDir || !recordFile || stackDirs.length === 0) throw new Error('usage: runner.ts <port> <dataDir> <recordFile> <stackDir> [outboxStackDir]');
  const outbox = stackDirs.length > 1;
  const cloud = await startLocalCloud({
    port: Number(port),
    dataDir,
    modules: [
      createSsmModule,
      createS3Module,
      createLambdaModule,
      createSqsModule,
      createEventBridgeModule,
      createFirehoseModule,
      ...(outbox ? [createDynamoDbModule, createPipesModule] : []),
    ],
    log: (message, fields) => process.stderr.write(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
  });
  process.on('SIGTERM', () => {
    void cloud.stop().then(() => process.exit(0));
  });
  await cloud.applyStacks(stackDirs, { record_file: recordFile });
  if (outbox) await pipeInitialized(join(dataDir, 'pipes', 'checkpoints.json'), 'crash-outbox');
  process.stdout.write(`READY ${cloud.endpoint}\n`);
}

/** Waits until the pipe's checkpoint says it has applied its starting position. */
async function pipeInitialized(checkpoints: string, pipe: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((JSON.parse(readFileSync(checkpoints, 'utf8')) as Record<string, { initialized?: boolean }>)[pipe]?.initialized) return;
    } catch {
      // Not written yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pipe ${pipe} did not initialize within 60 s (${checkpoints})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`crash runner: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
