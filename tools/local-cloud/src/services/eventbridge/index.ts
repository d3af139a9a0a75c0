/**
 * The local EventBridge: buses, pattern and scheduled rules, targets
 * (Lambda, SQS, other buses, Firehose) with input transformation, retry
 * policies and dead-letter queues, archives and replays — persisted under
 * `<dataDir>/eventbridge`. Offers the `EventPublisher` peer.
 *
 * Retry backoff and event ages run on a scaled clock: `retryTimeScale` local
 * milliseconds per AWS millisecond (default 0.001; override with the option
 * or `LOCAL_CLOUD_EVENTBRIDGE_TIME_SCALE`). So AWS's 24 h default maximum
 * event age lasts 86.4 s locally and a 1 s backoff 1 ms.
 *
 * @example
 * const events = createEventBridgeModule(context);
 * await events.provides.events.putEvents([{ Source: 'kestrel.orders', DetailType: 'OrderPlaced', Detail: '{}' }]);
 * await events.service.idle(); // every delivery done (tests)
 */
import { join } from 'node:path';
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule } from '../../core/types';
import type { LocalIam } from '../../iam/authorizer';
import { EventBridgeApi } from './api';
import { busNameOf } from './model';
import { EventBridgeService } from './eventbridge-service';
import type { EventBridgeServiceOptions } from './eventbridge-service';
import { eventBridgeProvisioners } from './provisioners';

export { EventBridgeService } from './eventbridge-service';
export { parseScheduleExpression, nextFireTime } from './schedule-expression';
export { renderTargetInput } from './input-transform';

export interface EventBridgeModuleOptions {
  retryTimeScale?: number;
  /** Fire scheduled rules on timers (default true); tests call `service.tick(at)` instead. */
  runSchedules?: boolean;
  inMemory?: boolean;
  now?: () => number;
  random?: () => number;
}

export interface EventBridgeModule extends LocalServiceModule {
  readonly service: EventBridgeService;
  readonly provides: { events: EventBridgeService };
}

function timeScaleFromEnvironment(): number | undefined {
  const raw = process.env.LOCAL_CLOUD_EVENTBRIDGE_TIME_SCALE;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!(value > 0)) throw new Error(`LOCAL_CLOUD_EVENTBRIDGE_TIME_SCALE must be a positive number (local ms per AWS ms), got '${raw}'`);
  return value;
}

/** A target with a `RoleArn` is delivered as that role (a session named after EventBridge), as in AWS. */
function targetRoleJudge(iam: LocalIam): NonNullable<EventBridgeServiceOptions['judgeTargetRole']> {
  return (roleArn, permission) => iam.refusalAsRole({ roleArn, sessionName: 'EventBridge', service: 'events', permission });
}

export function createEventBridgeModule(context: LocalCloudContext, options: EventBridgeModuleOptions = {}): EventBridgeModule {
  const service = new EventBridgeService({
    accountId: context.accountId,
    region: context.region,
    peers: context.peers,
    dataDir: options.inMemory || context.inMemory ? undefined : join(context.dataDir, 'eventbridge'),
    retryTimeScale: options.retryTimeScale ?? timeScaleFromEnvironment(),
    runSchedules: options.runSchedules,
    log: (message, fields) => context.log(message, fields),
    now: options.now,
    random: options.random,
    ...(context.iam ? { judgeTargetRole: targetRoleJudge(context.iam) } : {}),
    ...(context.telemetry ? { telemetry: context.telemetry } : {}),
    ...(context.awaitingStacks ? { awaitingStacks: context.awaitingStacks } : {}),
  });
  // Callers of other accounts publish only as the bus policy (`aws_cloudwatch_event_bus_policy`) allows.
  context.iam?.registerResourcePolicies('events', (resourceArn) => {
    const name = busNameOf(resourceArn);
    if (resourceArn !== `arn:aws:events:${context.region}:${context.accountId}:event-bus/${name}`) return undefined;
    const bus = service.listBuses().find((candidate) => candidate.name === name);
    return bus?.policy ? { name: `event bus ${name} (policy)`, text: bus.policy } : undefined;
  });
  return {
    name: 'eventbridge',
    // Delivers what is in flight on stop, to Lambda and SQS, which stop later.
    stopOrder: 30,
    service,
    provides: { events: service },
    handlers: [new EventBridgeApi(service)],
    provisioners: eventBridgeProvisioners(service),
    state: [
      { stateKey: 'buses', describe: () => service.describeBuses() },
      { stateKey: 'archives', describe: () => service.describeArchives() },
    ],
    async start() {
      service.start();
    },
    stop: () => service.stop(),
  };
}

createEventBridgeModule satisfies LocalServiceFactory;
