/**
 * CloudWatch Logs over the Lambda function logs, read-only: log groups
 * `/aws/lambda/<function>` (one per function that has run), a stream per
 * function and UTC day, and `DescribeLogGroups`, `DescribeLogStreams`,
 * `GetLogEvents`, `FilterLogEvents` with terms, phrases and JSON filter
 * patterns, so `aws logs tail /aws/lambda/<fn> [--follow]` and the SDK work
 * against the local cloud. Writing (`PutLogEvents`, `CreateLogGroup`…),
 * subscriptions, metric filters, Logs Insights and `StartLiveTail` are not
 * emulated (answered with `UnknownOperationException`, naming what is).
 *
 * @example
 * const cloud = await startLocalCloud({ inMemory: true, modules: [createLambdaModule, createLogsModule] });
 */
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule } from '../../core/types';
import { LogsApi } from './api';
import { LambdaLogStore } from './log-store';

export { compileFilterPattern, FilterPatternError } from './filter-pattern';
export { LambdaLogStore } from './log-store';

export function createLogsModule(context: LocalCloudContext): LocalServiceModule {
  const store = new LambdaLogStore(context.dataDir);
  return {
    name: 'logs',
    handlers: [new LogsApi(store, context.region, context.accountId)],
    provisioners: [],
    state: [],
    async stop() {
      // Nothing held open: every call reads the files afresh.
    },
  };
}

createLogsModule satisfies LocalServiceFactory;
