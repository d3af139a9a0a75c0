/**
 * The console's HTTP surface under `/_local/`: the page and its script at
 * `/_local/console`, and a JSON API (`/_local/events`, `/_local/traces/{id}`,
 * `/_local/dlq/…`) that scripts can use as well. Each API module exports its
 * routes; `api/index.ts` lists them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalCloudContext, LocalServiceModule } from '../core/types';
import type { Telemetry } from '../core/telemetry';
import type { TelemetryRecorder } from './recorder';
import type { StackState } from '../terraform/engine';

/** What the console may read and act on: only what the local cloud already knows. */
export interface ConsoleDeps {
  context: LocalCloudContext;
  telemetry: Telemetry;
  /** Every telemetry record since start (and the last run's, when persisted), queryable. */
  recorder: TelemetryRecorder;
  modules(): readonly LocalServiceModule[];
  /** The `/_local/state` document. */
  state(): Promise<Record<string, unknown>>;
  stacks(): StackState[];
  readiness(): { ready: boolean; status: string; stacks: { name: string; status: string; error?: string }[] };
}

export interface ConsoleCall {
  method: string;
  url: URL;
  /** `:name` segments of the route's path. */
  params: Record<string, string>;
  /** The request body parsed as JSON (`undefined` when empty). */
  body: unknown;
  request: IncomingMessage;
  response: ServerResponse;
}

/** A JSON answer; `undefined` from a handler means it wrote the response itself (e.g. Server-Sent Events). */
export interface ConsoleAnswer {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ConsoleRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** E.g. `/_local/traces/:correlationId`. */
  path: string;
  /** One line for the API reference in the README. */
  summary: string;
  handle(call: ConsoleCall): Promise<ConsoleAnswer | undefined> | ConsoleAnswer | undefined;
}

/** A console API failure with the field-level detail a script can act on. */
export class ConsoleError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Matches `pathname` against a route path; `:name` segments capture (URI-decoded). */
export function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index++) {
    const segment = want[index] as string;
    const actual = got[index] as string;
    if (segment.startsWith(':')) {
      if (!actual) return undefined;
      params[segment.slice(1)] = decodeURIComponent(actual);
    } else if (segment !== actual) {
      return undefined;
    }
  }
  return params;
}
