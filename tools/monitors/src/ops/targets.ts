import { resourceName } from '@kestrel/infra-constructs/naming';
import { platformBusName } from '@kestrel/infra-constructs/platform-parameters';
import type { EnvironmentName } from '@kestrel/infra-constructs/environments';
import { subscriptionDelivery, type ServiceManifest } from '@kestrel/service-manifest';

/** EventBridge limits archive names to 48 characters (the platform stack names its archive with the same bound). */
const ARCHIVE_NAME_MAX_LENGTH = 48;
/** SQS queue names are at most 80 characters; the stack cuts queue names there too. */
const QUEUE_NAME_MAX_LENGTH = 80;

/**
 * Where one dead letter may wait, and how it goes back:
 * - `rule-dlq`: EventBridge could not deliver to the rule's target; the body is the event,
 *   attributes RULE_ARN/TARGET_ARN/ERROR_CODE/ERROR_MESSAGE. Back: to the rule's target only.
 * - `function-failures`: Lambda accepted the event but the function failed every async attempt; the
 *   body is Lambda's invocation record, the event in `requestPayload`. Back: async invoke of the function.
 * - `queue-dlq`: a queued subscription's message failed `maxReceiveCount` receives. Back: SQS move task
 *   to the subscription queue.
 */
export type DeadLetterKind = 'rule-dlq' | 'function-failures' | 'queue-dlq';

export interface DeadLetterQueueTarget {
  kind: DeadLetterKind;
  queueName: string;
  /** `queue-dlq`: the queue its messages came from. */
  sourceQueueName?: string;
  /** `function-failures`: the function the events go back to. */
  functionName?: string;
}

/** Every physical name the repair tools need for one subscription, derived like the stack derives them. */
export interface SubscriptionTargets {
  service: string;
  env: EnvironmentName;
  subscription: string;
  ruleName: string;
  busName: string;
  archiveName: string;
  deadLetterQueues: DeadLetterQueueTarget[];
}

/**
 * The names of a subscription's rule, bus, archive and dead-letter queues in an environment, from the
 * manifest and the naming helpers the stacks use (`resourceName`, `platformBusName`): nobody types an ARN.
 * Fails listing the manifest's subscriptions when the name is not one of them.
 *
 * @example
 * subscriptionTargets(catalog, 'staging', 'product-retired').ruleName; // 'kestrel-staging-catalog-product-retired'
 */
export function subscriptionTargets(manifest: ServiceManifest, env: EnvironmentName, subscription: string): SubscriptionTargets {
  const consumed = manifest.consumes.find((entry) => entry.name === subscription);
  if (!consumed) {
    const known = manifest.consumes.map((entry) => entry.name);
    throw new Error(`subscription: "${subscription}" is not consumed by ${manifest.name} (its subscriptions: ${known.join(', ') || 'none'})`);
  }
  const name = (thing: string, maxLength?: number) => resourceName({ env, service: manifest.name, thing, maxLength });
  const ruleName = name(consumed.name);
  const deadLetterQueues: DeadLetterQueueTarget[] = [{ kind: 'rule-dlq', queueName: `${ruleName}-dlq` }];
  if (subscriptionDelivery(consumed).kind === 'queue') {
    deadLetterQueues.push({
      kind: 'queue-dlq',
      queueName: `${ruleName}-queue-dlq`.slice(0, QUEUE_NAME_MAX_LENGTH),
      sourceQueueName: `${ruleName}-queue`.slice(0, QUEUE_NAME_MAX_LENGTH),
    });
  } else {
    deadLetterQueues.push({ kind: 'function-failures', queueName: name(`${consumed.target}-failures`, QUEUE_NAME_MAX_LENGTH), functionName: name(consumed.target) });
  }
  return {
    service: manifest.name,
    env,
    subscription: consumed.name,
    ruleName,
    busName: platformBusName(env),
    archiveName: resourceName({ env, service: 'platform', thing: 'bus-archive', maxLength: ARCHIVE_NAME_MAX_LENGTH }),
    deadLetterQueues,
  };
}
