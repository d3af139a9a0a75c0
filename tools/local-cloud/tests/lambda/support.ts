/**
 * Test support for the Lambda module: the fixture bundle built with esbuild
 * into a synthesized-stack layout (`assets/<id>/<hash>/archive.zip` and a
 * bundle directory), a context with recording peers, and resource builders.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../src/core/types';
import type {
  EventPublisher,
  LambdaInvoker,
  LocalCloudContext,
  MessageAttributeValue,
  PutEventsEntry,
  QueueSender,
  ResolvedResource,
} from '../../src/core/types';
import { lambdaModuleFactory } from '../../src/services/lambda';
import type { LambdaModule, LambdaModuleOptions } from '../../src/services/lambda';

const fixtures = {
  handler: fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url)),
  sdk: fileURLToPath(new URL('./fixtures/sdk-handler.ts', import.meta.url)),
};

export interface FixtureStack {
  /** The synthesized stack folder assets are relative to. */
  stackDir: string;
  /** `assets/fixture/<hash>/archive.zip`, relative to the stack folder. */
  zipAsset: string;
  /** `assets/fixture-dir/<hash>`: the bundle as a directory asset. */
  directoryAsset: string;
  /** A scratch folder for data dirs and the like, removed by `cleanup`. */
  root: string;
  cleanup(): void;
}

export interface FixtureBuild {
  format?: 'esm' | 'cjs';
  entry?: keyof typeof fixtures;
  /** Minified with a separate `.map` file, as a production bundle ships (default: readable, inline map). */
  production?: boolean;
}

/**
 * Bundles a fixture handler (by default as an ES module, `index.mjs`, the way
 * service bundles ship) and lays it out as cdktn would.
 */
export async function buildFixtureStack(options: FixtureBuild = {}): Promise<FixtureStack> {
  const { format = 'esm', entry = 'handler', production = false } = options;
  const root = mkdtempSync(join(tmpdir(), 'lambda-fixture-'));
  const stackDir = join(root, 'stacks', 'fixture');
  const fileName = format === 'esm' ? 'index.mjs' : 'index.js';
  const result = await build({
    entryPoints: [fixtures[entry]],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format,
    minify: production,
    sourcemap: production ? 'external' : 'inline',
    // ESM bundles of CommonJS packages (the AWS SDK) need a real `require` for Node built-ins.
    banner: format === 'esm' ? { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" } : {},
    write: false,
    outdir: join(root, 'out'),
    outExtension: { '.js': format === 'esm' ? '.mjs' : '.js' },
    entryNames: 'index',
  });
  const files = Object.fromEntries((result.outputFiles ?? []).map((file) => [basename(file.path), file.contents]));
  if (!files[fileName]) throw new Error(`esbuild produced no ${fileName}`);
  const zipAsset = `assets/fixture/HASH${format}/archive.zip`;
  mkdirSync(join(stackDir, 'assets', 'fixture', `HASH${format}`), { recursive: true });
  writeFileSync(join(stackDir, zipAsset), zipSync(files));
  const directoryAsset = `assets/fixture-dir/HASH${format}`;
  mkdirSync(join(stackDir, directoryAsset), { recursive: true });
  for (const [name, contents] of Object.entries(files)) writeFileSync(join(stackDir, directoryAsset, name), contents);
  return { stackDir, zipAsset, directoryAsset, root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface SentMessage {
  queue: string;
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
}

/** A QueueSender that records what it is sent. */
export class RecordingQueues implements QueueSender {
  readonly sent: SentMessage[] = [];
  async sendMessage(queue: string, body: string, attributes?: Record<string, MessageAttributeValue>) {
    this.sent.push({ queue, body, attributes });
    return { messageId: `m-${this.sent.length}` };
  }
  queueExists(): boolean {
    return true;
  }
  to(queue: string): SentMessage[] {
    return this.sent.filter((message) => message.queue === queue);
  }
}

/** An EventPublisher that records entries. */
export class RecordingBus implements EventPublisher {
  readonly entries: PutEventsEntry[] = [];
  async putEvents(entries: PutEventsEntry[]) {
    this.entries.push(...entries);
    return { FailedEntryCount: 0, Entries: entries.map((_, index) => ({ EventId: `e-${this.entries.length + index}` })) };
  }
}

export interface TestCloud {
  module: LambdaModule;
  context: LocalCloudContext;
  queues: RecordingQueues;
  bus: RecordingBus;
  logs: Array<{ message: string; fields?: Record<string, unknown> }>;
  dataDir: string;
  apply(type: string, name: string, config: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Applies an `aws_lambda_function` with the fixture bundle. */
  deployFunction(name: string, config?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The parsed JSON lines of a function's log file. */
  readLog(functionName: string): Promise<Array<Record<string, unknown>>>;
  stop(): Promise<void>;
}

export function resource(stackDir: string, type: string, name: string, config: Record<string, unknown>): ResolvedResource {
  return { stack: 'fixture', type, name, address: `${type}.${name}`, config, stackDir };
}

/** A Lambda module on its own, with recording SQS/EventBridge peers. */
export function createTestCloud(stack: FixtureStack, options: LambdaModuleOptions = {}, endpoint = 'http://127.0.0.1:4566'): TestCloud {
  const dataDir = mkdtempSync(join(stack.root, 'data-'));
  const queues = new RecordingQueues();
  const bus = new RecordingBus();
  const logs: TestCloud['logs'] = [];
  const peer: { invoker?: LambdaInvoker } = {};
  const context: LocalCloudContext = {
    accountId: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    endpoint,
    dataDir,
    peers: {
      lambda: () => {
        if (!peer.invoker) throw new Error('lambda peer not ready');
        return peer.invoker;
      },
      sqs: () => queues,
      events: () => bus,
      firehose: () => {
        throw new Error('firehose is not running in this test');
      },
    },
    log: (message, fields) => logs.push({ message, fields }),
  };
  const module = lambdaModuleFactory({ runtimes: { fetchMissing: true }, ...options })(context);
  peer.invoker = module.provides.lambda;
  const provisioner = (type: string) => {
    const found = module.provisioners.find((candidate) => candidate.type === type);
    if (!found) throw new Error(`no provisioner for ${type}`);
    return found;
  };
  const apply = (type: string, name: string, config: Record<string, unknown>) => provisioner(type).apply(resource(stack.stackDir, type, name, config));
  return {
    module,
    context,
    queues,
    bus,
    logs,
    dataDir,
    apply,
    deployFunction: (name, config = {}) =>
      apply('aws_lambda_function', name, { function_name: name, handler: 'index.handler', runtime: 'nodejs24.x', filename: stack.zipAsset, role: 'arn:aws:iam::000000000000:role/test', ...config }),
    async readLog(functionName) {
      await module.service.registry.get(functionName)?.flushLog();
      const text = readFileSync(join(dataDir, 'lambda', 'logs', `${functionName}.log`), 'utf8');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    stop: () => module.stop(),
  };
}

/** Invokes synchronously and parses the payload. */
export async function invokeJson(cloud: TestCloud, functionName: string, event: unknown, options: { tail?: boolean } = {}) {
  const result = await cloud.module.service.invokeSync(functionName, JSON.stringify(event), options);
  return { ...result, body: JSON.parse(result.payload) as Record<string, unknown> };
}
