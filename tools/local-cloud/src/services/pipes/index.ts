/**
 * The local EventBridge Pipes, for the transactional outbox: a DynamoDB
 * stream source (read from DynamoDB Local with the real Streams API through
 * the edge), event-pattern filters on stream records, an input template, and
 * an event bus target reached through the `EventPublisher` peer; retries,
 * dead-letter queue (the `QueueSender` peer) and per-shard checkpoints under
 * `<dataDir>/pipes`.
 *
 * @example
 * const pipes = createPipesModule(context);
 * await pipes.start();
 * await pipes.service.whenIdle(); // tests: every record written so far is on the bus
 */
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule, ResourceProvisioner } from '../../core/types';
import type { LocalIam } from '../../iam/authorizer';
import { createPipesApi } from './api';
import { pipeFromTerraform } from './model';
import { PipesService } from './pipes-service';
import type { PipesServiceOptions } from './pipes-service';
import { dynamoDbStreamsApi } from './stream-reader';
import type { StreamsApi } from './stream-reader';

export { PipesService } from './pipes-service';
export type { PipeSummary } from './pipes-service';
export { renderInputTemplate } from './input-template';
export { pipeFromTerraform, validatePipe } from './model';
export type { PipeDefinition } from './model';
export { toPipesRecord } from './stream-record';

export interface PipesModuleOptions {
  /** Default: the DynamoDB Streams API through the edge. */
  streams?: StreamsApi;
  pollIntervalMs?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  now?: () => number;
  inMemory?: boolean;
}

export interface PipesModule extends LocalServiceModule {
  readonly service: PipesService;
}

function provisioner(service: PipesService): ResourceProvisioner {
  return {
    type: 'aws_pipes_pipe',
    async apply(resource) {
      const definition = pipeFromTerraform(resource.config, resource.address);
      if (service.has(definition.name)) {
        const existing = service.get(definition.name).definition;
        if (existing.source !== definition.source) {
          // Pipes cannot change a source in place; Terraform replaces the pipe, and so do we.
          await service.delete(definition.name);
          service.create(definition);
        } else {
          await service.update(definition);
        }
      } else {
        service.create(definition);
      }
      const arn = service.arnOf(definition.name);
      return { id: definition.name, arn, name: definition.name };
    },
    async destroy(resource) {
      const name = String(resource.config.name);
      if (service.has(name)) await service.delete(name);
    },
  };
}

/** A pipe acts as its `role_arn` when it reads its source and puts on its target, as in AWS. */
function roleJudge(iam: LocalIam): NonNullable<PipesServiceOptions['authorizeAsRole']> {
  return (roleArn, pipeName, permission) => iam.refusalAsRole({ roleArn, sessionName: pipeName, service: 'pipes', permission });
}

/**
 * A Pipes module factory with non-default options (tests shorten the poll
 * interval and retry delays).
 *
 * @example
 * const factory = pipesModuleFactory({ pollIntervalMs: 50, retryBaseDelayMs: 10 });
 */
export function pipesModuleFactory(options: PipesModuleOptions = {}): (context: LocalCloudContext) => PipesModule {
  return (context) => {
    const service = new PipesService({
      accountId: context.accountId,
      region: context.region,
      streams: options.streams ?? dynamoDbStreamsApi({ endpoint: context.endpoint, region: context.region }),
      events: () => context.peers.events(),
      sqs: () => context.peers.sqs(),
      dataDir: options.inMemory || context.inMemory ? undefined : `${context.dataDir}/pipes`,
      now: options.now,
      log: (message, fields) => context.log(message, fields),
      pollIntervalMs: options.pollIntervalMs,
      retryBaseDelayMs: options.retryBaseDelayMs,
      retryMaxDelayMs: options.retryMaxDelayMs,
      ...(context.iam ? { authorizeAsRole: roleJudge(context.iam), restoredPipesAwaitApply: context.iam.mode !== 'off' } : {}),
    });
    return {
      name: 'pipes',
      // Pollers stop first, so nothing new enters the bus or the buffers behind it.
      stopOrder: 10,
      service,
      handlers: [createPipesApi(service)],
      provisioners: [provisioner(service)],
      state: [{ stateKey: 'pipes', describe: () => service.summaries() }],
      async start() {
        service.start();
      },
      stop: () => service.stop(),
    };
  };
}

/** The Pipes module with default options (polls every 250 ms; retries from 1 s doubling to 60 s). */
export const createPipesModule: LocalServiceFactory = pipesModuleFactory();
