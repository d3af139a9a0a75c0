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
import { TerraformEngine, stackNameOf } from './terraform/engine';
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
import { Telemetry } from './core/telemetry';
import { createConsoleHandler } from './console/server';
import { TelemetryRecorder } from './console/recorder';

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
  /**
   * Names of the stacks this cloud is going to apply (`npm start` passes every discovered one):
   * until each is applied, `GET /_local/health` answers 503 and `/_local/state` says `ready: false`.
   */
  expectStacks?: readonly string[];
}

/** Where one stack is in this run: expected but not reached yet, being applied, applied, or failed (with why). */
export type StackStatus = 'pending' | 'applying' | 'applied' | 'failed';

export interface StackProgress {
  name: string;
  status: StackStatus;
  /** The apply error's message, for a failed stack. */
  error?: string;
}

/** What `GET /_local/health` answers: ready once every component started and every expected or applied stack is applied. */
export interface Readiness {
  ready: boolean;
  /** `ready`; `starting` while stacks are pending or applying; `failed` once one failed to apply. */
  status: 'ready' | 'starting' | 'failed';
  stacks: StackProgress[];
}

export interface LocalCloud {
  /** `http://127.0.0.1:<port>`: set as `AWS_ENDPOINT_URL` for SDK clients and the AWS CLI. */
  endpoint: string;
  port: number;
  dataDir: string;
  context: LocalCloudContext;
  modules: readonly LocalServiceModule[];
  /**
   * Applies synthesized stack folders (`…/cdktf.out/stacks/<stack>`) in the order given; the
   * first failure is thrown (and that stack is `failed` in `readiness()` until applied again).
   */
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
  /** Per-stack status of this run and whether everything is applied (`GET /_local/health`). */
  readiness(): Readiness;
  /** What the console shows: every event, outcome, invocation and HTTP request recorded since start. */
  recorder: TelemetryRecorder;
  stop(): Promise<void>;
}

const PEER_NAMES = ['lambda', 'sqs', 'events', 'firehose'] as const;

/**
 * Starts a local cloud.
 *
 * @example
 * const cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule, createDynamoDbModule] });
 * const ddb = new DynamoDBClient({ endpoint: cloud.endpoint, region: 'eu-west-1' });
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
  // The one region this cloud runs: every resource lives there (stacks of another region are refused at apply).
  const region = options.region ?? LOCAL_REGION;
  if (!host.loopback) log(exposureWarning(host));
  let engine: TerraformEngine | undefined;
  // IAM needs the sts module (roles and policies are its resources); clouds built without it allow every call.
  const factories = options.modules ?? DEFAULT_MODULES;
  const iam = factories.includes(createStsModule)
    ? new LocalIam({
        accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
        region,
        mode: options.iam ?? iamModeFrom(process.env.LOCAL_CLOUD_IAM),
        denialLog: join(dataDir, 'logs', 'iam-denials.log'),
        log,
      })
    : undefined;
  const progress = new Map<string, StackProgress>((options.expectStacks ?? []).map((name) => [name, { name, status: 'pending' }]));
  // The edge answers before the real components are up: not ready until they are.
  let componentsStarted = false;
  const readiness = (): Readiness => {
    const stacks = [...progress.values()].map((entry) => ({ ...entry }));
    const status = stacks.some((entry) => entry.status === 'failed')
      ? 'failed'
      : componentsStarted && stacks.every((entry) => entry.status === 'applied')
        ? 'ready'
        : 'starting';
    return { ready: status === 'ready', status, stacks };
  };
  // `region` tells tools (npm run local:user) which region to sign for.
  const stateOfStacks = () => ({ region, ready: readiness().ready, stacks: summarizeStacks(engine?.state() ?? [], progress) });
  const edge = await startEdgeServer({
    host: host.bind,
    port: options.port ?? 0,
    extraState: stateOfStacks,
    readiness,
    log,
    region,
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
  const telemetry = new Telemetry();
  // Recording from the start, so the console shows what happened before it was opened (and in the last run).
  const recorder = new TelemetryRecorder(telemetry, { ...(options.inMemory ? {} : { dir: join(dataDir, 'console') }), log });
  const context: LocalCloudContext = {
    accountId: options.accountId ?? LOCAL_ACCOUNT_ID,
    region,
    endpoint: edge.endpoint,
    listenHost: host.bind,
    dataDir,
    inMemory: options.inMemory,
    peers,
    ...(iam ? { iam } : {}),
    telemetry,
    awaitingStacks: () => [...progress.values()].some((entry) => entry.status !== 'applied'),
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
    await recorder.close();
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
    edge.setLocalRoutes(
      createConsoleHandler({
        context,
        telemetry,
        recorder,
        modules: () => modules,
        state: () => collectState(modules, stateOfStacks),
        stacks: () => engine?.state() ?? [],
        readiness,
      }),
    );
    // In reverse stop order: the stores first (a restored pipe or Firehose buffer reaches DynamoDB
    // Local or s3rver on its first poll), then what writes to them. Within a phase in parallel
    // (the real components are all in the first one), so startup time is the slowest, not the sum.
    for (const phase of [...new Set(modules.map(stopOrderOf))].sort((a, b) => b - a)) {
      const inPhase = modules.filter((module) => stopOrderOf(module) === phase);
      const results = await Promise.allSettled(
        inPhase.map(async (module) => {
          await module.start?.();
          started.push(module);
        }),
      );
      const failures = results.flatMap((result, index) => (result.status === 'rejected' ? [`${inPhase[index]?.name}: ${(result.reason as Error).message}`] : []));
      if (failures.length) throw new Error(`The local cloud could not start:\n  ${failures.join('\n  ')}`);
    }
    componentsStarted = true;
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
  const applyStacks = async (stackDirs: readonly string[], variables?: Record<string, unknown>): Promise<ApplyReport[]> => {
    const reports: ApplyReport[] = [];
    for (const stackDir of stackDirs) {
      const name = stackNameOf(stackDir);
      progress.set(name, { name, status: 'applying' });
      iam?.noteStack(stackDir);
      try {
        const report = await activeEngine.applyStack(stackDir, variables);
        iam?.noteAppliedResources(stackDir, report.resources);
        // E.g. SSM plays the operator for the secrets the stack's operator-secrets output names.
        for (const module of modules) await module.afterStackApplied?.(report);
        reports.push(report);
        progress.set(name, { name, status: 'applied' });
      } catch (error) {
        progress.set(name, { name, status: 'failed', error: (error as Error).message });
        throw error;
      }
    }
    return reports;
  };
  return {
    endpoint: edge.endpoint,
    port: edge.port,
    dataDir,
    context,
    modules,
    applyStacks,
    state: () => collectState(modules, stateOfStacks),
    stacks: () => activeEngine.state(),
    readiness,
    iamDenials: () => iam?.denialRecords() ?? [],
    recorder,
    stop: stopAll,
  };
}

/**
 * The `stacks` part of `/_local/state`: what each stack's resources became locally, with its
 * `status` in this run (`previous-run` for state kept from an earlier run and not applied by this
 * one), plus the expected stacks not reached yet.
 */
export function summarizeStacks(stacks: readonly StackState[], progress: ReadonlyMap<string, StackProgress> = new Map()) {
  const known = new Set(stacks.map((stack) => stack.name));
  const notReached = [...progress.values()]
    .filter((entry) => !known.has(entry.name))
    .map((entry) => ({ name: entry.name, status: entry.status, error: entry.error, outputs: {}, resources: [], notEmulated: [], recorded: [] }));
  const applied = stacks.map((stack) => ({
    name: stack.name,
    status: progress.get(stack.name)?.status ?? ('previous-run' as const),
    error: progress.get(stack.name)?.error,
    stackDir: stack.stackDir,
    appliedAt: stack.appliedAt,
    providerRegion: stack.providerRegion,
    outputs: stack.outputs,
    resources: stack.resources.map((resource) => ({ address: resource.address, status: resource.status, id: resource.attributes.id, arn: resource.attributes.arn })),
    notEmulated: stack.notEmulated,
    recorded: stack.recorded,
  }));
  return [...applied, ...notReached];
}
