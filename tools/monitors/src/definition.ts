import type { MonitorKindId, Priority } from './kinds';

/** Tag every generated monitor carries; the sync manages only monitors with it. */
export const MANAGED_BY = 'kestrel-monitors';

/** The Datadog monitor we want (the v1 `Monitor` body fields we set), plus what it watches. */
export interface MonitorDefinition {
  /** Stable identity across runs: `<env>/<kind>/<resource name>[/<detail>]`; carried as the `monitor-key` tag. */
  readonly key: string;
  readonly kind: MonitorKindId;
  /** Terraform addresses of the resources this monitor watches (for the "no unmonitored resource" check). */
  readonly watches: readonly string[];
  readonly service: string;
  readonly env: string;
  readonly name: string;
  /** `slo alert`: a burn-rate alert on the SLO named by {@link slo}. */
  readonly type: 'query alert' | 'slo alert';
  /** For `slo alert`: the key of the SLO (its query names it by a placeholder until the SLO has an id). */
  readonly slo?: string;
  readonly query: string;
  readonly message: string;
  readonly tags: readonly string[];
  readonly priority: Priority;
  readonly options: {
    readonly thresholds: { readonly critical: number; readonly warning?: number };
    readonly notify_no_data: boolean;
    readonly require_full_window: boolean;
    readonly include_tags: boolean;
    readonly renotify_interval?: number;
    readonly evaluation_delay?: number;
  };
}

/** The monitor body sent to Datadog (no generator-only fields). */
export function toDatadogBody(definition: MonitorDefinition): {
  name: string;
  type: MonitorDefinition['type'];
  query: string;
  message: string;
  tags: string[];
  priority: number;
  options: MonitorDefinition['options'];
} {
  return {
    name: definition.name,
    type: definition.type,
    query: definition.query,
    message: definition.message,
    tags: [...definition.tags],
    priority: definition.priority,
    options: definition.options,
  };
}
