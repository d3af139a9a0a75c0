/**
 * What happened in the local cloud, as it happens: events put on a bus, the
 * rules they matched and each target's outcome, function invocations, HTTP API
 * requests. Modules publish records; the console (src/console) records and
 * streams them. Publishing is synchronous and cheap, and a listener that throws
 * never reaches the module that published.
 */

/**
 * Record kinds and their fields. A module that reports something new adds its
 * kind here, so every listener sees one typed vocabulary.
 */
export interface TelemetryKinds {
  /** An event accepted by PutEvents (or put by a pipe, a schedule, a replay). */
  'event.put': {
    eventId: string;
    bus: string;
    source: string;
    detailType: string;
    /** The whole event as targets receive it. */
    event: Record<string, unknown>;
    /** Names of the rules on the bus that matched it. */
    matchedRules: string[];
    size: number;
  };
  /** One target's outcome for one event (an attempt that failed and will be retried is `retrying`). */
  'target.outcome': {
    eventId: string;
    bus: string;
    rule: string;
    targetArn: string;
    outcome: 'delivered' | 'retrying' | 'dead-lettered' | 'dropped';
    attempt: number;
    reason?: string;
  };
  /** One Lambda invocation, as its REPORT line would tell it. */
  invocation: {
    functionName: string;
    requestId: string;
    durationMs: number;
    coldStart: boolean;
    initDurationMs?: number;
    /** What invoked it, read from the event as the handlers' logger reads it: `http`, `eventbridge`, `sqs`, `cognito`, `dynamodb-stream`; else `event` (async) or `direct`. */
    trigger: string;
    errorType?: string;
    errorMessage?: string;
  };
  /** One request through a local HTTP API. */
  'http.request': {
    apiId: string;
    method: string;
    path: string;
    routeKey?: string;
    status: number;
    durationMs: number;
    requestId: string;
  };
}

export type TelemetryKind = keyof TelemetryKinds;

/** A record: its kind, when (epoch ms), the correlation id it carries where known, and the kind's fields. */
export type TelemetryRecord<K extends TelemetryKind = TelemetryKind> = {
  [P in K]: { type: P; at: number; correlationId?: string } & TelemetryKinds[P];
}[K];

export type TelemetryListener = (record: TelemetryRecord) => void;

export class Telemetry {
  private readonly listeners = new Set<TelemetryListener>();

  /** Whether anyone listens: lets a module skip building a record nobody reads. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  publish(record: TelemetryRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A console bug must never fail a delivery or an invocation.
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(listener: TelemetryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
