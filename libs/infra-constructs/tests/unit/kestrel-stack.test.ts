import { describe, expect, it } from 'vitest';
import { App } from 'cdktn';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { KestrelStack } from '../../src/kestrel-stack';
import { environment } from '../../src/environments';
import { backendOf, onlyResourceOfType, providersOf, synthStack, testApp } from '../../src/testing';

const production = environment('production');

function queueStack(app = testApp()) {
  const stack = new KestrelStack(app, { stackName: 'customers', env: production, service: 'customers', owner: 'team-customers' });
  new SqsQueue(stack, 'dlq', { name: stack.resourceName('dlq') });
  return stack;
}

describe('KestrelStack', () => {
  it('is identified as <stack>-<env>', () => {
    // act
    const stack = queueStack();

    // assess
    expect(stack.node.id).toBe('customers-production');
  });

  it('pins the AWS provider to the environment account and region with default tags', () => {
    // prepare
    const stack = queueStack();

    // act
    const [aws, ...others] = providersOf(synthStack(stack), 'aws');

    // assess
    expect(others).toHaveLength(0);
    expect(aws).toMatchObject({
      region: production.region,
      allowed_account_ids: [production.accountId],
      default_tags: [{ tags: { service: 'customers', owner: 'team-customers', env: 'production', 'managed-by': 'cdktn' } }],
    });
  });

  it('keeps its state in its own encrypted key with S3 native locking and no DynamoDB table', () => {
    // prepare
    const stack = queueStack();

    // act
    const backend = backendOf(synthStack(stack), 's3');

    // assess
    expect(backend).toEqual({
      bucket: `kestrel-terraform-state-${production.accountId}`,
      key: 'production/customers/terraform.tfstate',
      region: production.region,
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('names resources kestrel-<env>-<service>-<thing>', () => {
    // prepare
    const stack = queueStack();

    // act
    const queue = onlyResourceOfType(synthStack(stack), 'aws_sqs_queue');

    // assess
    expect(queue.values.name).toBe('kestrel-production-customers-dlq');
  });

  it('fails synth when the app does not declare Terraform targets that support S3 native locking', () => {
    // prepare: a bare App, as cdktn assumes Terraform >= 1.5.7 without targetVersions
    const stack = queueStack(new App({ outdir: testApp().outdir }));

    // act / assess
    expect(() => synthStack(stack)).toThrowError(/S3 native state locking requires terraform >=1\.10\.0/);
  });

  it('rejects props that would produce invalid ids, keys or tags', () => {
    // act
    const build = () => new KestrelStack(testApp(), { stackName: 'Customers Stack', env: production, service: 'customers', owner: '' });

    // assess
    expect(build).toThrowError(/stackName: "Customers Stack" must be lower-case kebab-case/);
    expect(build).toThrowError(/owner: "" must be lower-case kebab-case/);
  });
});
