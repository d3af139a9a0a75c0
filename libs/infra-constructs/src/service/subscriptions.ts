import { Construct } from 'constructs';
import { subscriptionPattern } from '@kestrel/service-manifest';
import type { ServiceManifest } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import type { PlatformBusReference } from '../platform-parameters';
import { FunctionRule } from './function-rule';
import type { ServiceFunctions } from './functions';
import type { ServiceKey } from './service-key';

export interface SubscriptionsProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  functions: ServiceFunctions;
  key: ServiceKey;
  bus: () => PlatformBusReference;
}

/**
 * One rule on the platform bus per `consumes` entry, matching the pattern
 * derived from the contracts it names (`subscriptionPattern`), targeting its
 * function with the manifest's retry policy and a dead-letter queue.
 */
export class Subscriptions extends Construct {
  readonly byName = new Map<string, FunctionRule>();

  constructor(scope: Construct, id: string, { manifest, env, stack, functions, key, bus }: SubscriptionsProps) {
    super(scope, id);
    for (const subscription of manifest.consumes) {
      this.byName.set(
        subscription.name,
        new FunctionRule(this, subscription.name, {
          ruleName: stack.resourceName(subscription.name),
          description: subscription.description,
          eventBusName: bus().busName,
          eventPattern: JSON.stringify(subscriptionPattern(subscription)),
          target: functions.get(subscription.target),
          retry: subscription.retry,
          env,
          key,
        }),
      );
    }
  }
}
