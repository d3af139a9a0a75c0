/**
 * Events as the console lists them: each `event.put` record with what its
 * outcomes add up to (per target, the latest outcome wins, so a dead letter
 * redriven and delivered reads `delivered`).
 */
import type { TelemetryKinds } from '../core/telemetry';
import type { RecordedRecord, TelemetryRecorder } from './recorder';

export type EventOutcome = 'unmatched' | 'pending' | 'delivered' | 'retrying' | 'dead-lettered' | 'dropped';
export const EVENT_OUTCOMES: readonly EventOutcome[] = ['unmatched', 'pending', 'delivered', 'retrying', 'dead-lettered', 'dropped'];

export type PutRecord = RecordedRecord & { type: 'event.put' };
export type OutcomeRecord = RecordedRecord & { type: 'target.outcome' };

export interface EventSummary {
  eventId: string;
  seq: number;
  at: number;
  bus: string;
  source: string;
  detailType: string;
  /** `detail.metadata.version` of a Kestrel event. */
  version?: number;
  /** `detail.metadata.producer`. */
  producer?: string;
  correlationId?: string;
  size: number;
  matchedRules: string[];
  outcome: EventOutcome;
  /** Targets that have reported at least once. */
  targets: number;
}

export interface TargetOutcomes {
  rule: string;
  targetArn: string;
  /** The latest outcome. */
  outcome: TelemetryKinds['target.outcome']['outcome'];
  /** Attempts made, the first included. */
  attempts: number;
  reason?: string;
  history: { at: number; outcome: string; attempt: number; reason?: string }[];
}

export function metadataOf(event: Record<string, unknown>): { version?: number; producer?: string } {
  const metadata = (event.detail as { metadata?: { version?: unknown; producer?: unknown } } | undefined)?.metadata;
  return {
    ...(typeof metadata?.version === 'number' ? { version: metadata.version } : {}),
    ...(typeof metadata?.producer === 'string' ? { producer: metadata.producer } : {}),
  };
}

/** Each target's outcomes of one event, in the order they first reported. */
export function targetOutcomes(outcomes: readonly OutcomeRecord[]): TargetOutcomes[] {
  const byTarget = new Map<string, TargetOutcomes>();
  for (const record of outcomes) {
    const key = `${record.rule}|${record.targetArn}`;
    let target = byTarget.get(key);
    if (!target) {
      target = { rule: record.rule, targetArn: record.targetArn, outcome: record.outcome, attempts: 0, history: [] };
      byTarget.set(key, target);
    }
    target.outcome = record.outcome;
    target.attempts += 1;
    if (record.reason) target.reason = record.reason;
    else if (record.outcome === 'delivered') delete target.reason;
    target.history.push({ at: record.at, outcome: record.outcome, attempt: record.attempt, ...(record.reason ? { reason: record.reason } : {}) });
  }
  return [...byTarget.values()];
}

/** What an event's targets add up to: the worst latest outcome among them. */
export function overallOutcome(put: PutRecord, targets: readonly TargetOutcomes[]): EventOutcome {
  if (put.matchedRules.length === 0) return 'unmatched';
  if (targets.length === 0) return 'pending';
  const latest = new Set(targets.map((target) => target.outcome));
  if (latest.has('dead-lettered')) return 'dead-lettered';
  if (latest.has('dropped')) return 'dropped';
  if (latest.has('retrying')) return 'retrying';
  return 'delivered';
}

export function summarize(put: PutRecord, recorder: TelemetryRecorder): EventSummary {
  const outcomes = recorder.query({ eventId: put.eventId, type: 'target.outcome' }) as OutcomeRecord[];
  const targets = targetOutcomes(outcomes);
  return {
    eventId: put.eventId,
    seq: put.seq,
    at: put.at,
    bus: put.bus,
    source: put.source,
    detailType: put.detailType,
    ...metadataOf(put.event),
    ...(put.correlationId !== undefined ? { correlationId: put.correlationId } : {}),
    size: put.size,
    matchedRules: put.matchedRules,
    outcome: overallOutcome(put, targets),
    targets: targets.length,
  };
}
