/**
 * The local SQS: queues with visibility timeouts, delays, long polling,
 * redrive to dead-letter queues and FIFO basics, persisted under
 * `<dataDir>/sqs`. Offers the `QueueSender` peer to the other modules.
 *
 * @example
 * const sqs = createSqsModule(context);
 * await sqs.provides.sqs.sendMessage('arn:aws:sqs:us-east-1:000000000000:orders', '{"id":1}');
 */
import { join } from 'node:path';
import { answerWhenDurable } from '../../core/journal';
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule } from '../../core/types';
import { SqsApi } from './api';
import { MessageMoveTasks } from './move-tasks';
import { sqsProvisioners } from './provisioners';
import { SqsService } from './sqs-service';
import type { SqsServiceOptions } from './sqs-service';
import type { LocalIam } from '../../iam/authorizer';

export { SqsService } from './sqs-service';
export type { QueueSummary } from './sqs-service';

export interface SqsModuleOptions {
  /** Clock override for tests (epoch ms). */
  now?: () => number;
  /** Keep state in memory only (default: persisted under `<dataDir>/sqs` unless `context.inMemory`). */
  inMemory?: boolean;
}

export interface SqsModule extends LocalServiceModule {
  readonly service: SqsService;
  readonly moveTasks: MessageMoveTasks;
  readonly provides: { sqs: SqsService };
}

/** Queue policies are judged by the local cloud's IAM for service principals (EventBridge delivering for a rule). */
function judgeWith(iam: LocalIam): NonNullable<SqsServiceOptions['judgeServiceSend']> {
  return ({ queueArn, queueName, policy, principal, sourceArn }) =>
    iam.serviceMayCall({ service: principal, action: 'sqs:SendMessage', resource: queueArn, resourcePolicy: policy, policyName: `queue ${queueName} (Policy)`, sourceArn });
}

export function createSqsModule(context: LocalCloudContext, options: SqsModuleOptions = {}): SqsModule {
  const dataDir = options.inMemory || context.inMemory ? undefined : join(context.dataDir, 'sqs');
  const service = new SqsService({
    accountId: context.accountId,
    region: context.region,
    endpoint: () => context.endpoint,
    dataDir,
    now: options.now,
    log: (message, fields) => context.log(message, fields),
    ...(context.iam ? { judgeServiceSend: judgeWith(context.iam) } : {}),
  });
  const moveTasks = new MessageMoveTasks(service, { dataDir, now: options.now });
  // Calls through the edge are judged by the queue's `Policy` too: its Deny wins, its Allow may grant alone.
  context.iam?.registerResourcePolicies('sqs', (resourceArn) => {
    const queue = service.find(resourceArn);
    const policy = queue?.attributes.Policy;
    return queue && typeof policy === 'string' && policy !== '' ? { name: `queue ${queue.name} (Policy)`, text: policy } : undefined;
  });
  return {
    name: 'sqs',
    service,
    moveTasks,
    provides: { sqs: service },
    // Acknowledged means durable: no answer (SendMessage above all) before the messages it accepted are on disk.
    handlers: [answerWhenDurable(new SqsApi(service, context.accountId, moveTasks), () => service.durable())],
    provisioners: sqsProvisioners(service),
    state: [{ stateKey: 'queues', describe: () => service.summaries() }],
    stop: async () => {
      // Moves stop first, so the queues' last snapshot holds every message exactly once.
      moveTasks.stop();
      await service.stop();
    },
  };
}

createSqsModule satisfies LocalServiceFactory;

