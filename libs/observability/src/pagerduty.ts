/** PagerDuty Events API v2: the endpoint integrations send alerts to. */
export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** The Events API rejects longer summaries; we cut them instead of losing the page. */
export const MAX_SUMMARY_LENGTH = 1024;
const MAX_DEDUP_KEY_LENGTH = 255;

export type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

export interface PagerDutyLink {
  href: string;
  text?: string;
}

export interface TriggerInput {
  /** Same key for the same problem: later triggers group into one incident, resolve closes it. */
  dedupKey: string;
  /** One line on what is wrong; cut to 1024 characters. */
  summary: string;
  /** Where it happened: a host, a pipeline, a service. */
  source: string;
  severity: PagerDutySeverity;
  component?: string;
  group?: string;
  class?: string;
  customDetails?: Record<string, unknown>;
  links?: PagerDutyLink[];
  timestamp?: Date;
}

/** An event the Events API refused, with what it said. */
export class PagerDutyError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors: readonly string[] = [],
  ) {
    super(errors.length > 0 ? `${message}: ${errors.join('; ')}` : message);
    this.name = 'PagerDutyError';
  }
}

export interface PagerDutyClientOptions {
  /** The integration (routing) key of the PagerDuty service: 32 characters. */
  routingKey: string;
  /** Defaults to the public Events API; tests point it at a local fake. */
  url?: string;
  /** Attempts for 429 and 5xx answers (default 4), with exponential backoff from `backoffMs` (default 500). */
  maxAttempts?: number;
  backoffMs?: number;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
}

function check(field: string, ok: boolean, problem: string, problems: string[]): void {
  if (!ok) problems.push(`${field}: ${problem}`);
}

/** Cuts a summary to the Events API limit, marking the cut. */
export function truncateSummary(summary: string): string {
  const chars = [...summary];
  return chars.length <= MAX_SUMMARY_LENGTH ? summary : `${chars.slice(0, MAX_SUMMARY_LENGTH - 1).join('')}…`;
}

/**
 * A client for the PagerDuty Events API v2: trigger an alert, acknowledge it, resolve it, all by
 * `dedup_key`. Retries rate limiting (429) and server errors with backoff; any other refusal throws
 * a {@link PagerDutyError} with PagerDuty's reasons. The deploy pipeline pages on a failed
 * production deploy and resolves on the next success with the same key.
 *
 * @example
 * ```ts
 * const pagerDuty = new PagerDutyEventsClient({ routingKey: process.env.PAGERDUTY_ROUTING_KEY! });
 * await pagerDuty.trigger({
 *   dedupKey: 'deploy/customers/production', summary: 'customers production deploy failed',
 *   source: 'github-actions', severity: 'critical', links: [{ href: runUrl, text: 'Pipeline run' }],
 * });
 * await pagerDuty.resolve('deploy/customers/production');
 * ```
 */
export class PagerDutyEventsClient {
  private readonly url: string;
  private readonly routingKey: string;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly fetch: typeof globalThis.fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: PagerDutyClientOptions) {
    if (!/^[A-Za-z0-9]{32}$/.test(options.routingKey ?? '')) {
      throw new PagerDutyError('routingKey: must be the 32-character integration key of a PagerDuty service', 0);
    }
    this.routingKey = options.routingKey;
    this.url = options.url ?? PAGERDUTY_EVENTS_URL;
    this.maxAttempts = options.maxAttempts ?? 4;
    this.backoffMs = options.backoffMs ?? 500;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Opens (or adds to) the incident for `dedupKey`. Returns the dedup key PagerDuty recorded. */
  async trigger(input: TriggerInput): Promise<string> {
    const problems: string[] = [];
    this.checkDedupKey(input.dedupKey, problems);
    check('summary', input.summary.trim() !== '', 'must say what is wrong', problems);
    check('source', input.source.trim() !== '', 'must name where it happened', problems);
    check('severity', ['critical', 'error', 'warning', 'info'].includes(input.severity), 'must be critical, error, warning or info', problems);
    (input.links ?? []).forEach((link, i) => check(`links[${i}].href`, /^https?:\/\//.test(link.href), 'must be an http(s) URL', problems));
    if (problems.length > 0) throw new PagerDutyError('Invalid PagerDuty trigger', 0, problems);

    return this.send({
      routing_key: this.routingKey,
      event_action: 'trigger',
      dedup_key: input.dedupKey,
      payload: {
        summary: truncateSummary(input.summary),
        source: input.source,
        severity: input.severity,
        ...(input.timestamp ? { timestamp: input.timestamp.toISOString() } : {}),
        ...(input.component ? { component: input.component } : {}),
        ...(input.group ? { group: input.group } : {}),
        ...(input.class ? { class: input.class } : {}),
        ...(input.customDetails ? { custom_details: input.customDetails } : {}),
      },
      ...(input.links?.length ? { links: input.links } : {}),
    });
  }

  /** Marks the incident for `dedupKey` as being worked on (stops escalation). */
  async acknowledge(dedupKey: string): Promise<string> {
    return this.action('acknowledge', dedupKey);
  }

  /** Closes the incident for `dedupKey`. */
  async resolve(dedupKey: string): Promise<string> {
    return this.action('resolve', dedupKey);
  }

  private async action(eventAction: 'acknowledge' | 'resolve', dedupKey: string): Promise<string> {
    const problems: string[] = [];
    this.checkDedupKey(dedupKey, problems);
    if (problems.length > 0) throw new PagerDutyError(`Invalid PagerDuty ${eventAction}`, 0, problems);
    return this.send({ routing_key: this.routingKey, event_action: eventAction, dedup_key: dedupKey });
  }

  private checkDedupKey(dedupKey: string, problems: string[]): void {
    check('dedupKey', dedupKey.length > 0 && dedupKey.length <= MAX_DEDUP_KEY_LENGTH, `must be 1 to ${MAX_DEDUP_KEY_LENGTH} characters`, problems);
  }

  private async send(body: Record<string, unknown>): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      const answer = (text ? safeJson(text) : {}) as { status?: string; message?: string; dedup_key?: string; errors?: string[] };
      if (response.status === 202 || response.ok) return answer.dedup_key ?? String(body.dedup_key);
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= this.maxAttempts) {
        throw new PagerDutyError(
          `PagerDuty refused the ${String(body.event_action)} event (HTTP ${response.status}${answer.message ? `: ${answer.message}` : ''})`,
          response.status,
          answer.errors ?? [],
        );
      }
      await this.sleep(this.backoffMs * 2 ** (attempt - 1));
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 200) };
  }
}
