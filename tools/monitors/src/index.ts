/**
 * @kestrel/monitors: Datadog monitors generated from each synthesized stack, routed by the
 * ownership registry, and synced with the Datadog API (dry run by default).
 *
 * @example
 * ```ts
 * import { loadStack, monitorsForStack, unmonitoredResources } from '@kestrel/monitors';
 * const stack = loadStack('apps/customers/cdktf.out/stacks/customers-staging/cdk.tf.json');
 * const monitors = monitorsForStack(stack);
 * unmonitoredResources(stack, monitors); // []
 * ```
 */
export { MANAGED_BY, toDatadogBody, type MonitorDefinition } from './definition';
export { projectFolders, synthesizedStacks } from './discover';
export { DEFAULT_THRESHOLDS, eventTypesOfPattern, monitorsForStack, unmonitoredResources, type GenerateOptions, type Thresholds, type Unmonitored } from './generate';
export { MONITOR_KINDS, WATCHED_TYPES, type MonitorKind, type MonitorKindId, type Priority } from './kinds';
export { alertMessage, pages, priorityFor, type AlertMessageInput } from './message';
export { loadStack, referenceOf, stackFromJson, StackIndex, type LoadedStack, type StackResource, type TerraformJson } from './stack';
export {
  MissingApiKeyError,
  MonitorValidationError,
  apiErrorText,
  applyPlan,
  connectionFromEnv,
  datadogConfiguration,
  formatPlan,
  pagerDutyKeyVariable,
  planSync,
  toApiMonitor,
  type ApplyResult,
  type DatadogConnection,
  type PagerDutyChange,
  type Plan,
  type PlannedChange,
} from './sync';
export { validateDefinition, type MonitorProblem } from './validate';
