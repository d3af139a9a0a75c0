/**
 * Functions: each deployed function with its invocations, errors, cold starts
 * and p50/p95 duration (from the REPORT facts the Lambda module publishes), its
 * log (tail, filter, live over Server-Sent Events) and invocation with a saved
 * or edited test event (saved under `<dataDir>/console/test-events`).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, LogType } from '@aws-sdk/client-lambda';
import { writeFileAtomically } from '../../core/files';
import type { TelemetryRecord } from '../../core/telemetry';
import { readLogRecords } from '../../services/lambda/function-logs';
import type { StoredLogRecord } from '../../services/lambda/function-logs';
import { ConsoleError } from '../routes';
import type { ConsoleCall, ConsoleDeps, ConsoleRoute } from '../routes';
import { clientConfig, intParam, jsonOrText } from './local-services';
import { requireModule } from '../modules';

/** Durations kept per function for the percentiles: the most recent ones. */
const DURATION_WINDOW = 1000;
/** How much of a log file a first read looks at (its tail). */
const TAIL_BYTES = 512 * 1024;
const LIVE_POLL_MS = 200;
const EVENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

interface FunctionStats {
  invocations: number;
  errors: number;
  coldStarts: number;
  durations: number[];
  lastInvokedAt?: number;
  lastError?: string;
}

/** Per-function figures from the invocation telemetry since the local cloud started. */
export class FunctionStatistics {
  private readonly byName = new Map<string, FunctionStats>();

  record(record: TelemetryRecord): void {
    if (record.type !== 'invocation') return;
    let stats = this.byName.get(record.functionName);
    if (!stats) this.byName.set(record.functionName, (stats = { invocations: 0, errors: 0, coldStarts: 0, durations: [] }));
    stats.invocations += 1;
    if (record.errorType) {
      stats.errors += 1;
      stats.lastError = `${record.errorType}: ${record.errorMessage ?? ''}`.trim();
    }
    if (record.coldStart) stats.coldStarts += 1;
    stats.durations.push(record.durationMs);
    if (stats.durations.length > DURATION_WINDOW) stats.durations.shift();
    stats.lastInvokedAt = record.at;
  }

  of(functionName: string) {
    const stats = this.byName.get(functionName);
    if (!stats) return { invocations: 0, errors: 0, coldStarts: 0, p50Ms: null, p95Ms: null };
    const sorted = [...stats.durations].sort((a, b) => a - b);
    return {
      invocations: stats.invocations,
      errors: stats.errors,
      coldStarts: stats.coldStarts,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      ...(stats.lastInvokedAt ? { lastInvokedAt: new Date(stats.lastInvokedAt).toISOString() } : {}),
      ...(stats.lastError ? { lastError: stats.lastError } : {}),
    };
  }
}

/** Nearest-rank percentile, rounded to 0.01 ms; null without samples. */
export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
  return Math.round(value * 100) / 100;
}

/** A log record matches when its JSON text holds every word of the filter (case-insensitive). */
export function logFilter(text: string | null): (entry: StoredLogRecord) => boolean {
  const words = (text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  return (entry) => {
    const line = JSON.stringify(entry.record).toLowerCase();
    return words.every((word) => line.includes(word));
  };
}

function testEventDir(deps: ConsoleDeps, functionName: string): string {
  return join(deps.context.dataDir, 'console', 'test-events', functionName);
}

function eventName(call: ConsoleCall): string {
  const name = call.params.event ?? '';
  if (!EVENT_NAME.test(name)) {
    throw new ConsoleError(400, 'A test event name is 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit', { field: 'event', value: name });
  }
  return name;
}

export function functionsRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const statistics = new FunctionStatistics();
  deps.telemetry.subscribe((record) => statistics.record(record));
  const lambda = () => requireModule(deps, 'lambda').service;
  const deployed = (name: string) => {
    const fn = lambda().registry.get(name);
    if (!fn) throw new ConsoleError(404, `No function '${name}' is deployed`, { field: 'name', deployed: lambda().registry.all().map((candidate) => candidate.name) });
    return fn;
  };
  let client: LambdaClient | undefined;

  return [
    {
      method: 'GET',
      path: '/_local/functions',
      summary: 'Every deployed function: runtime, memory, warm/busy environments, invocations, errors, cold starts, p50/p95 duration (ms)',
      handle: () => ({
        body: {
          functions: lambda()
            .registry.all()
            .map((fn) => ({
              name: fn.name,
              runtime: fn.settings.runtime,
              handler: fn.settings.handler,
              // What runs locally, when a layer wrapper's handler was redirected to the bundle's own.
              runs: fn.settings.local.handler,
              memorySizeMb: fn.settings.memorySizeMb,
              timeoutSeconds: fn.settings.timeoutSeconds,
              warm: fn.idleCount,
              busy: fn.busyCount,
              ...statistics.of(fn.name),
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
        },
      }),
    },
    {
      method: 'GET',
      path: '/_local/functions/:name/logs',
      summary: 'Log records of a function, newest last: ?filter=<words> (all must appear), ?limit=<1-2000> (200), ?after=<offset> (only records after the offset a previous answer gave as nextOffset)',
      handle: (call) => {
        const fn = deployed(call.params.name as string);
        const limit = intParam(call.url, 'limit', 200, 1, 2000);
        const after = call.url.searchParams.has('after') ? intParam(call.url, 'after', 0, 0, Number.MAX_SAFE_INTEGER) : undefined;
        const size = existsSync(fn.logPath) ? statSync(fn.logPath).size : 0;
        // Without `after`, the file's tail; its first line may be cut, and an unparsable line is skipped.
        const from = after ?? Math.max(0, size - TAIL_BYTES);
        const { records, nextOffset } = readLogRecords(fn.logPath, from);
        const matching = records.filter(logFilter(call.url.searchParams.get('filter')));
        return { body: { function: fn.name, records: matching.slice(-limit), matched: matching.length, nextOffset } };
      },
    },
    {
      method: 'GET',
      path: '/_local/functions/:name/logs/live',
      summary: 'Server-Sent Events: each new log record of the function as `data: {offset, record}`, ?filter=<words>',
      handle: (call) => {
        const fn = deployed(call.params.name as string);
        const matches = logFilter(call.url.searchParams.get('filter'));
        let offset = existsSync(fn.logPath) ? statSync(fn.logPath).size : 0;
        const { response, request } = call;
        response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        response.write(`: tailing ${fn.name}\n\n`);
        // The file is appended by a write stream: polling its size is cheap and sees every append.
        const timer = setInterval(() => {
          const { records, nextOffset } = readLogRecords(fn.logPath, offset);
          offset = nextOffset;
          for (const entry of records) if (matches(entry)) response.write(`data: ${JSON.stringify(entry)}\n\n`);
        }, LIVE_POLL_MS);
        const stop = () => clearInterval(timer);
        request.once('close', stop);
        response.once('close', stop);
        return undefined;
      },
    },
    {
      method: 'POST',
      path: '/_local/functions/:name/invoke',
      summary: 'Invokes the function (RequestResponse, through the Lambda API) with the body\'s `event` (JSON), or the saved test event named by `savedEvent`; answers status, result, error and the log tail',
      handle: async (call) => {
        const fn = deployed(call.params.name as string);
        const body = (call.body ?? {}) as { event?: unknown; savedEvent?: string };
        let event = body.event;
        if (body.savedEvent !== undefined) {
          const file = join(testEventDir(deps, fn.name), `${eventName({ ...call, params: { event: body.savedEvent } })}.json`);
          if (!existsSync(file)) throw new ConsoleError(404, `No saved test event '${body.savedEvent}' for ${fn.name}`, { field: 'savedEvent' });
          event = JSON.parse(readFileSync(file, 'utf8')) as unknown;
        }
        client ??= new LambdaClient(clientConfig(deps));
        const started = Date.now();
        const result = await client.send(
          new InvokeCommand({ FunctionName: fn.name, Payload: Buffer.from(JSON.stringify(event ?? {})), LogType: LogType.Tail }),
        );
        const payload = jsonOrText(result.Payload ? Buffer.from(result.Payload).toString('utf8') : '');
        return {
          body: {
            function: fn.name,
            statusCode: result.StatusCode,
            ...(result.FunctionError ? { functionError: result.FunctionError } : {}),
            executedVersion: result.ExecutedVersion,
            payload,
            logTail: result.LogResult ? Buffer.from(result.LogResult, 'base64').toString('utf8').split('\n').filter(Boolean) : [],
            roundTripMs: Date.now() - started,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/_local/functions/:name/test-events',
      summary: 'The test events saved for the function, with their JSON',
      handle: (call) => {
        const dir = testEventDir(deps, deployed(call.params.name as string).name);
        const files = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith('.json')).sort() : [];
        return {
          body: { events: files.map((file) => ({ name: file.slice(0, -'.json'.length), event: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown })) },
        };
      },
    },
    {
      method: 'PUT',
      path: '/_local/functions/:name/test-events/:event',
      summary: 'Saves (or replaces) a named test event: body `{ "event": … }`',
      handle: (call) => {
        const dir = testEventDir(deps, deployed(call.params.name as string).name);
        const name = eventName(call);
        const body = call.body as { event?: unknown } | undefined;
        if (body === undefined || !('event' in body)) throw new ConsoleError(400, 'The body must be { "event": <the JSON to invoke with> }', { field: 'event' });
        writeFileAtomically(join(dir, `${name}.json`), `${JSON.stringify(body.event, null, 2)}\n`);
        return { status: 201, body: { name, saved: true } };
      },
    },
    {
      method: 'DELETE',
      path: '/_local/functions/:name/test-events/:event',
      summary: 'Deletes a saved test event',
      handle: (call) => {
        const file = join(testEventDir(deps, deployed(call.params.name as string).name), `${eventName(call)}.json`);
        if (!existsSync(file)) throw new ConsoleError(404, `No saved test event '${call.params.event}'`, { field: 'event' });
        rmSync(file);
        return { body: { deleted: call.params.event } };
      },
    },
  ];
}
