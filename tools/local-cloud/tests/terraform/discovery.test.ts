import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { orderBySsmParameters, ssmParameterEdges, type DiscoveredStack } from '../../src/terraform/discovery';

/** A stack folder whose cdk.tf.json publishes `writes` and reads `reads` as SSM parameters. */
function stack(name: string, writes: string[], reads: string[]): DiscoveredStack {
  const dir = mkdtempSync(join(tmpdir(), `discovery-${name}-`));
  const block = (names: string[]) => Object.fromEntries(names.map((parameter, i) => [`p${i}`, { name: parameter }]));
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ resource: { aws_ssm_parameter: block(writes) }, data: { aws_ssm_parameter: block(reads) } }));
  return { name, dir };
}

describe('apply order of discovered stacks', () => {
  it('applies a stack after every stack that publishes a parameter it reads', () => {
    // prepare: discovery order is alphabetical within apps/, which would apply customers before identity
    const platform = stack('platform-staging', ['/kestrel/staging/platform/event-bus-name'], []);
    const customers = stack('customers-staging', [], ['/kestrel/staging/platform/event-bus-name', '/kestrel/staging/identity/user-pool-issuer']);
    const identity = stack('identity-staging', ['/kestrel/staging/identity/user-pool-issuer'], ['/kestrel/staging/platform/event-bus-name']);
    // act
    const order = orderBySsmParameters([customers, identity, platform]).map((s) => s.name);
    // assess
    expect(order).toEqual(['platform-staging', 'identity-staging', 'customers-staging']);
  });

  it('keeps the discovery order where no parameter links two stacks', () => {
    const a = stack('a', [], ['/external/one']);
    const b = stack('b', ['/b/own'], ['/b/own']);
    expect(orderBySsmParameters([a, b]).map((s) => s.name)).toEqual(['a', 'b']);
  });

  it('names the stacks of a cycle', () => {
    const a = stack('a', ['/a'], ['/b']);
    const b = stack('b', ['/b'], ['/a']);
    expect(() => orderBySsmParameters([a, b])).toThrow('Stacks read each other\'s SSM parameters in a cycle, so none can be applied first: a, b');
  });

  it('ignores parameter names computed at apply time', () => {
    const dir = stack('x', ['${var.prefix}/name'], ['/literal']).dir;
    expect(ssmParameterEdges(dir)).toEqual({ writes: [], reads: ['/literal'] });
  });
});
