// Throughput of the EventBridge pattern engine on a realistic bus: 50 rules x 10,000 events.
// Run: npx tsx bench/pattern.bench.ts   (writes bench-results/pattern.json)
//
// Compares the three ways a bus could match: compile once and share one EventView per event
// (what PutEvents should do), compile once but let every rule walk the raw event, and compile
// the pattern on every match (what an emulator that re-parses rules per event pays).

import { EventView, compileEventPattern, matchesEventPattern, type CompiledEventPattern } from '../src/eventbridge/pattern';
import { seededRandom } from '../tests/support/seeded-random';
import { median, writeBenchResult } from './support';

const RULES = 50;
const EVENTS = 10_000;
const ROUNDS = 5;

const CONTEXTS = ['identity', 'customers', 'catalog', 'orders', 'payments'];
const TYPES = ['Registered', 'Updated', 'Deleted', 'PriceChanged', 'StockLow', 'Paid', 'Refunded'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const REGIONS = ['eu-west-1', 'eu-central-1', 'eu-west-1', 'ap-south-1'];

function makeEvent(next: () => number, index: number): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const context = pick(CONTEXTS);
  const items = Array.from({ length: 1 + Math.floor(next() * 4) }, (_, i) => ({
    sku: `SKU-${Math.floor(next() * 500)}`,
    qty: 1 + Math.floor(next() * 20),
    price: Math.round(next() * 50_000) / 100,
    tags: next() < 0.3 ? ['sale', 'new'] : ['regular'],
    line: i,
  }));
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${index.toString().padStart(12, '0')}`,
    'detail-type': `${context[0]?.toUpperCase()}${context.slice(1)}${pick(TYPES)}.v${1 + Math.floor(next() * 2)}`,
    source: `kestrel.${context}`,
    account: '123456789012',
    time: `2024-0${1 + Math.floor(next() * 9)}-1${Math.floor(next() * 9)}T12:00:00Z`,
    region: pick(REGIONS),
    resources: next() < 0.5 ? [] : [`arn:aws:dynamodb:eu-west-1:123456789012:table/${context}`],
    detail: {
      metadata: {
        correlationId: `corr-${Math.floor(next() * 1e9)}`,
        idempotencyKey: `idem-${index}`,
        producer: `${context}-service`,
        ...(next() < 0.2 ? { _datadog: { 'x-datadog-trace-id': `${Math.floor(next() * 1e15)}` } } : {}),
      },
      data: {
        customerId: `cust-${Math.floor(next() * 10_000)}`,
        email: next() < 0.5 ? `user${index}@example.com` : `USER${index}@Example.org`,
        tier: pick(TIERS),
        total: Math.round(next() * 100_000) / 100,
        sourceIp: `10.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}`,
        country: pick(['IE', 'DE', 'US', 'IN', 'FR']),
        items,
        ...(next() < 0.3 ? { discountCode: `CODE${Math.floor(next() * 100)}` } : {}),
      },
    },
  };
}

// Fifty rules in the shapes real subscriptions use, most of them selective on source/detail-type.
function makeRules(): object[] {
  const rules: object[] = [];
  for (const context of CONTEXTS) {
    rules.push({ source: [`kestrel.${context}`] });
    rules.push({ source: [`kestrel.${context}`], 'detail-type': [{ prefix: `${context[0]?.toUpperCase()}${context.slice(1)}Registered` }] });
    rules.push({ source: [`kestrel.${context}`], detail: { data: { tier: ['gold', 'platinum'] } } });
    rules.push({ source: [`kestrel.${context}`], detail: { data: { total: [{ numeric: ['>=', 500, '<', 900] }] } } });
    rules.push({ source: [`kestrel.${context}`], detail: { metadata: { _datadog: [{ exists: false }] }, data: { country: [{ 'anything-but': ['US', 'IN'] }] } } });
    rules.push({ 'detail-type': [{ wildcard: `*${TYPES[CONTEXTS.indexOf(context)]}.v2` }], region: [{ prefix: 'eu-' }] });
    rules.push({ source: [`kestrel.${context}`], detail: { data: { items: { sku: ['SKU-42', 'SKU-7'], qty: [{ numeric: ['>', 10] }] } } } });
    rules.push({ source: [{ prefix: 'kestrel.' }], detail: { data: { sourceIp: [{ cidr: `10.${CONTEXTS.indexOf(context) * 50}.0.0/16` }] } } });
    rules.push({
      source: [`kestrel.${context}`],
      $or: [{ detail: { data: { email: [{ suffix: { 'equals-ignore-case': '@example.org' } }] } } }, { detail: { data: { discountCode: [{ exists: true }] } } }],
    });
    rules.push({ detail: { data: { items: { tags: ['sale'] }, tier: [{ 'equals-ignore-case': 'GOLD' }] } }, region: [{ 'anything-but': { prefix: 'us-' } }] });
  }
  return rules.slice(0, RULES);
}

function time(run: () => number): { seconds: number; result: number } {
  let result = 0;
  const seconds: number[] = [];
  run(); // warm-up: let V8 optimise before measuring
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    result = run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: median(seconds), result };
}

// Deterministic pseudo-random numbers so every run measures the same workload.
const next = seededRandom(42);
const events = Array.from({ length: EVENTS }, (_, i) => makeEvent(next, i));
const patterns = makeRules();
const averageEventBytes = Math.round(events.reduce((sum, e) => sum + JSON.stringify(e).length, 0) / EVENTS);

const compileTimed = time(() => patterns.map((p) => compileEventPattern(p)).length);
const compiled: CompiledEventPattern[] = patterns.map((p) => compileEventPattern(p));

const shared = time(() => {
  let matched = 0;
  for (const event of events) {
    const view = new EventView(event);
    for (const rule of compiled) if (rule.matches(view)) matched++;
  }
  return matched;
});

const perRule = time(() => {
  let matched = 0;
  for (const event of events) for (const rule of compiled) if (rule.matches(event)) matched++;
  return matched;
});

// Compiling on every match is slow, so measure it on a tenth of the events.
const uncompiledEvents = events.slice(0, EVENTS / 10);
const uncompiled = time(() => {
  let matched = 0;
  for (const event of uncompiledEvents) for (const pattern of patterns) if (matchesEventPattern(pattern, event)) matched++;
  return matched;
});

const evaluations = RULES * EVENTS;
/** What one pass of every event against every compiled rule achieved. */
const allRulesThroughput = (description: string, timed: { seconds: number; result: number }) => ({
  description,
  matches: timed.result,
  seconds: +timed.seconds.toFixed(4),
  ruleEvaluationsPerSecond: Math.round(evaluations / timed.seconds),
  eventsPerSecondAgainstAllRules: Math.round(EVENTS / timed.seconds),
});
const report = {
  benchmark: 'eventbridge-pattern',
  workload: { rules: RULES, events: EVENTS, averageEventBytes, roundsMedianOf: ROUNDS },
  compile: { rules: RULES, totalMs: +(compileTimed.seconds * 1000).toFixed(3), perRuleMicroseconds: +((compileTimed.seconds * 1e6) / RULES).toFixed(1) },
  compiledSharedView: allRulesThroughput('compile once, one EventView per event shared by all rules (what PutEvents does)', shared),
  compiledViewPerRule: allRulesThroughput('compile once, each rule walks the raw event', perRule),
  compiledOnEveryMatch: {
    description: 'matchesEventPattern(pattern, event): validate and compile per call',
    events: uncompiledEvents.length,
    matches: uncompiled.result,
    seconds: +uncompiled.seconds.toFixed(4),
    ruleEvaluationsPerSecond: Math.round((RULES * uncompiledEvents.length) / uncompiled.seconds),
  },
};

if (shared.result !== perRule.result) throw new Error(`shared view found ${shared.result} matches, per-rule ${perRule.result}`);

writeBenchResult('pattern', report);
console.log(JSON.stringify(report, null, 2));
