/**
 * Test harness: the edge server with the given service modules, a context
 * whose peers resolve to whatever module provides them, and SDK client
 * settings pointing at it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEdgeServer, type EdgeServer } from '../../src/edge/server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../../src/core/types';
import type { LocalCloudContext, LocalServiceModule, PeerProviders, Peers, ResolvedResource } from '../../src/core/types';

export const clientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
});

export interface Harness {
  edge: EdgeServer;
  context: LocalCloudContext;
  modules: LocalServiceModule[];
  /** Restart with the same data dir (modules built afresh from disk). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

type Factory = (context: LocalCloudContext) => LocalServiceModule;

/**
 * @param extraPeers peers provided by test doubles (e.g. a scripted LambdaInvoker), winning over modules.
 */
export async function startHarness(factories: Factory[], options: { dataDir?: string; extraPeers?: PeerProviders } = {}): Promise<Harness> {
  const edge = await startEdgeServer({ port: 0 });
  let modules: LocalServiceModule[] = [];
  const peer = <K extends keyof PeerProviders>(key: K): NonNullable<PeerProviders[K]> => {
    const provided = options.extraPeers?.[key] ?? modules.find((module) => module.provides?.[key])?.provides?.[key];
    if (!provided) throw new Error(`no module provides the ${key} peer`);
    return provided as NonNullable<PeerProviders[K]>;
  };
  const peers: Peers = { lambda: () => peer('lambda'), sqs: () => peer('sqs'), events: () => peer('events'), firehose: () => peer('firehose') };
  const context: LocalCloudContext = {
    accountId: LOCAL_ACCOUNT_ID,
    region: LOCAL_REGION,
    endpoint: edge.endpoint,
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'local-cloud-test-')),
    peers,
    log: () => undefined,
  };
  const build = async () => {
    modules = factories.map((factory) => factory(context));
    for (const module of modules) await module.start?.();
    edge.setModules(modules);
  };
  await build();
  const stopModules = async () => {
    for (const module of [...modules].reverse()) await module.stop();
  };
  return {
    edge,
    context,
    get modules() {
      return modules;
    },
    async restart() {
      await stopModules();
      await build();
    },
    async stop() {
      await stopModules();
      await edge.close();
    },
  };
}

/**
 * Applies one resource through whichever module provisions its type, as the
 * Terraform interpreter would (attributes already resolved).
 *
 * @example
 * const api = await applyResource(harness.modules, { stack: 'catalog', type: 'aws_apigatewayv2_api', name: 'http', address: 'aws_apigatewayv2_api.http', config, stackDir });
 */
export async function applyResource(modules: readonly LocalServiceModule[], resource: ResolvedResource): Promise<Record<string, unknown>> {
  const provisioner = modules.flatMap((module) => module.provisioners).find((candidate) => candidate.type === resource.type);
  if (!provisioner) throw new Error(`no running module provisions ${resource.type}`);
  return provisioner.apply(resource);
}
