/**
 * The composition root of the local cloud: binds the edge endpoint, builds
 * every service module with a shared context (whose `peers` find the module
 * that provides Lambda, SQS, EventBridge or Firehose lazily), starts the real
 * components, and applies synthesized stacks through the modules' provisioners.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_STOP_ORDER, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './core/types';
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule, PeerProviders, Peers } from './core/types';
import { collectState, startEdgeServer } from './edge/server';
import { exposureWarning, resolveListenHost } from './core/listen-host';
import { TerraformEngine } from './terraform/engine';
import type { ApplyReport, StackState } from './terraform/engine';
import { createDynamoDbModule } from './services/dynamodb';
import { createS3Module } from './services/s3';
import { createCognitoModule } from './services/cognito';
import { createSsmModule } from './services/ssm';
import { createLambdaModule } from './services/lambda';
import { createSqsModule } from './services/sqs';
import { createEventBridgeModule } from './services/eventbridge';
import { createFirehoseModule } from './services/firehose';
import { createPipesModule } from './services/pipes';
import { createApiGatewayModule } from './services/apigateway';
import { createLogsModule } from './services/logs';
import { createSesModule } from './services/ses';
import { createStsModule } from './services/sts';
import { iamModeFrom, LocalIam } from './iam/authorizer';
import type { DenialRecord, IamMode } from './iam/authorizer';

/**
 * THE list of service modules a default local cloud runs. A new emulated
 * service (Firehose, Pipes, API Gateway…) is registered here and nowhere else.
 */
export const DEFAULT_MODULES: readonly LocalServiceFactory[] = [
  createSsmModule,
  createDynamoDbModule,
  createS3Module,
  createCognitoModule,
  createLambdaModule,
  createSqsModule,
  createEventBridgeModule,
  createFirehoseModule,
  createPipesModule,
  createApiGatewayModule,
  createLogsModule,
  createSesModule,
  createStsModule,
];

const stopOrderOf = (module: LocalServiceModule) => module.stopOrder ?? DEFAULT_STOP_ORDER;

export interface LocalCloudOptions {
  /** Edge port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default `LOCAL_CLOUD_HOST`, else 127.0.0.1 (a warning is logged when it is not loopback). */
  host?: string;
  /** Root of persisted state; required unless `inMemory` (which uses a throw-away folder). */
  dataDir?: string;
  /** Modules to run (default `DEFAULT_MODULES`). */
  modules?: readonly LocalServiceFactory[];
  /** Tests: nothing persists, DynamoDB Local runs `-inMemory`. */
  inMemory?: boolean;
  region?: string;
  accountId?: string;
  /** IAM at the edge (with the sts module): `enforce` (default), `warn` (log only) or `off`; default `LOCAL_CLOUD_IAM`. */
  iam?: IamMode;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface LocalCloud {
  /** `http://127.0.0.1:<port>`: set as `AWS_ENDPOINT_URL` for SDK clients and the AWS CLI. */
  endpoint: string;
  port: number;
  dataDir: string;
  context: LocalCloudContext;
  modules: readonly LocalServiceModule[];
  /** Applies synthesized stack folders (`…/cdktf.out/stacks/<stack>`) in the order given. */
  applyStacks(stackDirs: readonly string[], variables?: Record<string, unknown>): Promise<ApplyReport[]>;
  /** The `/_local/state` document. */
  state(): Promise<Record<string, unknown>>;
  stacks(): StackState[];
  /**
   * Calls IAM refused (or, with LOCAL_CLOUD_IAM=warn, would have refused) since start, each with the
   * smallest statement that would allow it; `[]` without the sts module. Cloud tests assert it stays empty,
   * so a missing grant fails them naming the permission.
   */
  iamDenials(): DenialRecord[];
  stop(): Promise<void>;
}

const PEER_NAMES = ['lambda', 'sqs', 'events', 'firehose'] as const;

/**
 * Starts a local cloud.
 *
 * @example
 * const cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule, createDynamoDbModule] });
 * const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'us-east-1' });
 * await cloud.applyStacks(['infra/platform/cdktf.out/stacks/platform-staging']);
 * await cloud.stop();
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const log = options.log ?? (() => undefined);
  const temporary = options.inMemory && !options.dataDir ? mkdtempSync(join(tmpdir(), 'local-cloud-')) : undefined;
  const dataDir = options.dataDir ?? temporary;
  if (!dataDir) throw new Error('startLocalCloud: dataDir is required unless inMemory is set');
  mkdirSync(dataDir, { recursive: true });

  const host = resolveListenHost(options.host);
  if (!host.loopback) log(exposureWarning(host));
  let engine: TerraformEngine | undefined;
  // IAM needs the sts module (roles and policies are its resources); clouds built without it allow every call.
  const factories = options.modules ?? DEFAULT_MODULES;
  const iam = factories.includes(createStsModule)
    ? new LocalIam({
        accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
        region: options.region ?? LOCAL_REGION,
        mode: options.iam ?? iamModeFrom(process.env.LOCAL_CLOUD_IAM),
        denialLog: join(dataDir, 'logs', 'iam-denials.log'),
        log,
      })
    : undefined;
  const edge = await startEdgeServer({
    host: host.bind,
    port: options.port ?? 0,
    extraState: () => ({ stacks: summarizeStacks(engine?.state() ?? []) }),
    log,
    ...(iam ? { authorize: (request) => iam.authorize(request) } : {}),
  });

  let modules: LocalServiceModule[] = [];
  const providers: PeerProviders = {};
  const peer = <K extends keyof PeerProviders>(name: K): NonNullable<PeerProviders[K]> => {
    const provider = providers[name];
    if (!provider) throw new Error(`No running module provides '${name}' (running: ${modules.map((module) => module.name).join(', ')})`);
    return provider as NonNullable<PeerProviders[K]>;
  };
  const peers: Peers = {
    lambda: () => peer('lambda'),
    sqs: () => peer('sqs'),
    events: () => peer('events'),
    firehose: () => peer('firehose'),
  };
  const context: LocalCloudContext = {
    accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
    region: options.region ?? LOCAL_REGION,
    endpoint: edge.endpoint,
    listenHost: host.bind,
    dataDir,
    inMemory: options.inMemory,
    peers,
    ...(iam ? { iam } : {}),
    log,
  };

  const started: LocalServiceModule[] = [];
  const stopAll = async () => {
    // In stop-order phases (pollers and listeners, then buffers, then stores), each phase
    // concurrently; one module failing to stop must not leave the others running.
    const phases = [...new Set(started.map(stopOrderOf))].sort((a, b) => a - b);
    for (const phase of phases) {
      const results = await Promise.allSettled(started.filter((module) => stopOrderOf(module) === phase).map((module) => module.stop()));
      for (const result of results) if (result.status === 'rejected') log(`local-cloud: a module failed to stop: ${String(result.reason)}`);
    }
    await edge.close();
    if (temporary) rmSync(temporary, { recursive: true, force: true });
  };

  try {
    modules = factories.map((factory) => factory(context));
    for (const module of modules) {
      for (const name of PEER_NAMES) {
        const provided = module.provides?.[name];
        if (!provided) continue;
        if (providers[name]) throw new Error(`Two modules provide '${name}' (the second is '${module.name}')`);
        (providers as Record<string, unknown>)[name] = provided;
      }
    }
    edge.setModules(modules);
    // Real components (JVM, Node children) start in parallel: startup time is the slowest, not the sum.
    const results = await Promise.allSettled(
      modules.map(async (module) => {
        await module.start?.();
        started.push(module);
      }),
    );
    const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [`${modules[index]?.name}: ${(result.reason as Error).message}`] : []));
    if (failures.length) throw new Error(`The local cloud could not start:\n  ${failures.join('\n  ')}`);
    engine = new TerraformEngine({
      accountId: context.accountId,
      region: context.region,
      provisioners: modules.flatMap((module) => module.provisioners),
      dataSources: modules.flatMap((module) => module.dataSources ?? []),
      stateDir: options.inMemory ? undefined : join(dataDir, 'terraform'),
      log,
    });
  } catch (error) {
    await stopAll();
    throw error;
  }

  const activeEngine = engine;
  return {
    endpoint: edge.endpoint,
    port: edge.port,
    dataDir,
    context,
    modules,
    applyStacks: async (stackDirs, variables) => {
      const reports: ApplyReport[] = [];
      for (const stackDir of stackDirs) {
        const report = await activeEngine.applyStack(stackDir, variables);
        for (const module of modules) await module.afterStackApplied?.(report);
        reports.push(report);
      }
      return reports;
    },
    state: () => collectState(modules, () => ({ stacks: summarizeStacks(activeEngine.state()) })),
    stacks: () => activeEngine.state(),
    iamDenials: () => iam?.denialRecords() ?? [],
    stop: stopAll,
  };
}

/** The `stacks` part of `/_local/state`: what each stack's resources became locally. */
export function summarizeStacks(stacks: readonly StackState[]) {
  return stacks.map((stack) => ({
    name: stack.name,
    stackDir: stack.stackDir,
    appliedAt: stack.appliedAt,
    providerRegion: stack.providerRegion,
    outputs: stack.outputs,
    resources: stack.resources.map((resource) => ({ address: resource.address, status: resource.status, id: resource.attributes.id, arn: resource.attributes.arn })),
    notEmulated: stack.notEmulated,
    recorded: stack.recorded,
  }));
}
