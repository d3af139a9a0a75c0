/**
 * One flow as a timeline: everything recorded with its correlation id (HTTP
 * requests, events put, each target's outcomes, invocations) and the function
 * invocations whose log lines carry the id, each with its log lines and the
 * duration and cold start its REPORT line tells.
 */
import { functionLogDir, loggedFunctions, messageText, readLogRecords } from '../../services/lambda/function-logs';
import type { ApplicationLogRecord, PlatformLogRecord } from '../../services/lambda/function-logs';
import { ConsoleError } from '../routes';
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import type { RecordedRecord } from '../recorder';
import { metadataOf } from '../event-summaries';

/** Log lines kept per invocation in a trace. */
const MAX_LINES_PER_INVOCATION = 200;

export interface TraceStep {
  at: number;
  kind: 'http.request' | 'invocation' | 'event.put' | 'target.outcome';
  /** One line a person reads: `POST /customers → 201`, `kestrel.identity UserRegistered on kestrel-staging-bus`. */
  title: string;
  durationMs?: number;
  coldStart?: boolean;
  status?: string;
  eventId?: string;
  functionName?: string;
  requestId?: string;
  /** For an invocation: its log lines (application lines, then the REPORT line). */
  logs?: { at: string; level: string; message: string }[];
  /** The record as recorded, for a script. */
  record?: RecordedRecord;
}

interface LoggedInvocation {
  functionName: string;
  requestId: string;
  lines: (ApplicationLogRecord | PlatformLogRecord)[];
}

/** Invocations whose log lines mention the correlation id, with all their lines. */
function invocationsFromLogs(dataDir: string, correlationId: string): LoggedInvocation[] {
  const found: LoggedInvocation[] = [];
  for (const { functionName, path } of loggedFunctions(functionLogDir(dataDir))) {
    const { records } = readLogRecords(path);
    const requestIds = new Set<string>();
    for (const { record } of records) {
      if (record.requestId && messageText(record.message).includes(correlationId)) requestIds.add(record.requestId);
    }
    for (const requestId of requestIds) {
      const lines = records.map(({ record }) => record).filter((record) => record.requestId === requestId);
      found.push({ functionName, requestId, lines: lines.slice(-MAX_LINES_PER_INVOCATION) });
    }
  }
  return found;
}

function targetTitle(record: RecordedRecord & { type: 'target.outcome' }): string {
  const [, , service] = record.targetArn.split(':');
  const name = record.targetArn.split(/[:/]/).pop();
  const kind = service === 'lambda' ? 'function' : service === 'sqs' ? 'queue' : service === 'firehose' ? 'Firehose stream' : service === 'events' ? 'bus' : service;
  const attempt = record.attempt > 1 ? ` (attempt ${record.attempt})` : '';
  return `rule ${record.rule} → ${kind} ${name}: ${record.outcome}${attempt}`;
}

function stepOf(record: RecordedRecord): TraceStep {
  switch (record.type) {
    case 'http.request':
      return { at: record.at, kind: record.type, title: `${record.method} ${record.path} → ${record.status}`, durationMs: record.durationMs, status: String(record.status), requestId: record.requestId, record };
    case 'invocation':
      return {
        at: record.at,
        kind: record.type,
        title: `${record.functionName} (${record.trigger})${record.errorType ? ` failed: ${record.errorType}` : ''}`,
        durationMs: record.durationMs,
        coldStart: record.coldStart,
        status: record.errorType ? 'error' : 'success',
        functionName: record.functionName,
        requestId: record.requestId,
        record,
      };
    case 'event.put': {
      const { producer, version } = metadataOf(record.event);
      const rules = record.matchedRules.length > 0 ? `matched ${record.matchedRules.join(', ')}` : 'matched no rule';
      return {
        at: record.at,
        kind: record.type,
        title: `${record.source} ${record.detailType}${version !== undefined ? ` v${version}` : ''}${producer ? ` from ${producer}` : ''} on ${record.bus}: ${rules}`,
        eventId: record.eventId,
        record,
      };
    }
    case 'target.outcome':
      return { at: record.at, kind: record.type, title: targetTitle(record), status: record.outcome, eventId: record.eventId, record };
  }
}

function stepOfLogs(invocation: LoggedInvocation): TraceStep {
  const report = invocation.lines.find((line): line is PlatformLogRecord => 'type' in line && line.type === 'platform.report');
  const start = invocation.lines[0];
  const metrics = report?.metrics;
  const failed = report?.status && report.status !== 'success';
  return {
    at: start ? Date.parse(start.timestamp) : 0,
    kind: 'invocation',
    title: `${invocation.functionName}${failed ? ` failed${report?.errorType ? `: ${report.errorType}` : ''}` : ''}`,
    ...(metrics ? { durationMs: metrics.durationMs, coldStart: metrics.initDurationMs !== undefined } : {}),
    status: report?.status ?? 'success',
    functionName: invocation.functionName,
    requestId: invocation.requestId,
    logs: invocation.lines.map((line) => ({ at: line.timestamp, level: 'level' in line ? line.level : line.type, message: messageText(line.message) })),
  };
}

/** The flow of one correlation id, oldest step first. */
export function traceOf(deps: ConsoleDeps, correlationId: string): { correlationId: string; steps: TraceStep[]; startedAt?: number; durationMs?: number } {
  const records = deps.recorder.query({ correlationId });
  const steps = records.map(stepOf);
  const recordedInvocations = new Map(steps.filter((step) => step.kind === 'invocation').map((step) => [step.requestId, step]));
  for (const invocation of invocationsFromLogs(deps.context.dataDir, correlationId)) {
    const logged = stepOfLogs(invocation);
    const recorded = recordedInvocations.get(invocation.requestId);
    // The invocation record (when the Lambda module publishes one) and the log lines are the same step.
    if (recorded) recorded.logs = logged.logs;
    else steps.push(logged);
  }
  steps.sort((a, b) => a.at - b.at);
  const first = steps[0];
  const last = steps[steps.length - 1];
  return { correlationId, steps, ...(first && last ? { startedAt: first.at, durationMs: last.at + (last.durationMs ?? 0) - first.at } : {}) };
}

export function tracesRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/traces/:correlationId',
      summary: 'One flow as a timeline: HTTP requests, events put, rule deliveries and invocations (with their log lines, durations, cold starts) carrying the correlation id',
      handle: ({ params }) => {
        const correlationId = params.correlationId as string;
        const trace = traceOf(deps, correlationId);
        if (trace.steps.length === 0) throw new ConsoleError(404, `Nothing recorded or logged carries correlation id ${correlationId}`, { correlationId });
        return { body: trace };
      },
    },
  ];
}
