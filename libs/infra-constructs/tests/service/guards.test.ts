import { validatePolicy } from '@kestrel/iam';
import { describe, expect, it } from 'vitest';
import { Aspects, Fn, TerraformStack } from 'cdktn';
import { Construct } from 'constructs';
import type { IAspect } from 'cdktn';
import type { TerraformResource } from 'cdktn';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { DynamodbTable } from '@cdktn/provider-aws/lib/dynamodb-table';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktn/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { environment } from '../../src/environments';
import { KestrelStack } from '../../src/kestrel-stack';
import {
  EncryptionGuard,
  GuardViolationError,
  OnFailureDestinationGuard,
  PutEventsSourceConditionGuard,
  RoleBoundaryGuard,
  RuleTargetGuard,
  WILDCARD_ONLY_ACTIONS,
  WildcardDataResourceGuard,
  applyKestrelGuards,
} from '../../src/service/guards';
import { serviceRoleBoundaryArn } from '../../src/role-boundary';
import { synthStack, testApp } from '../../src/testing';

function guardedStack(guard?: IAspect): KestrelStack {
  const stack = new KestrelStack(testApp(), { stackName: 'broken', env: environment('staging'), service: 'broken', owner: 'team-broken' });
  if (guard) Aspects.of(stack).add(guard);
  else applyKestrelGuards(stack);
  return stack;
}

const address = (stack: KestrelStack, resource: TerraformResource) => `${resource.terraformResourceType}.${stack.getLogicalId(resource)}`;

/** The violations a synth reports, or [] when it passes. */
function violationsOf(stack: KestrelStack): string[] {
  try {
    synthStack(stack);
    return [];
  } catch (error) {
    if (!(error instanceof GuardViolationError)) throw error;
    return error.violations.map((v) => `[${v.guard}] ${v.address}: ${v.problem}`);
  }
}

const queue = (stack: KestrelStack, id: string) => new SqsQueue(stack, id, { name: `broken-${id}`, sqsManagedSseEnabled: true });
const lambda = (stack: KestrelStack, id: string) =>
  new LambdaFunction(stack, id, { functionName: `broken-${id}`, role: 'arn:aws:iam::111111111111:role/broken', filename: 'bundle.zip', handler: 'index.handler', runtime: 'nodejs24.x' });
const rolePolicy = (stack: KestrelStack, statement: Record<string, unknown>) =>
  new IamRolePolicy(stack, 'policy', { role: 'broken', policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Broken', Effect: 'Allow', ...statement }] }) });

/** A rule targeting a function with DLQ and retry policy: the shape every rule must have. */
function ruleTargeting(stack: KestrelStack, fn: LambdaFunction, target: { dlq?: boolean; retry?: boolean } = { dlq: true, retry: true }) {
  const rule = new CloudwatchEventRule(stack, 'rule', { name: 'broken-rule', scheduleExpression: 'rate(1 hour)' });
  return new CloudwatchEventTarget(stack, 'target', {
    rule: rule.name,
    arn: fn.arn,
    ...(target.dlq ? { deadLetterConfig: { arn: queue(stack, 'rule-dlq').arn } } : {}),
    ...(target.retry ? { retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } } : {}),
  });
}

describe('guard: every EventBridge-invoked function has an on-failure destination', () => {
  it('fails naming a function a rule targets without async on-failure destination', () => {
    // prepare
    const stack = guardedStack(new OnFailureDestinationGuard());
    const fn = lambda(stack, 'consumer');
    ruleTargeting(stack, fn);

    // act
    const violations = violationsOf(stack);

    // assess
    expect(violations).toEqual([expect.stringMatching(new RegExp(`^\\[eventbridge-invoked-function-has-on-failure-destination\\] ${address(stack, fn)}: EventBridge invokes it asynchronously`))]);
  });

  it('passes once an event invoke config sends failures somewhere', () => {
    // prepare
    const stack = guardedStack(new OnFailureDestinationGuard());
    const fn = lambda(stack, 'consumer');
    ruleTargeting(stack, fn);
    new LambdaFunctionEventInvokeConfig(stack, 'async', { functionName: fn.functionName, destinationConfig: { onFailure: { destination: queue(stack, 'failures').arn } } });

    // act / assess
    expect(violationsOf(stack)).toEqual([]);
  });
});

describe('guard: every rule target has a DLQ and an explicit retry policy', () => {
  it('fails naming the target and what it lacks', () => {
    // prepare
    const stack = guardedStack(new RuleTargetGuard());
    const target = ruleTargeting(stack, lambda(stack, 'consumer'), { dlq: false, retry: false });

    // act / assess
    expect(violationsOf(stack)).toEqual([
      `[rule-target-has-dlq-and-retry-policy] ${address(stack, target)}: missing dead_letter_config.arn, retry_policy.maximum_retry_attempts, retry_policy.maximum_event_age_in_seconds`,
    ]);
  });

  it('fails a target with a DLQ but default retries', () => {
    // prepare
    const stack = guardedStack(new RuleTargetGuard());
    const target = ruleTargeting(stack, lambda(stack, 'consumer'), { dlq: true, retry: false });

    // act / assess
    expect(violationsOf(stack)).toEqual([expect.stringContaining(`${address(stack, target)}: missing retry_policy.maximum_retry_attempts`)]);
  });
});

describe('guard: every events:PutEvents has an events:source condition', () => {
  it('fails an unconditioned PutEvents, naming the policy and statement', () => {
    // prepare
    const stack = guardedStack(new PutEventsSourceConditionGuard());
    const policy = rolePolicy(stack, { Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/kestrel-staging-bus' });

    // act / assess
    expect(violationsOf(stack)).toEqual([
      `[put-events-conditioned-on-source] ${address(stack, policy)}: statement Broken allows events:PutEvents without an events:source condition: the role could publish as any service`,
    ]);
  });

  it('sees through action wildcards (events:*)', () => {
    // prepare
    const stack = guardedStack(new PutEventsSourceConditionGuard());
    rolePolicy(stack, { Action: ['events:*'], Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/kestrel-staging-bus' });

    // act / assess
    expect(violationsOf(stack)).toHaveLength(1);
  });

  it('passes PutEvents restricted by events:source', () => {
    // prepare
    const stack = guardedStack(new PutEventsSourceConditionGuard());
    rolePolicy(stack, {
      Action: ['events:PutEvents'],
      Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/kestrel-staging-bus',
      Condition: { StringEquals: { 'events:source': 'kestrel.broken' } },
    });

    // act / assess
    expect(violationsOf(stack)).toEqual([]);
  });

  it('fails a policy it cannot read rather than trusting it', () => {
    // prepare
    const stack = guardedStack(new PutEventsSourceConditionGuard());
    const policy = new IamRolePolicy(stack, 'policy', { role: 'broken', policy: Fn.jsonencode({ Statement: [] }) });

    // act / assess
    expect(violationsOf(stack)).toEqual([expect.stringContaining(`${address(stack, policy)}: its policy is not literal JSON`)]);
  });
});

describe('guard: every SQS queue and table is encrypted', () => {
  it('fails naming each unencrypted queue and table', () => {
    // prepare
    const stack = guardedStack(new EncryptionGuard());
    const plainQueue = new SqsQueue(stack, 'plain', { name: 'broken-plain' });
    const plainTable = new DynamodbTable(stack, 'table', { name: 'broken-table', hashKey: 'PK', attribute: [{ name: 'PK', type: 'S' }], billingMode: 'PAY_PER_REQUEST' });
    queue(stack, 'encrypted');

    // act / assess
    expect(violationsOf(stack).sort()).toEqual(
      [
        `[queues-and-tables-encrypted] ${address(stack, plainQueue)}: not encrypted: set kms_master_key_id (the service key) or sqs_managed_sse_enabled`,
        `[queues-and-tables-encrypted] ${address(stack, plainTable)}: server_side_encryption is not enabled with a KMS key`,
      ].sort(),
    );
  });
});

describe('guard: no "*" resources for data actions', () => {
  it('fails a data action on "*"', () => {
    // prepare
    const stack = guardedStack(new WildcardDataResourceGuard());
    const policy = rolePolicy(stack, { Action: ['dynamodb:GetItem'], Resource: '*' });

    // act / assess
    expect(violationsOf(stack)).toEqual([`[no-wildcard-resources-for-data-actions] ${address(stack, policy)}: statement Broken allows dynamodb:GetItem on *`]);
  });

  it('fails an ARN that names every resource of the service, and NotResource', () => {
    // prepare
    const wide = guardedStack(new WildcardDataResourceGuard());
    rolePolicy(wide, { Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:eu-west-1:111111111111:*'] });
    const inverted = guardedStack(new WildcardDataResourceGuard());
    rolePolicy(inverted, { Action: ['sqs:SendMessage'], NotResource: ['arn:aws:sqs:eu-west-1:111111111111:secret'] });

    // act / assess
    expect(violationsOf(wide)).toHaveLength(1);
    expect(violationsOf(inverted)).toEqual([expect.stringContaining('uses NotAction/NotResource')]);
  });

  it('allows "*" for actions without resource-level permissions (X-Ray, dynamodb:ListStreams)', () => {
    // prepare
    const stack = guardedStack(new WildcardDataResourceGuard());
    rolePolicy(stack, { Action: ['xray:PutTraceSegments', 'dynamodb:ListStreams'], Resource: '*' });

    // act / assess
    expect(violationsOf(stack)).toEqual([]);
  });
});

// The exemption must be no wider than AWS: iam-data has to agree that these actions take no ARN.
describe('WILDCARD_ONLY_ACTIONS', () => {
  it.each(WILDCARD_ONLY_ACTIONS)('%s has no resource-level permissions in the Service Authorization Reference', async (action) => {
    // act
    const findings = await validatePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: 'arn:aws:sqs:eu-west-1:111111111111:q' }] }, 'p');

    // assess
    expect(findings.map((finding) => finding.problem)).toEqual([`action "${action}" does not support resource-level permissions: its Resource must be "*"`]);
  });
});

describe('applyKestrelGuards', () => {
  it('adds every guard: an unencrypted queue in any Kestrel stack fails synth', () => {
    // prepare
    const stack = guardedStack();
    new SqsQueue(stack, 'plain', { name: 'broken-plain' });

    // act / assess
    expect(() => synthStack(stack)).toThrow(/Kestrel guards failed for 1 resource:\n {2}- \[queues-and-tables-encrypted\] aws_sqs_queue\.plain \(broken-staging\/plain\)/);
  });
});

describe('every role carries its service boundary', () => {
  const boundary = 'arn:aws:iam::111111111111:policy/kestrel-pipeline/kestrel-staging-broken-boundary';
  const role = (stack: KestrelStack, id: string, permissionsBoundary?: string) =>
    new IamRole(stack, id, { name: `broken-${id}`, assumeRolePolicy: '{}', ...(permissionsBoundary ? { permissionsBoundary } : {}) });

  it('sets the service boundary on every role a KestrelStack creates, whichever construct made it', () => {
    // prepare
    const stack = guardedStack(new RoleBoundaryGuard());
    const scope = new Construct(stack, 'nested');
    role(stack, 'direct');
    role(scope as KestrelStack, 'deep');

    // act
    const roles = Object.values((synthStack(stack).resource?.aws_iam_role ?? {}) as Record<string, { permissions_boundary?: string }>);

    // assess
    expect(roles.map((r) => r.permissions_boundary)).toEqual([boundary, boundary]);
    expect(serviceRoleBoundaryArn(environment('staging'), 'broken')).toBe(boundary);
  });

  it('refuses a role naming another boundary', () => {
    // prepare
    const stack = guardedStack(new RoleBoundaryGuard());
    role(stack, 'escaping', 'arn:aws:iam::aws:policy/AdministratorAccess');

    // act
    const attempt = () => synthStack(stack);

    // assess
    expect(attempt).toThrow(/permissions_boundary must be arn:aws:iam::111111111111:policy\/kestrel-pipeline\/kestrel-staging-broken-boundary/);
  });

  it('the guard names a role without a boundary from a plain TerraformStack', () => {
    // prepare
    const stack = new TerraformStack(testApp(), 'plain');
    Aspects.of(stack).add(new RoleBoundaryGuard());
    const bare = new IamRole(stack, 'bare', { name: 'bare', assumeRolePolicy: '{}' });

    // act
    const attempt = () => synthStack(stack);

    // assess
    expect(attempt).toThrow(GuardViolationError);
    expect(attempt).toThrow(new RegExp(`aws_iam_role.${stack.getLogicalId(bare)} .*permissions_boundary is null`));
  });
});
