import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalCloud } from '../../src/cloud';
import { createSsmModule } from '../../src/services/ssm';
import type { EventPublisher, LocalServiceFactory, LocalServiceModule } from '../../src/core/types';

/** A module that provides the `events` peer and records what it was given. */
function eventsProvider(name: string, published: unknown[][] = []): LocalServiceFactory {
  const publisher: EventPublisher = {
    async putEvents(entries) {
      published.push(entries);
      return { FailedEntryCount: 0, Entries: entries.map((_entry, index) => ({ EventId: `event-${index}` })) };
    },
  };
  return (): LocalServiceModule => ({ name, handlers: [], provisioners: [], state: [], provides: { events: publisher }, async stop() {} });
}

/** A module that, once started, reaches its peers through the context it was built with. */
const peerUser: LocalServiceFactory = (context) => ({
  name: 'peer-user',
  handlers: [],
  provisioners: [],
  state: [
    {
      stateKey: 'peerCheck',
      async describe() {
        const events = await context.peers.events().putEvents([{ Source: 'kestrel.test', DetailType: 'Ping', Detail: '{}' }]);
        let lambda: string;
        try {
          context.peers.lambda();
          lambda = 'available';
        } catch (error) {
          lambda = (error as Error).message;
        }
        return { events: events.FailedEntryCount, lambda };
      },
    },
  ],
  async stop() {},
});

describe('local cloud composition', () => {
  it('wires peers lazily to the module that provides them and explains a missing one', async () => {
    // prepare
    const published: unknown[][] = [];
    const cloud = await startLocalCloud({ inMemory: true, modules: [peerUser, eventsProvider('events-stand-in', published), createSsmModule] });
    try {
      // act
      const state = await cloud.state();
      // assess
      expect(state.peerCheck).toEqual({ events: 0, lambda: "No running module provides 'lambda' (running: peer-user, events-stand-in, ssm)" });
      expect(published).toEqual([[{ Source: 'kestrel.test', DetailType: 'Ping', Detail: '{}' }]]);
    } finally {
      await cloud.stop();
    }
  });

  it('refuses two modules providing the same peer', async () => {
    // act
    const failure = await startLocalCloud({ inMemory: true, modules: [eventsProvider('first'), eventsProvider('second')] }).catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toBe("Two modules provide 'events' (the second is 'second')");
  });

  it('serves modules at its endpoint and removes its throw-away data dir on stop', async () => {
    // prepare
    const cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule] });
    const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDANY', secretAccessKey: 'any' } });
    // act
    const missing = await ssm.send(new GetParameterCommand({ Name: '/nope' })).catch((error: unknown) => error);
    await cloud.stop();
    // assess
    expect(missing).toMatchObject({ name: 'ParameterNotFound' });
    expect(existsSync(cloud.dataDir)).toBe(false);
  });

  it('stops the modules that started when another fails to start', async () => {
    // prepare
    const stopped: string[] = [];
    const healthy: LocalServiceFactory = () => ({ name: 'healthy', handlers: [], provisioners: [], state: [], async start() {}, async stop() { stopped.push('healthy'); } });
    const failing: LocalServiceFactory = () => ({ name: 'failing', handlers: [], provisioners: [], state: [], async start() { throw new Error('java not found'); }, async stop() { stopped.push('failing'); } });
    // act
    const failure = await startLocalCloud({ inMemory: true, modules: [healthy, failing] }).catch((error: unknown) => error);
    // assess
    expect((failure as Error).message).toBe('The local cloud could not start:\n  failing: java not found');
    expect(stopped).toEqual(['healthy']);
  });

  it('answers /_local/health 503 until every expected stack is applied, 200 after, and 503 naming a stack that failed', async () => {
    // prepare: two stacks of SSM parameters; the second reads one nobody publishes
    const root = mkdtempSync(join(tmpdir(), 'readiness-'));
    const stackDir = (name: string, document: Record<string, unknown>) => {
      const dir = join(root, name);
      mkdirSync(dir);
      writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ '//': { metadata: { stackName: name } }, ...document }));
      return dir;
    };
    const good = stackDir('good', { resource: { aws_ssm_parameter: { p: { name: '/good', type: 'String', value: 'v' } } } });
    const broken = stackDir('broken', { data: { aws_ssm_parameter: { missing: { name: '/nobody/publishes/this' } } } });
    const cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule], expectStacks: ['good', 'broken'] });
    const health = async () => {
      const response = await fetch(`${cloud.endpoint}/_local/health`);
      return { status: response.status, body: (await response.json()) as { ready: boolean; status: string; stacks: Array<{ name: string; status: string; error?: string }> } };
    };
    try {
      // act
      const before = await health();
      await cloud.applyStacks([good]);
      const halfway = await health();
      const failure = (await cloud.applyStacks([broken]).catch((error: unknown) => error)) as Error;
      const failed = await health();
      const state = await cloud.state();
      // assess
      expect(before).toMatchObject({ status: 503, body: { ready: false, status: 'starting', stacks: [{ name: 'good', status: 'pending' }, { name: 'broken', status: 'pending' }] } });
      expect(halfway).toMatchObject({ status: 503, body: { ready: false, stacks: [{ name: 'good', status: 'applied' }, { name: 'broken', status: 'pending' }] } });
      expect(failed.status).toBe(503);
      expect(failed.body).toMatchObject({ ready: false, status: 'failed', stacks: [{ name: 'good', status: 'applied' }, { name: 'broken', status: 'failed', error: failure.message }] });
      expect(failure.message).toContain("SSM parameter '/nobody/publishes/this' does not exist");
      expect(state).toMatchObject({ ready: false, stacks: [{ name: 'good', status: 'applied' }, { name: 'broken', status: 'failed', resources: [] }] });

      // act: the missing parameter appears, the stack is applied again
      writeFileSync(join(broken, 'cdk.tf.json'), JSON.stringify({ '//': { metadata: { stackName: 'broken' } } }));
      await cloud.applyStacks([broken]);
      // assess
      expect(await health()).toMatchObject({ status: 200, body: { ready: true, status: 'ready' } });
      expect(await cloud.state()).toMatchObject({ ready: true });
    } finally {
      await cloud.stop();
    }
  });
});
