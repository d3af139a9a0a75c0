import { MANAGED_BY, type MonitorDefinition } from './definition';
import type { SloDefinition } from './slo';

/** A monitor that failed validation, with every problem. */
export interface MonitorProblem {
  readonly key: string;
  readonly name: string;
  readonly problems: readonly string[];
}

const TAG = /^[a-z][a-z0-9_\-:./]{0,199}$/;
const QUERY = /^(avg|sum|min|max|percentile)\(last_\d+[mhd]\):.+ (>|>=|<|<=) (-?\d+(\.\d+)?)$/;
/** A burn-rate alert on an SLO (the SLO named by its id, or by its key until it exists). */
const BURN_RATE_QUERY = /^burn_rate\("[^"]+"\)\.over\("(7d|30d|90d)"\)\.long_window\("\d+[mh]"\)\.short_window\("\d+[mh]"\) (>) (\d+(\.\d+)?)$/;
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
  const query = monitor.type === 'slo alert' ? BURN_RATE_QUERY.exec(monitor.query) : QUERY.exec(monitor.query);
  if (!query) {
    problems.push(
      monitor.type === 'slo alert'
        ? `query: "${monitor.query}" is not burn_rate("<slo>").over("<7d|30d|90d>").long_window("<n>").short_window("<n>") > <number>`
        : `query: "${monitor.query}" is not <aggregation>(last_<n>): <metric query> <comparator> <number>`,
    );
  }
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

/** A count query Datadog accepts in a metric SLO: `sum:<metric>{…}.as_count()` or a threshold query `count(v: v<=N):<metric>{…}`. */
const SLO_COUNT_QUERY = /^(sum:[a-z][a-z0-9_.]*\{[^{}]+\}\.as_count\(\)|count\(v: v(<=|<|>=|>)-?\d+(\.\d+)?\):[a-z][a-z0-9_.]*\{[^{}]+\})$/;
const REQUIRED_SLO_TAGS = ['service', 'team', 'env', 'managed-by', 'slo-key'];

/** Local checks of an SLO: target, exactly one kind of query and its shape, required tags. */
export function validateSlo(slo: SloDefinition): MonitorProblem | undefined {
  const problems: string[] = [];
  if (!(slo.target > 0 && slo.target < 100)) problems.push(`target: ${slo.target} must be a percentage above 0 and below 100`);
  if (Boolean(slo.metric) === Boolean(slo.timeSlice)) problems.push('needs exactly one of metric (good / all counts) or timeSlice');
  if (slo.metric) {
    for (const side of ['numerator', 'denominator'] as const) {
      if (!SLO_COUNT_QUERY.test(slo.metric[side])) problems.push(`metric.${side}: "${slo.metric[side]}" is neither sum:<metric>{tags}.as_count() nor a threshold query count(v: v<=N):<metric>{tags}`);
    }
  }
  if (slo.timeSlice && !/^(avg|max|min|sum):[a-z][a-z0-9_.]*\{[^{}]+\}$/.test(slo.timeSlice.query)) problems.push(`timeSlice.query: "${slo.timeSlice.query}" is not <aggregation>:<metric>{tags}`);
  for (const tag of slo.tags) if (!TAG.test(tag)) problems.push(`tags: "${tag}" is not a valid Datadog tag`);
  for (const name of REQUIRED_SLO_TAGS) if (!slo.tags.some((tag) => tag.startsWith(`${name}:`))) problems.push(`tags: missing ${name}:`);
  return problems.length > 0 ? { key: slo.key, name: slo.name, problems } : undefined;
}
