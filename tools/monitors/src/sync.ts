import { client, v1 } from '@datadog/datadog-api-client';
import type { Ownership } from '@kestrel/observability';
import { MANAGED_BY, type MonitorDefinition } from './definition';
import { resolveSloReferences, type SloDefinition } from './slo';
import { validateDefinition, validateSlo, type MonitorProblem } from './validate';

/** Credentials and where the Datadog API is. */
export interface DatadogConnection {
  apiKey: string;
  appKey: string;
  /** `datadoghq.com`, `datadoghq.eu`…; ignored when `baseUrl` is set. */
  site?: string;
  /** A full base URL (a local fake in tests). */
  baseUrl?: string;
  maxRetries?: number;
}

/** The real client, configured: retries 429 and 5xx (honouring `x-ratelimit-reset`). */
export function datadogConfiguration(connection: DatadogConnection): client.Configuration {
  const configuration = client.createConfiguration({
    authMethods: { apiKeyAuth: connection.apiKey, appKeyAuth: connection.appKey },
    enableRetry: true,
    maxRetries: connection.maxRetries ?? 5,
    ...(connection.baseUrl ? { baseServer: new client.BaseServerConfiguration(connection.baseUrl, {}) } : {}),
  });
  if (!connection.baseUrl && connection.site) configuration.setServerVariables({ site: connection.site });
  return configuration;
}

/** Reads the connection from `DD_API_KEY`, `DD_APP_KEY` (or `DD_APPLICATION_KEY`), `DD_SITE`, `DD_API_URL`. */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): DatadogConnection | undefined {
  const apiKey = env.DD_API_KEY;
  const appKey = env.DD_APP_KEY ?? env.DD_APPLICATION_KEY;
  if (!apiKey || !appKey) return undefined;
  return { apiKey, appKey, site: env.DD_SITE, baseUrl: env.DD_API_URL };
}

export type Action = 'create' | 'update' | 'delete' | 'keep';

export interface PlannedChange {
  readonly action: Action;
  readonly key: string;
  readonly name: string;
  /** Datadog id of the existing monitor (update, delete, keep). */
  readonly id?: number;
  readonly definition?: MonitorDefinition;
  /** Fields that differ, for updates. */
  readonly changed?: readonly string[];
}

export interface PagerDutyChange {
  readonly action: 'create' | 'update' | 'keep' | 'unknown';
  readonly serviceName: string;
  /** Where the integration key is read from. */
  readonly keyVariable: string;
  readonly note?: string;
}

export interface PlannedSloChange {
  readonly action: Action;
  readonly key: string;
  readonly name: string;
  /** Datadog id of the existing SLO (update, delete, keep). */
  readonly id?: string;
  readonly definition?: SloDefinition;
  readonly changed?: readonly string[];
}

export interface Plan {
  readonly service: string;
  /** Written before the monitors: a burn-rate monitor names its SLO by id. */
  readonly slos: readonly PlannedSloChange[];
  readonly monitors: readonly PlannedChange[];
  readonly pagerDuty: readonly PagerDutyChange[];
  /** False when no API keys were given: existing monitors are unknown and every monitor shows as `create`. */
  readonly againstApi: boolean;
}

/** Validation failed: nothing was written. */
export class MonitorValidationError extends Error {
  constructor(readonly failures: readonly MonitorProblem[]) {
    super(
      `${failures.length} monitor(s) failed validation; nothing was changed:\n${failures
        .map((f) => `  - ${f.name} [${f.key}]\n${f.problems.map((p) => `      ${p}`).join('\n')}`)
        .join('\n')}`,
    );
    this.name = 'MonitorValidationError';
  }
}

/** `--apply` without credentials. */
export class MissingApiKeyError extends Error {
  constructor() {
    super('--apply needs DD_API_KEY and DD_APP_KEY (and DD_SITE unless it is datadoghq.com); a dry run needs no keys');
    this.name = 'MissingApiKeyError';
  }
}

/**
 * The Datadog API body (the client's camelCase model) of a definition; a burn-rate query gets the
 * ids of the SLOs in `sloIds` (by key) in place of its placeholder.
 */
export function toApiMonitor(definition: MonitorDefinition, sloIds: ReadonlyMap<string, string> = new Map()): v1.Monitor {
  const { options } = definition;
  return {
    name: definition.name,
    type: definition.type,
    query: resolveSloReferences(definition.query, sloIds),
    message: definition.message,
    tags: [...definition.tags],
    priority: definition.priority,
    options: {
      thresholds: { critical: options.thresholds.critical, ...(options.thresholds.warning !== undefined ? { warning: options.thresholds.warning } : {}) },
      notifyNoData: options.notify_no_data,
      requireFullWindow: options.require_full_window,
      includeTags: options.include_tags,
      ...(options.renotify_interval !== undefined ? { renotifyInterval: options.renotify_interval } : {}),
      ...(options.evaluation_delay !== undefined ? { evaluationDelay: options.evaluation_delay } : {}),
    },
  } as v1.Monitor;
}

/** The Datadog API body of an SLO definition: count based (`metric`) or `time_slice`. */
export function toApiSlo(definition: SloDefinition): v1.ServiceLevelObjectiveRequest {
  const common = {
    name: definition.name,
    description: definition.description,
    tags: [...definition.tags],
    timeframe: definition.timeframe,
    targetThreshold: definition.target,
    thresholds: [{ timeframe: definition.timeframe, target: definition.target }],
  };
  if (definition.metric) return { ...common, type: 'metric', query: { ...definition.metric } } as v1.ServiceLevelObjectiveRequest;
  const slice = definition.timeSlice;
  if (!slice) throw new Error(`SLO ${definition.key} has neither a metric nor a time slice query`);
  return {
    ...common,
    type: 'time_slice',
    sliSpecification: {
      timeSlice: {
        comparator: slice.comparator,
        threshold: slice.threshold,
        queryIntervalSeconds: slice.intervalSeconds,
        query: { formulas: [{ formula: 'query1' }], queries: [{ dataSource: 'metrics', name: 'query1', query: slice.query }] },
      },
    },
  } as v1.ServiceLevelObjectiveRequest;
}

/** The SLO fields we own, normalised, for comparing what exists with what we want. */
function comparableSlo(slo: v1.ServiceLevelObjectiveRequest | v1.ServiceLevelObjective): Record<string, unknown> {
  const slice = slo.sliSpecification && 'timeSlice' in slo.sliSpecification ? slo.sliSpecification.timeSlice : undefined;
  return {
    name: slo.name,
    description: slo.description ?? null,
    tags: [...(slo.tags ?? [])].sort(),
    type: slo.type,
    target: slo.thresholds.find((t) => t.timeframe === '30d')?.target ?? null,
    numerator: slo.query?.numerator ?? null,
    denominator: slo.query?.denominator ?? null,
    timeSlice: slice ? { comparator: slice.comparator, threshold: slice.threshold, query: slice.query.queries.map((q) => ('query' in q ? q.query : null)) } : null,
  };
}

function sloKeyOf(slo: v1.ServiceLevelObjective): string | undefined {
  return slo.tags?.find((tag) => tag.startsWith('slo-key:'))?.slice('slo-key:'.length);
}

/** The fields we own, normalised, for comparing what exists with what we want. */
function comparable(monitor: v1.Monitor): Record<string, unknown> {
  const o = monitor.options ?? {};
  return {
    name: monitor.name,
    query: monitor.query,
    message: monitor.message,
    tags: [...(monitor.tags ?? [])].sort(),
    priority: monitor.priority ?? null,
    thresholds: { critical: o.thresholds?.critical ?? null, warning: o.thresholds?.warning ?? null },
    notifyNoData: o.notifyNoData ?? false,
    requireFullWindow: o.requireFullWindow ?? null,
    includeTags: o.includeTags ?? null,
    renotifyInterval: o.renotifyInterval ?? null,
    evaluationDelay: o.evaluationDelay ?? null,
  };
}

function keyOf(monitor: v1.Monitor): string | undefined {
  return monitor.tags?.find((tag) => tag.startsWith('monitor-key:'))?.slice('monitor-key:'.length);
}

/** Text of an API error: Datadog answers `{ errors: [...] }`. */
export function apiErrorText(error: unknown): string {
  if (error instanceof client.ApiException) {
    const body = error.body as { errors?: unknown[] } | string | undefined;
    const errors = typeof body === 'object' && body && Array.isArray(body.errors) ? body.errors.map(String).join('; ') : JSON.stringify(body);
    return `HTTP ${error.code}: ${errors}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The variable holding a PagerDuty service's integration key: `PAGERDUTY_KEY_KESTREL_CUSTOMERS`. */
export function pagerDutyKeyVariable(serviceName: string): string {
  return `PAGERDUTY_KEY_${serviceName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export interface PlanInput {
  service: string;
  ownership: Ownership;
  monitors: readonly MonitorDefinition[];
  /** The service's SLOs; the burn-rate monitors among `monitors` name them by key. */
  slos?: readonly SloDefinition[];
  connection?: DatadogConnection;
  env?: NodeJS.ProcessEnv;
}

/**
 * Validates every monitor (locally, then with `validateMonitor` when connected) and diffs the
 * service's monitors against those in Datadog tagged `service:<s>` and `managed-by:kestrel-monitors`.
 * Throws {@link MonitorValidationError} listing every failure; nothing is written by planning.
 */
export async function planSync({ service, ownership, monitors, slos = [], connection, env = process.env }: PlanInput): Promise<Plan> {
  const sloKeys = new Set(slos.map((slo) => slo.key));
  const local = [
    ...slos.flatMap((slo) => validateSlo(slo) ?? []),
    ...monitors.flatMap((monitor) => validateDefinition(monitor) ?? []),
    ...monitors
      .filter((monitor) => monitor.slo !== undefined && !sloKeys.has(monitor.slo))
      .map((monitor) => ({ key: monitor.key, name: monitor.name, problems: [`slo: "${monitor.slo}" is not one of the SLOs being synced`] })),
  ];
  if (local.length > 0) throw new MonitorValidationError(local);

  const keyVariable = pagerDutyKeyVariable(ownership.pagerDutyService);
  if (!connection) {
    return {
      service,
      againstApi: false,
      slos: slos.map((definition) => ({ action: 'create' as const, key: definition.key, name: definition.name, definition })),
      monitors: monitors.map((definition) => ({ action: 'create' as const, key: definition.key, name: definition.name, definition })),
      pagerDuty: [{ action: 'unknown', serviceName: ownership.pagerDutyService, keyVariable, note: 'no API keys: existing configuration unknown' }],
    };
  }

  const configuration = datadogConfiguration(connection);
  const sloPlan = await planSlos(configuration, service, slos);
  const sloIds = new Map(sloPlan.flatMap((change) => (change.id !== undefined && change.action !== 'delete' ? [[change.key, change.id] as const] : [])));
  const api = new v1.MonitorsApi(configuration);
  const remote: MonitorProblem[] = [];
  for (const definition of monitors) {
    // A burn-rate monitor on an SLO not created yet can't be validated: its query has no id to name.
    if (definition.slo !== undefined && !sloIds.has(definition.slo)) continue;
    try {
      await api.validateMonitor({ body: toApiMonitor(definition, sloIds) });
    } catch (error) {
      remote.push({ key: definition.key, name: definition.name, problems: [apiErrorText(error)] });
    }
  }
  if (remote.length > 0) throw new MonitorValidationError(remote);

  const existing: v1.Monitor[] = [];
  for await (const monitor of api.listMonitorsWithPagination({ monitorTags: `service:${service},managed-by:${MANAGED_BY}`, pageSize: 100 })) {
    existing.push(monitor);
  }
  const byKey = new Map(existing.flatMap((monitor) => (keyOf(monitor) ? [[keyOf(monitor) as string, monitor] as const] : [])));
  const wanted = new Set(monitors.map((m) => m.key));
  const changes: PlannedChange[] = monitors.map((definition) => {
    const current = byKey.get(definition.key);
    if (!current) return { action: 'create', key: definition.key, name: definition.name, definition };
    const want = comparable(toApiMonitor(definition, sloIds));
    const have = comparable(current);
    const changed = Object.keys(want).filter((field) => JSON.stringify(want[field]) !== JSON.stringify(have[field]));
    return { action: changed.length > 0 ? 'update' : 'keep', key: definition.key, name: definition.name, id: current.id, definition, changed };
  });
  for (const monitor of existing) {
    const key = keyOf(monitor);
    // Only monitors of this service that the generator no longer produces; untagged ones are someone's manual work.
    if (!key || wanted.has(key) || !(monitor.tags ?? []).includes(`service:${service}`)) continue;
    changes.push({ action: 'delete', key, name: monitor.name ?? key, id: monitor.id });
  }

  return { service, againstApi: true, slos: sloPlan, monitors: changes, pagerDuty: [await planPagerDuty(configuration, ownership.pagerDutyService, env)] };
}

/** Diffs the SLOs we want with those in Datadog tagged `service:<s>` and `managed-by:kestrel-monitors`. */
async function planSlos(configuration: client.Configuration, service: string, slos: readonly SloDefinition[]): Promise<PlannedSloChange[]> {
  const api = new v1.ServiceLevelObjectivesApi(configuration);
  const existing: v1.ServiceLevelObjective[] = [];
  // The list filters by one tag only: the service's, then ours among them.
  for await (const slo of api.listSLOsWithPagination({ tagsQuery: `service:${service}`, limit: 100 })) {
    if ((slo.tags ?? []).includes(`managed-by:${MANAGED_BY}`)) existing.push(slo);
  }
  const byKey = new Map(existing.flatMap((slo) => (sloKeyOf(slo) ? [[sloKeyOf(slo) as string, slo] as const] : [])));
  const changes: PlannedSloChange[] = slos.map((definition) => {
    const current = byKey.get(definition.key);
    if (!current) return { action: 'create', key: definition.key, name: definition.name, definition };
    const want = comparableSlo(toApiSlo(definition));
    const have = comparableSlo(current);
    const changed = Object.keys(want).filter((field) => JSON.stringify(want[field]) !== JSON.stringify(have[field]));
    return { action: changed.length > 0 ? 'update' : 'keep', key: definition.key, name: definition.name, id: current.id, definition, changed };
  });
  const wanted = new Set(slos.map((slo) => slo.key));
  for (const slo of existing) {
    const key = sloKeyOf(slo);
    if (key && !wanted.has(key)) changes.push({ action: 'delete', key, name: slo.name, id: slo.id });
  }
  return changes;
}

async function planPagerDuty(configuration: client.Configuration, serviceName: string, env: NodeJS.ProcessEnv): Promise<PagerDutyChange> {
  const keyVariable = pagerDutyKeyVariable(serviceName);
  const api = new v1.PagerDutyIntegrationApi(configuration);
  try {
    await api.getPagerDutyIntegrationService({ serviceName });
    // Datadog never returns the key, so it can't be compared: rotate it only when one is given.
    return env[keyVariable]
      ? { action: 'update', serviceName, keyVariable, note: `integration key from ${keyVariable}` }
      : { action: 'keep', serviceName, keyVariable };
  } catch (error) {
    if (error instanceof client.ApiException && error.code === 404) {
      return { action: 'create', serviceName, keyVariable, note: env[keyVariable] ? `integration key from ${keyVariable}` : `needs ${keyVariable} to apply` };
    }
    throw error;
  }
}

export interface ApplyResult {
  readonly created: number;
  readonly updated: number;
  readonly deleted: number;
  readonly slos: { readonly created: number; readonly updated: number; readonly deleted: number };
  readonly pagerDuty: string;
}

/** Writes a plan: creates, updates and deletes only the plan's monitors, then the PagerDuty service. */
export async function applyPlan(plan: Plan, connection: DatadogConnection | undefined, env: NodeJS.ProcessEnv = process.env): Promise<ApplyResult> {
  if (!connection) throw new MissingApiKeyError();
  if (!plan.againstApi) throw new Error('This plan was made without API access; plan again with credentials before applying');
  const pd = plan.pagerDuty[0];
  if (pd?.action === 'create' && !env[pd.keyVariable]) {
    throw new Error(`PagerDuty service "${pd.serviceName}" does not exist in Datadog's PagerDuty integration; set ${pd.keyVariable} to its integration key`);
  }
  const configuration = datadogConfiguration(connection);
  // SLOs first: the burn-rate monitors created or updated below name them by id.
  const sloApi = new v1.ServiceLevelObjectivesApi(configuration);
  const sloIds = new Map<string, string>();
  const slos = { created: 0, updated: 0, deleted: 0 };
  for (const change of plan.slos) {
    if (change.action === 'create' && change.definition) {
      const id = (await sloApi.createSLO({ body: toApiSlo(change.definition) })).data?.[0]?.id;
      if (!id) throw new Error(`Datadog created SLO ${change.key} but returned no id`);
      sloIds.set(change.key, id);
      slos.created++;
    } else if ((change.action === 'update' || change.action === 'keep') && change.id !== undefined) {
      sloIds.set(change.key, change.id);
      if (change.action === 'update' && change.definition) {
        await sloApi.updateSLO({ sloId: change.id, body: toApiSlo(change.definition) as v1.ServiceLevelObjective });
        slos.updated++;
      }
    }
  }
  const api = new v1.MonitorsApi(configuration);
  let created = 0;
  let updated = 0;
  let deleted = 0;
  for (const change of plan.monitors) {
    if (change.action === 'create' && change.definition) {
      await api.createMonitor({ body: toApiMonitor(change.definition, sloIds) });
      created++;
    } else if (change.action === 'update' && change.definition && change.id !== undefined) {
      await api.updateMonitor({ monitorId: change.id, body: toApiMonitor(change.definition, sloIds) as v1.MonitorUpdateRequest });
      updated++;
    } else if (change.action === 'delete' && change.id !== undefined) {
      await api.deleteMonitor({ monitorId: change.id });
      deleted++;
    }
  }
  // Last: the burn-rate monitors naming these SLOs went above, so none is left pointing at a deleted SLO (Datadog answers 409 when deleting an SLO still referenced, as its API documents for dashboards).
  for (const change of plan.slos) {
    if (change.action === 'delete' && change.id !== undefined) {
      await sloApi.deleteSLO({ sloId: change.id });
      slos.deleted++;
    }
  }
  let pagerDuty = 'unchanged';
  if (pd && (pd.action === 'create' || pd.action === 'update')) {
    const pdApi = new v1.PagerDutyIntegrationApi(configuration);
    const serviceKey = env[pd.keyVariable] as string;
    if (pd.action === 'create') await pdApi.createPagerDutyIntegrationService({ body: { serviceName: pd.serviceName, serviceKey } });
    else await pdApi.updatePagerDutyIntegrationService({ serviceName: pd.serviceName, body: { serviceKey } });
    pagerDuty = `${pd.action}d ${pd.serviceName}`;
  }
  return { created, updated, deleted, slos, pagerDuty };
}

/** The plan as a fixed-width table, one row per monitor and one for the PagerDuty service. */
export function formatPlan(plan: Plan): string {
  const rows = [
    ...plan.slos.map((change) => [`slo:${change.action}`, change.key, change.changed?.length ? change.changed.join(',') : '']),
    ...plan.monitors.map((change) => [change.action, change.key, change.changed?.length ? change.changed.join(',') : '']),
    ...plan.pagerDuty.map((pd) => [`pagerduty:${pd.action}`, pd.serviceName, pd.note ?? '']),
  ];
  const header = ['action', 'monitor', 'changes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const count = (changes: readonly { action: Action }[]) => (['create', 'update', 'delete', 'keep'] as const).map((a) => `${changes.filter((c) => c.action === a).length} to ${a}`).join(', ');
  return [
    `SLOs for ${plan.service}: ${count(plan.slos)}`,
    `Monitors for ${plan.service}: ${count(plan.monitors)}${plan.againstApi ? '' : ' (dry run without DD_API_KEY/DD_APP_KEY: validated locally, existing monitors not read)'}`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
