/**
 * CloudWatch Logs over the Lambda function logs, read-only: log groups
 * `/aws/lambda/<function>` (one per function that has run), a stream per
 * function and UTC day, and `DescribeLogGroups`, `DescribeLogStreams`,
 * `GetLogEvents`, `FilterLogEvents` with terms, phrases and JSON filter
 * patterns, so `aws logs tail /aws/lambda/<fn> [--follow]` and the SDK work
 * against the local cloud. Log groups the stacks declare are listed too, with
 * their retention (recorded, not enforced). Writing (`PutLogEvents`, `CreateLogGroup`…),
 * subscriptions, metric filters, Logs Insights and `StartLiveTail` are not
 * emulated (answered with `UnknownOperationException`, naming what is).
 *
 * @example
 * const cloud = await startLocalCloud({ inMemory: true, modules: [createLambdaModule, createLogsModule] });
 */
import { num, str } from '../../core/config';
import type { LocalCloudContext, LocalServiceFactory, LocalServiceModule, ResourceProvisioner } from '../../core/types';
import { LogsApi } from './api';
import { LambdaLogStore } from './log-store';

export { compileFilterPattern, FilterPatternError } from './filter-pattern';
export { LambdaLogStore } from './log-store';

/** `aws_cloudwatch_log_group`: listed by DescribeLogGroups with its retention (which is not enforced). */
function logGroupProvisioner(store: LambdaLogStore, context: LocalCloudContext): ResourceProvisioner {
  return {
    type: 'aws_cloudwatch_log_group',
    async apply(resource, previous) {
      const prefix = str(resource.config, 'name_prefix', resource.address, true);
      const kept = typeof previous?.name === 'string' ? previous.name : undefined;
      const name = str(resource.config, 'name', resource.address, true) ?? kept ?? (prefix ? `${prefix}${Date.now().toString(36)}` : resource.name);
      store.declare({ name, retentionInDays: num(resource.config.retention_in_days) });
      return { ...resource.config, id: name, name, arn: `arn:aws:logs:${context.region}:${context.accountId}:log-group:${name}` };
    },
    async destroy(_resource, attributes) {
      store.forget(String(attributes.name));
    },
  };
}

export function createLogsModule(context: LocalCloudContext): LocalServiceModule {
  const store = new LambdaLogStore(context.dataDir, !context.inMemory);
  return {
    name: 'logs',
    handlers: [new LogsApi(store, context.region, context.accountId)],
    provisioners: [logGroupProvisioner(store, context)],
    state: [],
    async stop() {
      // Nothing held open: every call reads the files afresh.
    },
  };
}

createLogsModule satisfies LocalServiceFactory;
