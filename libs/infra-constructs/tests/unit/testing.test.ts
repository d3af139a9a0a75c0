import { describe, expect, it } from 'vitest';
import { SqsQueue } from '@cdktn/provider-aws/lib/sqs-queue';
import { KestrelStack } from '../../src/kestrel-stack';
import { environment } from '../../src/environments';
import { backendOf, onlyResourceOfType, reference, resourcesOfType, synthStack, testApp } from '../../src/testing';

function stackWithQueues(count: number) {
  const stack = new KestrelStack(testApp(), { stackName: 'orders', env: environment('staging'), service: 'orders', owner: 'team-orders' });
  for (let index = 0; index < count; index++) {
    new SqsQueue(stack, `queue-${index}`, { name: stack.resourceName(`queue-${index}`) });
  }
  return stack;
}

describe('synth assertion helpers', () => {
  it('lists resources of a type with their Terraform addresses', () => {
    // prepare
    const json = synthStack(stackWithQueues(2));

    // act
    const queues = resourcesOfType(json, 'aws_sqs_queue');

    // assess
    expect(queues.map((queue) => queue.address)).toEqual(['aws_sqs_queue.queue-0', 'aws_sqs_queue.queue-1']);
    expect(resourcesOfType(json, 'aws_sns_topic')).toEqual([]);
  });

  it('says what it found when exactly one resource was expected', () => {
    // prepare
    const json = synthStack(stackWithQueues(2));

    // act / assess
    expect(() => onlyResourceOfType(json, 'aws_sqs_queue')).toThrowError(
      'Expected exactly one aws_sqs_queue, found 2: aws_sqs_queue.queue-0, aws_sqs_queue.queue-1',
    );
    expect(() => onlyResourceOfType(json, 'aws_sns_topic')).toThrowError('Expected exactly one aws_sns_topic, found 0: none');
  });

  it('reports the backend actually configured when another one is asked for', () => {
    // prepare
    const json = synthStack(stackWithQueues(0));

    // act / assess
    expect(() => backendOf(json, 'local')).toThrowError('Expected a local backend, found: s3');
  });

  it('renders references the way cdktn writes them', () => {
    // act / assess
    expect(reference('aws_sqs_queue.queue-0', 'arn')).toBe('${aws_sqs_queue.queue-0.arn}');
  });
});
