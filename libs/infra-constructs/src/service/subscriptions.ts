import { Construct } from 'constructs';
import { subscriptionDelivery, subscriptionPattern } from '@kestrel/service-manifest';
import type { ServiceManifest } from '@kestrel/service-manifest';
import type { EnvironmentConfig } from '../environments';
import type { KestrelStack } from '../kestrel-stack';
import type { PlatformBusReference } from '../platform-parameters';
import { FunctionRule } from './function-rule';
import type { ServiceFunctions } from './functions';
import { QueuedSubscription } from './queued-subscription';
import type { ServiceKey } from './service-key';

export interface SubscriptionsProps {
  manifest: ServiceManifest;
  env: EnvironmentConfig;
  stack: KestrelStack;
  functions: ServiceFunctions;
  key: ServiceKey;
  bus: () => PlatformBusReference;
  /** Timeout of functions whose manifest entry sets none (the queue's visibility timeout must cover it). */
  defaultTimeoutSeconds: number;
}

/**
 * One rule on the platform bus per `consumes` entry, matching the pattern
 * derived from the contracts it names (`subscriptionPattern`), with the
 * manifest's retry policy and a dead-letter queue. Its target is the function
 * (direct delivery: one asynchronous invocation per event) or, for queued
 * delivery, a queue the function reads in batches ({@link QueuedSubscription}).
 */
export class Subscriptions extends Construct {
  /** Directly delivered subscriptions. */
  readonly byName = new Map<string, FunctionRule>();
  /** Subscriptions delivered through a queue. */
  readonly queued = new Map<string, QueuedSubscription>();

  constructor(scope: Construct, id: string, { manifest, env, stack, functions, key, bus, defaultTimeoutSeconds }: SubscriptionsProps) {
    super(scope, id);
    for (const subscription of manifest.consumes) {
      const delivery = subscriptionDelivery(subscription);
      if (delivery.kind === 'queue') {
        this.queued.set(
          subscription.name,
          new QueuedSubscription(this, subscription.name, {
            name: subscription.name,
            ruleName: stack.resourceName(subscription.name),
            description: subscription.description,
            eventBusName: bus().busName,
            eventPattern: JSON.stringify(subscriptionPattern(subscription)),
            target: functions.get(subscription.target),
            functionTimeoutSeconds: manifest.functions[subscription.target]?.timeoutSeconds ?? defaultTimeoutSeconds,
            retry: subscription.retry,
            delivery,
            env,
            key,
          }),
        );
        continue;
      }
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
