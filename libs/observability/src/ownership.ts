/**
 * Who answers for each service: the one place monitors, alert routing and infrastructure read
 * ownership from. Adding a service means adding an entry here; monitor generation (and the
 * workspace test over `apps/*` manifests) fails, naming the service, until it exists.
 */

export interface Ownership {
  /** The owning team; must equal the manifest's `owner.team` (the stacks' `owner` tag). */
  readonly team: string;
  /** The PagerDuty service name as configured in Datadog's PagerDuty integration (`@pagerduty-<name>`). */
  readonly pagerDutyService: string;
  /** Slack channel without `#`, as in Datadog's Slack integration (`@slack-<channel>`). */
  readonly slackChannel: string;
  /** Where runbooks live; a monitor links to `<runbookBaseUrl>#<monitor kind>`. */
  readonly runbookBaseUrl: string;
}

/** The shared runbooks: one section per monitor kind (docs/on-call.md). */
export const SHARED_RUNBOOKS = 'https://github.com/kestrel-platform/kestrel/blob/main/docs/on-call.md';

export const OWNERSHIP = {
  identity: {
    team: 'identity-and-access',
    pagerDutyService: 'kestrel-identity',
    slackChannel: 'kestrel-identity-alerts',
    runbookBaseUrl: SHARED_RUNBOOKS,
  },
  customers: {
    team: 'customer-experience',
    pagerDutyService: 'kestrel-customers',
    slackChannel: 'kestrel-customers-alerts',
    runbookBaseUrl: SHARED_RUNBOOKS,
  },
  catalog: {
    team: 'merchandising',
    pagerDutyService: 'kestrel-catalog',
    slackChannel: 'kestrel-catalog-alerts',
    runbookBaseUrl: SHARED_RUNBOOKS,
  },
  'analytics-ingest': {
    team: 'data-platform',
    pagerDutyService: 'kestrel-analytics',
    slackChannel: 'kestrel-data-alerts',
    runbookBaseUrl: SHARED_RUNBOOKS,
  },
  platform: {
    team: 'team-platform',
    pagerDutyService: 'kestrel-platform',
    slackChannel: 'kestrel-platform-alerts',
    runbookBaseUrl: SHARED_RUNBOOKS,
  },
  bootstrap: {
    team: 'team-platform',
    pagerDutyService: 'kestrel-platform',
    slackChannel: 'kestrel-platform-alerts',
    runbookBaseUrl: SHARED_RUNBOOKS,
  },
} as const satisfies Record<string, Ownership>;

/** Raised when a service has no ownership entry: nobody would be paged for it. */
export class MissingOwnershipError extends Error {
  constructor(readonly service: string) {
    super(
      `Service "${service}" has no ownership entry: add its team, PagerDuty service, Slack channel and runbook base URL to libs/observability/src/ownership.ts (known: ${Object.keys(OWNERSHIP).join(', ')})`,
    );
    this.name = 'MissingOwnershipError';
  }
}

/**
 * The ownership entry of a service.
 *
 * @throws {@link MissingOwnershipError} naming the service when there is none.
 *
 * @example
 * ```ts
 * ownershipOf('customers').pagerDutyService; // 'kestrel-customers'
 * ```
 */
export function ownershipOf(service: string, registry: Readonly<Record<string, Ownership>> = OWNERSHIP): Ownership {
  const entry = Object.hasOwn(registry, service) ? registry[service] : undefined;
  if (!entry) throw new MissingOwnershipError(service);
  return entry;
}
