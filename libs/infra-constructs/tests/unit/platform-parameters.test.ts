import { describe, expect, it } from 'vitest';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { KestrelStack } from '../../src/kestrel-stack';
import { environment } from '../../src/environments';
import { PlatformBusReference, platformBusName, platformParameters } from '../../src/platform-parameters';
import { dataSourcesOfType, onlyResourceOfType, reference, synthStack, testApp } from '../../src/testing';

describe('platformParameters', () => {
  it('places the bus parameters under /kestrel/<env>/platform/', () => {
    // act
    const names = platformParameters('production');

    // assess
    expect(names).toEqual({
      eventBusName: '/kestrel/production/platform/event-bus-name',
      eventBusArn: '/kestrel/production/platform/event-bus-arn',
    });
  });

  it('names the bus kestrel-<env>-bus', () => {
    // act / assess
    expect(platformBusName('staging')).toBe('kestrel-staging-bus');
  });
});

describe('PlatformBusReference', () => {
  function serviceStack() {
    const stack = new KestrelStack(testApp(), { stackName: 'catalog', env: environment('staging'), service: 'catalog', owner: 'team-catalog' });
    const bus = new PlatformBusReference(stack, 'platform-bus', { env: 'staging' });
    new CloudwatchEventRule(stack, 'rule', {
      name: stack.resourceName('on-customer-registered'),
      eventBusName: bus.busName,
      eventPattern: JSON.stringify({ source: ['kestrel.customers'] }),
    });
    return { stack, bus };
  }

  it('reads the bus name and ARN from SSM parameters by name', () => {
    // prepare
    const { stack } = serviceStack();

    // act
    const parameters = dataSourcesOfType(synthStack(stack), 'aws_ssm_parameter');

    // assess
    expect(parameters.map((parameter) => parameter.values.name).sort()).toEqual([
      '/kestrel/staging/platform/event-bus-arn',
      '/kestrel/staging/platform/event-bus-name',
    ]);
  });

  it('hands out references to the non-sensitive parameter value', () => {
    // prepare
    const { stack } = serviceStack();

    // act
    const json = synthStack(stack);

    // assess
    const nameParameter = dataSourcesOfType(json, 'aws_ssm_parameter').find(
      (parameter) => parameter.values.name === '/kestrel/staging/platform/event-bus-name',
    );
    expect(nameParameter).toBeDefined();
    expect(onlyResourceOfType(json, 'aws_cloudwatch_event_rule').values.event_bus_name).toBe(
      reference(nameParameter?.address ?? '', 'insecure_value'),
    );
  });

  it('never creates a cross-stack dependency on the platform stack', () => {
    // prepare
    const { stack } = serviceStack();

    // act
    const json = synthStack(stack);

    // assess
    expect(json.data?.terraform_remote_state).toBeUndefined();
    expect(stack.dependencies).toHaveLength(0);
  });
});
