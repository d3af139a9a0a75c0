import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startLocalCloud } from '../../src/cloud';
import type { LocalCloud } from '../../src/cloud';
import { createSsmModule } from '../../src/services/ssm';
import { createEventBridgeModule } from '../../src/services/eventbridge';
import { discoverStacks } from '../../src/terraform/discovery';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const platformOut = join(repoRoot, 'infra', 'platform', 'cdktf.out');
const credentials = { accessKeyId: 'AKIDANY', secretAccessKey: 'any' };

// The synthesized platform stack exists once `nx run platform:synth` has run (npm test runs synth too).
describe.skipIf(!existsSync(platformOut))('the real synthesized platform stack', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud({ inMemory: true, modules: [createSsmModule, createEventBridgeModule] });
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('applies with every resource emulated or recorded, publishing the bus through SSM', async () => {
    // prepare
    const [stack] = discoverStacks([platformOut], 'staging');
    // act
    const [report] = await cloud.applyStacks([stack!.dir]);
    const again = await cloud.applyStacks([stack!.dir]);
    // assess
    expect(report!.notEmulated).toEqual([]);
    const busName = String(report!.outputs['event-bus-name']);
    expect(busName).toMatch(/^kestrel-staging-/);
    const ssm = new SSMClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    const parameter = await ssm.send(new GetParameterCommand({ Name: '/kestrel/staging/platform/event-bus-name' }));
    expect(parameter.Parameter?.Value).toBe(busName);
    const events = new EventBridgeClient({ endpoint: cloud.endpoint, region: 'eu-west-1', credentials });
    const bus = await events.send(new DescribeEventBusCommand({ Name: busName }));
    expect(bus.Arn).toBe(report!.outputs['event-bus-arn']);
    expect(again[0]!.resources.map((resource) => resource.attributes.arn)).toEqual(report!.resources.map((resource) => resource.attributes.arn));
    const state = await cloud.state();
    expect(state.stacks).toEqual([expect.objectContaining({ name: stack!.name, notEmulated: [] })]);
  });
});
