// The subscription check: every consumer pattern in a service manifest is read against the JSON
// Schemas of the contracts it targets. A pattern that can never match is a silent outage that looks
// like a quiet day, so each way a pattern can be dead (or wider than its owner meant) is an error
// naming the service, the subscription and the field.
import { validateEventPattern } from './engine';
import { subscriptionPattern, type ServiceManifest, type Subscription } from '@kestrel/service-manifest';
import { isRoutingField, matcherAccepts, patternAlternatives, routesTo, type FieldCondition, type PatternAlternative } from './pattern-fields';
import { admits, alwaysPresent, finiteValues, jsonType, nodesAtPath, typesOf, valueProblem, type SchemaNode } from './schema-walk';

/** What the check needs of a contract version: its identity and published JSON Schema. */
export interface CheckedContract {
  readonly source: string;
  readonly detailType: string;
  readonly version: number;
  readonly schema: SchemaNode;
}

export const SUBSCRIPTION_ERROR_KINDS = [
  'invalid-manifest',
  'invalid-pattern',
  'unknown-event',
  'unknown-source',
  'unknown-detail-type',
  'unknown-field',
  'value-outside-enum',
  'type-mismatch',
  'numeric-on-non-number',
  'string-matcher-on-non-string',
  'exists-on-object',
  'exists-never-matches',
  'value-outside-constraints',
  'matches-no-version',
  'declared-version-not-matched',
  'too-wide',
] as const;
export type SubscriptionErrorKind = (typeof SUBSCRIPTION_ERROR_KINDS)[number];

/** One problem with one subscription's pattern. */
export interface SubscriptionError {
  readonly service: string;
  readonly subscription: string;
  readonly kind: SubscriptionErrorKind;
  /** Dotted pattern field at fault (`detail.data.origin`), or `(pattern)` for the whole pattern. */
  readonly field: string;
  readonly message: string;
}

/** The slice of a manifest the check reads; any `ServiceManifest` fits. */
export type ConsumerManifest = Pick<ServiceManifest, 'name'> & { consumes: readonly Subscription[] };

const STRING_OPERATORS = new Set(['prefix', 'suffix', 'wildcard', 'equals-ignore-case', 'cidr']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const dotted = (path: readonly string[]) => path.join('.');
const label = (c: CheckedContract) => `${c.source} ${c.detailType} v${c.version}`;


class SubscriptionChecker {
  readonly errors: SubscriptionError[] = [];
  // One mistake, one error: the same problem found in several contract versions is one error
  // naming them all (keyed by kind, field and message without the "in ..." part).
  private readonly places = new Map<SubscriptionError, string[]>();

  constructor(
    private readonly service: string,
    private readonly subscription: Subscription,
    private readonly contracts: readonly CheckedContract[],
  ) {}

  private report(kind: SubscriptionErrorKind, field: string, message: string, where?: string): void {
    const index = this.errors.findIndex((e) => e.kind === kind && e.field === field && (e.message === message || e.message.startsWith(`${message} (in `)));
    if (index >= 0) {
      const existing = this.errors[index]!;
      const places = this.places.get(existing);
      if (!where || !places || places.includes(where)) return;
      places.push(where);
      const merged = { ...existing, message: `${message} (in ${places.join(', ')})` };
      this.places.delete(existing);
      this.places.set(merged, places);
      this.errors[index] = merged;
      return;
    }
    const error = { service: this.service, subscription: this.subscription.name, kind, field, message: where ? `${message} (in ${where})` : message };
    this.errors.push(error);
    if (where) this.places.set(error, [where]);
  }

  run(): void {
    // A malformed entry is one error naming the field, not a stack trace from deeper down.
    const events: unknown = this.subscription.events;
    if (!Array.isArray(events)) {
      this.report('invalid-manifest', 'events', 'must be a list of contract versions ({ source, detailType, version })');
      return;
    }
    const malformed = events.findIndex(
      (e: { source?: unknown; detailType?: unknown; version?: unknown } | null) =>
        typeof e?.source !== 'string' || typeof e.detailType !== 'string' || !Number.isInteger(e.version),
    );
    if (malformed >= 0) {
      this.report('invalid-manifest', `events[${malformed}]`, `${JSON.stringify(events[malformed]) ?? 'undefined'} is not a contract version ({ source, detailType, version })`);
      return;
    }
    if (this.subscription.pattern !== undefined && !isObject(this.subscription.pattern)) {
      this.report('invalid-pattern', '(pattern)', `must be an object, got ${JSON.stringify(this.subscription.pattern)}`);
      return;
    }
    const pattern = subscriptionPattern(this.subscription);
    const validation = validateEventPattern(pattern);
    if (!validation.valid) {
      this.report('invalid-pattern', validation.error.path || '(pattern)', validation.error.reason);
      return;
    }
    const declared = this.declaredContracts();
    const wide = this.subscription.wide !== undefined;
    const alternatives = patternAlternatives(pattern as Record<string, unknown>);
    const reached = this.contracts.filter((contract) => this.routingMatches(alternatives, contract));

    for (const alternative of alternatives) this.checkRouting(alternative);
    // An unknown source or detail-type already says why nothing matches: no cascade of follow-ups.
    if (this.errors.some((e) => e.kind === 'unknown-source' || e.kind === 'unknown-detail-type')) return;
    // A derived pattern of unregistered versions matches nothing for the reason already given.
    if (!this.subscription.pattern && this.errors.some((e) => e.kind === 'unknown-event')) return;
    if (reached.length === 0) {
      this.report('matches-no-version', '(pattern)', 'the pattern matches no registered contract version (by source, detail-type and detail.metadata.version)');
      return;
    }
    for (const ref of declared) {
      if (!reached.includes(ref)) this.report('declared-version-not-matched', '(pattern)', `declares ${label(ref)} but its pattern does not let it through`);
    }
    if (!wide) for (const alternative of alternatives) this.checkNarrow(alternative);

    for (const alternative of alternatives) {
      // Field conditions are read against the contracts this alternative can route to.
      const targets = this.contracts.filter((contract) => this.routingMatches([alternative], contract));
      const scoped = wide ? targets : targets.filter((c) => declared.length === 0 || declared.includes(c));
      for (const condition of alternative) {
        // Envelope fields (account, region, time, resources...) are checked like data fields:
        // every contract's schema declares them.
        if (isRoutingField(condition.path)) continue;
        this.checkField(condition, scoped, wide);
      }
    }
  }

  private declaredContracts(): CheckedContract[] {
    const found: CheckedContract[] = [];
    this.subscription.events.forEach((ref, index) => {
      const contract = this.contracts.find((c) => c.source === ref.source && c.detailType === ref.detailType && c.version === ref.version);
      if (contract) found.push(contract);
      else this.report('unknown-event', `events[${index}]`, `${ref.source} ${ref.detailType} v${ref.version} is not a registered contract version`);
    });
    return found;
  }

  private routingMatches(alternatives: readonly PatternAlternative[], contract: CheckedContract): boolean {
    return routesTo(alternatives, contract);
  }

  /** Every listed source / detail-type value must be one some contract publishes. */
  private checkRouting(alternative: PatternAlternative): void {
    const source = alternative.find((c) => dotted(c.path) === 'source');
    const sources = [...new Set(this.contracts.map((c) => c.source))];
    for (const matcher of source?.matchers ?? []) {
      if (isObject(matcher) && ('anything-but' in matcher || 'exists' in matcher)) continue;
      if (!sources.some((value) => matcherAccepts(matcher, value))) {
        this.report('unknown-source', 'source', `${JSON.stringify(matcher)} matches no source any contract publishes (${sources.join(', ')})`);
      }
    }
    const detailType = alternative.find((c) => dotted(c.path) === 'detail-type');
    const sourceMatched = this.contracts.filter((c) => !source || source.matchers.some((m) => matcherAccepts(m, c.source)));
    const detailTypes = [...new Set(sourceMatched.map((c) => c.detailType))];
    for (const matcher of detailType?.matchers ?? []) {
      if (isObject(matcher) && ('anything-but' in matcher || 'exists' in matcher)) continue;
      if (!detailTypes.some((value) => matcherAccepts(matcher, value))) {
        const from = source ? ` from ${source.matchers.map((m) => JSON.stringify(m)).join(' | ')}` : '';
        this.report('unknown-detail-type', 'detail-type', `${JSON.stringify(matcher)} matches no detail-type any contract${from} publishes`);
      }
    }
  }

  /** A non-wide subscription names exact events and versions, so a new event or version never reaches it unannounced. */
  private checkNarrow(alternative: PatternAlternative): void {
    const exact = (field: string) => {
      const condition = alternative.find((c) => dotted(c.path) === field);
      return condition !== undefined && condition.matchers.every((m) => !isObject(m));
    };
    for (const field of ['source', 'detail-type', 'detail.metadata.version']) {
      if (!exact(field)) {
        this.report('too-wide', field, `must list exact values (or declare the subscription wide with a reason): without them it receives events it never declared`);
      }
    }
  }

  private checkField(condition: FieldCondition, targets: readonly CheckedContract[], wide: boolean): void {
    const field = dotted(condition.path);
    const withField = targets.map((contract) => ({ contract, nodes: nodesAtPath(contract.schema, condition.path) }));
    const missing = withField.filter((t) => t.nodes.length === 0);
    const present = withField.filter((t) => t.nodes.length > 0);
    // A wide pattern may read a field only some events have; a narrow one must find it in every event it targets.
    if (targets.length > 0 && (wide ? present.length === 0 : missing.length > 0)) {
      for (const t of wide ? withField : missing) this.report('unknown-field', field, 'field does not exist', label(t.contract));
      return;
    }
    for (const { contract, nodes } of present) this.checkMatchers(field, condition.matchers, nodes, contract, condition.path);
  }

  private checkMatchers(field: string, matchers: readonly unknown[], nodes: readonly SchemaNode[], contract: CheckedContract, path: readonly string[]): void {
    const types = new Set<string>();
    let anyType = false;
    const values: unknown[] = [];
    let finite = true;
    for (const node of nodes) {
      const nodeTypes = typesOf(node);
      if (nodeTypes.size === 0) anyType = true;
      nodeTypes.forEach((t) => types.add(t));
      const allowed = finiteValues(node);
      if (allowed) values.push(...allowed);
      else finite = false;
    }
    const leafTypes: ReadonlySet<string> = anyType ? new Set() : types;
    const isObjectOnly = !anyType && [...types].every((t) => t === 'object');
    const where = label(contract);
    const typeList = [...leafTypes].join(' | ');

    for (const matcher of matchers) {
      const shown = JSON.stringify(matcher);
      if (isObject(matcher)) {
        const operator = Object.keys(matcher)[0]!;
        if (operator === 'exists') {
          if (isObjectOnly) this.report('exists-on-object', field, `${shown}: exists only tests leaf fields; ${field} is an object`, where);
          else if (matcher.exists === false && alwaysPresent(contract.schema, path)) {
            this.report('exists-never-matches', field, `${shown} never matches: ${field} is required, every event has it`, where);
          }
          continue;
        }
        if (isObjectOnly) {
          this.report('type-mismatch', field, `${shown} can never match: ${field} is an object and patterns match only leaf values`, where);
          continue;
        }
        // An integer field is a number to EventBridge: numeric ranges apply to z.int() fields too.
        if (operator === 'numeric' && !admits(leafTypes, 'number') && !admits(leafTypes, 'integer')) {
          this.report('numeric-on-non-number', field, `${shown}: numeric matcher on a ${typeList} field`, where);
          continue;
        }
        if (STRING_OPERATORS.has(operator) && !admits(leafTypes, 'string')) {
          this.report('string-matcher-on-non-string', field, `${shown}: ${operator} matcher on a ${typeList} field`, where);
          continue;
        }
        if (finite && !values.some((value) => matcherAccepts(matcher, value))) {
          this.report('value-outside-enum', field, `${shown} matches none of the allowed values ${JSON.stringify(values)}`, where);
          continue;
        }
        this.checkConstraints(field, matcher, nodes, where);
        continue;
      }
      if (isObjectOnly) {
        this.report('type-mismatch', field, `${shown} can never match: ${field} is an object and patterns match only leaf values`, where);
        continue;
      }
      if (!admits(leafTypes, jsonType(matcher))) {
        this.report('type-mismatch', field, `${shown} is a ${jsonType(matcher)} but ${field} is ${typeList} (EventBridge compares types exactly)`, where);
        continue;
      }
      if (finite && !values.some((value) => matcherAccepts(matcher, value))) {
        this.report('value-outside-enum', field, `${shown} is not one of the allowed values ${JSON.stringify(values)}`, where);
        continue;
      }
      this.checkConstraints(field, matcher, nodes, where);
    }
  }

  /** A value (or a numeric range, a prefix) that no alternative of the field can hold: format, pattern, length, bounds. */
  private checkConstraints(field: string, matcher: unknown, nodes: readonly SchemaNode[], where: string): void {
    const problems = nodes.map((node) => valueProblem(node, matcher));
    if (problems.some((problem) => problem === undefined)) return;
    this.report('value-outside-constraints', field, `${JSON.stringify(matcher)} can never match: ${[...new Set(problems)].join('; ')}`, where);
  }
}

/**
 * Checks every subscription of every manifest against the contracts it targets and returns the
 * problems, empty when every pattern can match what it subscribes to.
 *
 * Targets are the contract versions a subscription declares in `events`; a subscription declared
 * `wide` (with a reason) is exempt from the narrowness rule (exact source, detail-type and
 * version) and its fields are read against every contract it reaches, but it must still reach one.
 *
 * @example
 * ```ts
 * const errors = checkSubscriptions(manifests, allContracts().map((c) => ({ ...c, schema: toJsonSchema(c) })));
 * for (const e of errors) console.log(formatSubscriptionError(e));
 * // customers › user-registered › detail.data.tier: field does not exist in kestrel.identity UserRegistered v1
 * ```
 */
export function checkSubscriptions(manifests: readonly ConsumerManifest[], contracts: readonly CheckedContract[]): SubscriptionError[] {
  return manifests.flatMap((manifest) =>
    manifest.consumes.flatMap((subscription) => {
      const checker = new SubscriptionChecker(manifest.name, subscription, contracts);
      checker.run();
      return checker.errors;
    }),
  );
}

/** One error as one line: `service › subscription › field: message [kind]`. */
export function formatSubscriptionError(error: SubscriptionError): string {
  return `${error.service} › ${error.subscription} › ${error.field}: ${error.message} [${error.kind}]`;
}
