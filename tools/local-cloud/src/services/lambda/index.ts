/**
 * The Lambda module of the local cloud. A function is the same bundle that
 * ships (the stack's zip or bundle directory), run in real child processes
 * on the Node.js major its runtime names, with Lambda's execution-environment
 * lifecycle (cold start, warm reuse, idle reaping, timeout kills),
 * concurrency limits, async retries and destinations, and its log format.
 *
 * What is emulated and what is not:
 * - Permissions (`aws_lambda_permission`) are recorded and checked only when
 *   another emulation asks `invoker.isInvokeAllowed(…)`; direct `Invoke`
 *   calls are not checked against IAM.
 * - Async retry delays and event ages run on a scaled clock (`asyncTimeScale`,
 *   default 1/60).
 * - An async (`Event`) invocation that finds no idle environment runs in the
 *   first environment that frees, warm or new: binding it to its own cold
 *   start turns every burst into a cascade of process starts on 2 cores. The
 *   function scales out (one cold start at a time per function) only once the
 *   oldest waiting event has waited as long as a cold start takes, where AWS
 *   starts one at once (`asyncScaleOut`, `LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT=immediate`).
 *   Synchronous invocations wait for their own cold start, as in Lambda.
 * - `callbackWaitsForEmptyEventLoop` is accepted but not emulated: a callback
 *   handler's response is returned as soon as it calls back.
 * - `aws_lambda_event_source_mapping` runs for SQS sources only
 *   (`sqs-event-source.ts`); layers, aliases and versions beyond `$LATEST`
 *   (+ `1` when `publish`) are not emulated.
 */
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule } from '../../core/types';
import { createLambdaApi } from './api';
import { LambdaService } from './lambda-service';
import type { LambdaModuleOptions, LocalLambdaInvoker } from './lambda-service';
import { createLambdaProvisioners } from './provisioners';
import { SqsEventSources } from './sqs-event-source';

export type { LambdaModuleOptions, LocalLambdaInvoker } from './lambda-service';
export { LambdaService } from './lambda-service';
export { SqsEventSources } from './sqs-event-source';
export type { InvocationRecord } from './async-invocations';
export type { InvocationResult } from './local-function';

/** The Lambda module, with its service exposed for harnesses and tests. */
export interface LambdaModule extends LocalServiceModule {
  readonly service: LambdaService;
  readonly provides: { lambda: LocalLambdaInvoker };
  readonly eventSources: SqsEventSources;
}

/**
 * A Lambda module factory with non-default options.
 *
 * @example
 * const lambda = lambdaModuleFactory({ idleTimeoutMs: 60_000, asyncTimeScale: 1 / 600 })(context);
 */
export function lambdaModuleFactory(options: LambdaModuleOptions = {}): (context: LocalCloudContext) => LambdaModule {
  return (context) => {
    const service = new LambdaService(context, options);
    const eventSources = new SqsEventSources(service, context);
    // A direct Invoke through the edge is judged by the function's policy too (`aws_lambda_permission`s naming a role or account).
    context.iam?.registerResourcePolicies('lambda', (resourceArn) => {
      const fn = service.registry.lookup(resourceArn)?.fn;
      const document = fn && service.permissions.policyDocument(fn.name, fn.arn);
      return document && document.Statement.length > 0 ? { name: `function ${fn.name} (policy)`, text: JSON.stringify(document) } : undefined;
    });
    return {
      name: 'lambda',
      service,
      eventSources,
      provides: { lambda: service.invoker },
      handlers: [createLambdaApi(service)],
      provisioners: [...createLambdaProvisioners(service), eventSources.provisioner()],
      state: [
        { stateKey: 'functions', describe: () => service.describe() },
        { stateKey: 'eventSourceMappings', describe: () => eventSources.all().map((mapping) => mapping.describe()) },
      ],
      async start() {
        service.start();
      },
      async stop() {
        // Pollers first: a batch in flight finishes before its function's environments go.
        await eventSources.stop();
        await service.stop();
      },
    };
  };
}

/**
 * The Lambda module with default options (overridable by environment:
 * `LOCAL_CLOUD_LAMBDA_IDLE_TIMEOUT_MS`, `LOCAL_CLOUD_LAMBDA_CONCURRENCY`,
 * `LOCAL_CLOUD_LAMBDA_ASYNC_TIME_SCALE`, `LOCAL_CLOUD_LAMBDA_ASYNC_SCALE_OUT`,
 * `LOCAL_CLOUD_FETCH_RUNTIMES=0`).
 *
 * @example
 * const modules = [createLambdaModule(context), createSqsModule(context)];
 * const edge = await startEdgeServer({ port: 0, modules });
 */
export const createLambdaModule: LocalServiceFactory = lambdaModuleFactory();
