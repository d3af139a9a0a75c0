/**
 * Why an event did or did not match a rule: the rule's pattern evaluated field
 * by field by the local cloud's own matcher (`explainEventPattern`). The event
 * is a recorded one (`eventId`) or given in the body; the pattern is a rule's
 * (`rule`, `bus`) or given in the body. Without a rule, every pattern rule on
 * the event's bus is judged.
 */
import { explainEventPattern, InvalidEventPatternError } from '../../eventbridge/pattern';
import type { PatternExplanation } from '../../eventbridge/pattern';
import type { RuleRecord } from '../../services/eventbridge/model';
import { ConsoleError } from '../routes';
import type { ConsoleDeps, ConsoleRoute } from '../routes';
import { requireModule } from '../modules';
import type { PutRecord } from '../event-summaries';

interface ExplainRequest {
  eventId?: string;
  event?: unknown;
  rule?: string;
  bus?: string;
  pattern?: unknown;
}

function recordedEvent(deps: ConsoleDeps, eventId: string): { event: Record<string, unknown>; bus: string } {
  const puts = deps.recorder.query({ eventId, type: 'event.put' }) as PutRecord[];
  const put = puts[puts.length - 1];
  if (!put) throw new ConsoleError(404, `No event ${eventId} is recorded`, { field: 'eventId', eventId });
  return { event: put.event, bus: put.bus };
}

function explainOrFail(pattern: unknown, event: object): PatternExplanation {
  try {
    return explainEventPattern(pattern as object, event);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) throw new ConsoleError(400, error.message, { field: 'pattern' });
    throw error;
  }
}

function ruleSummary(rule: RuleRecord) {
  return { name: rule.name, bus: rule.busName, state: rule.state, pattern: rule.eventPattern ? (JSON.parse(rule.eventPattern) as unknown) : undefined, targets: rule.targets.map((target) => target.Arn) };
}

function explain(deps: ConsoleDeps, request: ExplainRequest) {
  if (request.eventId === undefined && request.event === undefined) throw new ConsoleError(400, 'Give eventId (a recorded event) or event (its JSON)', { field: 'eventId' });
  const recorded = request.eventId !== undefined ? recordedEvent(deps, request.eventId) : undefined;
  const event = recorded?.event ?? request.event;
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new ConsoleError(400, 'event must be a JSON object', { field: 'event' });
  if (request.pattern !== undefined) {
    return { event, results: [{ pattern: request.pattern, ...explainOrFail(request.pattern, event) }] };
  }
  const events = requireModule(deps, 'eventbridge').service;
  const bus = request.bus ?? recorded?.bus ?? 'default';
  let rules: RuleRecord[];
  try {
    rules = request.rule !== undefined ? [events.rule(request.rule, bus)] : events.rulesOf(bus).filter((rule) => rule.eventPattern);
  } catch (error) {
    throw new ConsoleError(404, (error as Error).message, { field: request.rule !== undefined ? 'rule' : 'bus', rule: request.rule, bus });
  }
  const results = rules.map((rule) => {
    if (!rule.eventPattern) throw new ConsoleError(400, `Rule ${rule.name} is a schedule: it has no event pattern`, { field: 'rule', rule: rule.name });
    return { rule: ruleSummary(rule), ...explainOrFail(rule.eventPattern, event) };
  });
  return { event, bus, results };
}

export function explainRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: '/_local/explain',
      summary: 'Why an event did (not) match: ?eventId=<recorded event>&rule=<name>&bus=<name> (without rule: every pattern rule on the bus), each field with expected and actual values',
      handle: ({ url }) => {
        const get = (name: string) => url.searchParams.get(name) || undefined;
        const eventId = get('eventId');
        if (!eventId) throw new ConsoleError(400, 'eventId is required (or POST an event and a pattern)', { field: 'eventId' });
        return { body: explain(deps, { eventId, rule: get('rule'), bus: get('bus') }) };
      },
    },
    {
      method: 'POST',
      path: '/_local/explain',
      summary: 'The same for a body { eventId | event, rule (+ bus) | pattern }',
      handle: ({ body }) => {
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ConsoleError(400, 'The body must be a JSON object', { field: 'body' });
        return { body: explain(deps, body as ExplainRequest) };
      },
    },
    {
      method: 'GET',
      path: '/_local/rules',
      summary: 'Every rule with an event pattern (?bus= for one bus): name, bus, state, pattern, targets',
      handle: ({ url }) => {
        const events = requireModule(deps, 'eventbridge').service;
        const bus = url.searchParams.get('bus') || undefined;
        const buses = bus ? [bus] : events.listBuses().map((record) => record.name);
        return { body: { rules: buses.flatMap((name) => events.rulesOf(name)).filter((rule) => rule.eventPattern).map(ruleSummary) } };
      },
    },
  ];
}
