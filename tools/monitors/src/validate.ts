import { MANAGED_BY, type MonitorDefinition } from './definition';

/** A monitor that failed validation, with every problem. */
export interface MonitorProblem {
  readonly key: string;
  readonly name: string;
  readonly problems: readonly string[];
}

const TAG = /^[a-z][a-z0-9_\-:./]{0,199}$/;
const QUERY = /^(avg|sum|min|max|percentile)\(last_\d+[mhd]\):.+ (>|>=|<|<=) (-?\d+(\.\d+)?)$/;
const REQUIRED_TAGS = ['service', 'team', 'env', 'managed-by', 'monitor-key'];

/** Checks that `{{#x}}`/`{{^x}}` blocks are closed in order. */
function blockProblems(message: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const match of message.matchAll(/\{\{([#^/])(\w+)\}\}/g)) {
    const [, sigil, name] = match as unknown as [string, string, string];
    if (sigil !== '/') stack.push(name);
    else if (stack.pop() !== name) problems.push(`message: {{/${name}}} closes a block that is not open`);
  }
  if (stack.length > 0) problems.push(`message: unclosed block(s) ${stack.map((name) => `{{#${name}}}`).join(', ')}`);
  return problems;
}

/**
 * Local checks run before any API call (and the only checks in a dry run without keys): query
 * shape, thresholds agreeing with the query, message blocks and notification handles, required tags.
 */
export function validateDefinition(monitor: MonitorDefinition): MonitorProblem | undefined {
  const problems: string[] = [];
  const query = QUERY.exec(monitor.query);
  if (!query) problems.push(`query: "${monitor.query}" is not <aggregation>(last_<n>): <metric query> <comparator> <number>`);
  else if (Number(query[3]) !== monitor.options.thresholds.critical) {
    problems.push(`options.thresholds.critical: ${monitor.options.thresholds.critical} differs from the query's threshold ${query[3]}`);
  }
  const { critical, warning } = monitor.options.thresholds;
  if (warning !== undefined && query && (query[2]?.startsWith('>') ? warning >= critical : warning <= critical)) {
    problems.push(`options.thresholds.warning: ${warning} must come before critical ${critical}`);
  }
  problems.push(...blockProblems(monitor.message));
  if (!monitor.message.includes('{{#is_alert}}')) problems.push('message: needs an {{#is_alert}} block');
  if (!monitor.message.includes('{{#is_recovery}}')) problems.push('message: needs an {{#is_recovery}} block');
  if (!/@slack-[\w-]+/.test(monitor.message)) problems.push('message: notifies no Slack channel');
  if (!/Runbook: https:\/\/\S+#[\w-]+/.test(monitor.message)) problems.push('message: has no runbook link');
  for (const tag of monitor.tags) if (!TAG.test(tag)) problems.push(`tags: "${tag}" is not a valid Datadog tag`);
  for (const name of REQUIRED_TAGS) if (!monitor.tags.some((tag) => tag.startsWith(`${name}:`))) problems.push(`tags: missing ${name}:`);
  if (!monitor.tags.includes(`managed-by:${MANAGED_BY}`)) problems.push(`tags: missing managed-by:${MANAGED_BY}`);
  if (monitor.priority < 1 || monitor.priority > 5) problems.push(`priority: ${monitor.priority} is not 1-5`);
  return problems.length > 0 ? { key: monitor.key, name: monitor.name, problems } : undefined;
}
