/**
 * One local cloud as its own process, for the crash suite to `kill -9`:
 * starts the modules the crash stack needs on a fixed port and data dir
 * (persistent, as `npm start` runs), applies the stack (again after each
 * restart, as `npm start` does), prints `READY <endpoint>` and runs until
 * killed. SIGTERM stops it cleanly.
 *
 * Usage: node --import tsx runner.ts <port> <dataDir> <stackDir> <recordFile>
 */
import { startLocalCloud } from '../../src/cloud';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { createFirehoseModule } from '../../src/services/firehose';
import { createLambdaModule } from '../../src/services/lambda';
import { createS3Module } from '../../src/services/s3';
import { createSqsModule } from '../../src/services/sqs';
import { createSsmModule } from '../../src/services/ssm';

async function main(): Promise<void> {
  const [port, dataDir, stackDir, recordFile] = process.argv.slice(2);
  if (!port || !dataDir || !stackDir || !recordFile) throw new Error('usage: runner.ts <port> <dataDir> <stackDir> <recordFile>');
  const cloud = await startLocalCloud({
    port: Number(port),
    dataDir,
    modules: [createSsmModule, createS3Module, createLambdaModule, createSqsModule, createEventBridgeModule, createFirehoseModule],
    log: (message, fields) => process.stderr.write(`${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
  });
  process.on('SIGTERM', () => {
    void cloud.stop().then(() => process.exit(0));
  });
  await cloud.applyStacks([stackDir], { record_file: recordFile });
  process.stdout.write(`READY ${cloud.endpoint}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`crash runner: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
