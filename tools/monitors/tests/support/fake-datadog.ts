import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A monitor as the Datadog API stores it (snake_case JSON). */
export interface StoredMonitor {
  id: number;
  name: string;
  type: string;
  query: string;
  message: string;
  tags: string[];
  priority?: number | null;
  options?: Record<string, unknown>;
}

/** An SLO as the Datadog API stores it (snake_case JSON). */
export interface StoredSlo {
  id: string;
  name: string;
  type: string;
  tags: string[];
  description?: string;
  thresholds: { timeframe: string; target: number }[];
  query?: { numerator: string; denominator: string };
  sli_specification?: Record<string, unknown>;
}

const QUERY = /^(avg|sum|min|max|percentile)\(last_\d+[mhd]\):.+ [<>]=? -?[\d.]+$/;
const BURN_RATE = /^burn_rate\("([^"]+)"\)\.over\("\d+d"\)\.long_window\("\d+[mh]"\)\.short_window\("\d+[mh]"\) > [\d.]+$/;

/**
 * A local stand-in for the parts of the Datadog v1 API the sync uses: monitor validate, list (by
 * monitor tags, paginated), create, update, delete; SLO list (by one tag), create, update, delete
 * (refused while a burn-rate monitor names it); PagerDuty integration services. It checks the
 * auth headers, rejects malformed queries like the real API, and can answer 429 on demand.
 */
export class FakeDatadog {
  readonly monitors = new Map<number, StoredMonitor>();
  readonly pagerDutyServices = new Map<string, string>();
  readonly slos = new Map<string, StoredSlo>();
  readonly requests: string[] = [];
  rateLimitNext = 0;
  private nextId = 1000;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  reset(): void {
    this.monitors.clear();
    this.pagerDutyServices.clear();
    this.slos.clear();
    this.requests.length = 0;
    this.rateLimitNext = 0;
  }

  seed(monitor: Omit<StoredMonitor, 'id'>): StoredMonitor {
    const stored = { ...monitor, id: this.nextId++ };
    this.monitors.set(stored.id, stored);
    return stored;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const url = new URL(request.url ?? '/', this.url);
    const route = `${request.method} ${url.pathname}`;
    this.requests.push(route);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (!request.headers['dd-api-key'] || !request.headers['dd-application-key']) return reply(403, { errors: ['Forbidden'] });
    if (this.rateLimitNext > 0) {
      this.rateLimitNext--;
      // The real API says how many seconds until the window resets; 0 keeps the test quick.
      return reply(429, { errors: ['Rate limit exceeded'] }, { 'x-ratelimit-reset': '0', 'x-ratelimit-limit': '10' });
    }
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};

    if (route === 'POST /api/v1/monitor/validate') {
      const errors = this.validationErrors(body);
      return errors.length > 0 ? reply(400, { errors }) : reply(200, {});
    }
    if (route === 'GET /api/v1/monitor') {
      const wanted = (url.searchParams.get('monitor_tags') ?? '').split(',').filter(Boolean);
      const page = Number(url.searchParams.get('page') ?? 0);
      const size = Number(url.searchParams.get('page_size') ?? 100);
      const all = [...this.monitors.values()].filter((m) => wanted.every((tag) => m.tags.includes(tag)));
      return reply(200, all.slice(page * size, (page + 1) * size));
    }
    if (route === 'POST /api/v1/monitor') {
      const errors = this.validationErrors(body);
      if (errors.length > 0) return reply(400, { errors });
      return reply(200, this.seed(body as unknown as Omit<StoredMonitor, 'id'>));
    }
    const monitorPath = /^\/api\/v1\/monitor\/(\d+)$/.exec(url.pathname);
    if (monitorPath) {
      const id = Number(monitorPath[1]);
      const current = this.monitors.get(id);
      if (!current) return reply(404, { errors: ['Monitor not found'] });
      if (request.method === 'PUT') {
        const updated = { ...current, ...(body as Partial<StoredMonitor>), id };
        this.monitors.set(id, updated);
        return reply(200, updated);
      }
      if (request.method === 'DELETE') {
        this.monitors.delete(id);
        return reply(200, { deleted_monitor_id: id });
      }
    }
    if (route === 'GET /api/v1/slo') {
      const tag = url.searchParams.get('tags_query');
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 1000);
      const all = [...this.slos.values()].filter((slo) => !tag || slo.tags.includes(tag));
      return reply(200, { data: all.slice(offset, offset + limit), errors: [] });
    }
    if (route === 'POST /api/v1/slo') {
      const problems = this.sloErrors(body);
      if (problems.length > 0) return reply(400, { errors: problems });
      const stored = { ...(body as unknown as Omit<StoredSlo, 'id'>), id: `slo${this.nextId++}` };
      this.slos.set(stored.id, stored);
      return reply(200, { data: [stored], errors: [] });
    }
    const sloPath = /^\/api\/v1\/slo\/([\w-]+)$/.exec(url.pathname);
    if (sloPath) {
      const id = sloPath[1] as string;
      const current = this.slos.get(id);
      if (!current) return reply(404, { errors: ['SLO not found'] });
      if (request.method === 'PUT') {
        const updated = { ...(body as unknown as StoredSlo), id };
        this.slos.set(id, updated);
        return reply(200, { data: [updated], errors: [] });
      }
      if (request.method === 'DELETE') {
        // Stricter than Datadog documents (409 for an SLO a dashboard uses): refuse one a monitor names, so the sync's order is tested.
        const users = [...this.monitors.values()].filter((m) => BURN_RATE.exec(m.query)?.[1] === id);
        if (users.length > 0) return reply(409, { errors: [`SLO ${id} is referenced by monitor(s) ${users.map((m) => m.id).join(', ')}`] });
        this.slos.delete(id);
        return reply(200, { data: [id], errors: {} });
      }
    }
    if (route === 'POST /api/v1/integration/pagerduty/configuration/services') {
      this.pagerDutyServices.set(String(body.service_name), String(body.service_key));
      return reply(201, { service_name: body.service_name });
    }
    const pdPath = /^\/api\/v1\/integration\/pagerduty\/configuration\/services\/(.+)$/.exec(url.pathname);
    if (pdPath) {
      const name = decodeURIComponent(pdPath[1] as string);
      if (!this.pagerDutyServices.has(name)) return reply(404, { errors: ['PagerDuty service not found'] });
      if (request.method === 'GET') return reply(200, { service_name: name });
      if (request.method === 'PUT') {
        this.pagerDutyServices.set(name, String(body.service_key));
        response.writeHead(204);
        response.end();
        return;
      }
    }
    reply(404, { errors: [`No route ${route}`] });
  }

  private sloErrors(body: Record<string, unknown>): string[] {
    const errors: string[] = [];
    if (typeof body.name !== 'string' || body.name === '') errors.push("The value provided for parameter 'name' is invalid");
    if (!Array.isArray(body.thresholds) || body.thresholds.length === 0) errors.push("The value provided for parameter 'thresholds' is invalid");
    if (body.type === 'metric' && !(body.query as { numerator?: unknown } | undefined)?.numerator) errors.push('A metric SLO needs query.numerator and query.denominator');
    if (body.type === 'time_slice' && !body.sli_specification) errors.push('A time slice SLO needs sli_specification');
    return errors;
  }

  private validationErrors(body: Record<string, unknown>): string[] {
    const errors: string[] = [];
    if (body.type === 'slo alert') {
      const burn = typeof body.query === 'string' ? BURN_RATE.exec(body.query) : null;
      if (!burn) errors.push(`The value provided for parameter 'query' is invalid: ${String(body.query)}`);
      else if (!this.slos.has(burn[1] as string)) errors.push(`SLO ${burn[1]} does not exist`);
      if (typeof body.message !== 'string' || body.message.trim() === '') errors.push("The value provided for parameter 'message' is invalid");
      return errors;
    }
    if (typeof body.query !== 'string' || !QUERY.test(body.query)) errors.push(`The value provided for parameter 'query' is invalid: ${String(body.query)}`);
    else if ((body.query.match(/\{/g) ?? []).length !== (body.query.match(/\}/g) ?? []).length) errors.push(`Syntax error in query: unbalanced braces in ${body.query}`);
    if (typeof body.message !== 'string' || body.message.trim() === '') errors.push("The value provided for parameter 'message' is invalid");
    return errors;
  }
}
