import { describe, expect, it } from 'vitest';
import {
  EventView,
  InvalidEventPatternError,
  compileEventPattern,
  matchesEventPattern,
  validateEventPattern,
} from '../../src/eventbridge/pattern';
import { eventPatternCases, invalidEventPatternCases, type EventBridgeEvent } from './cases';

const ENVELOPE_FIELDS = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'];

function event(detail: Record<string, unknown>): EventBridgeEvent {
  return {
    version: '0',
    id: '0d3b8c2e-1b2a-4c1e-9f57-7a9f1e1c6a10',
    'detail-type': 'Test Event',
    source: 'kestrel.test',
    account: '123456789012',
    time: '2024-01-01T00:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

describe('the documented case table', () => {
  it.each(eventPatternCases.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    // prepare
    const { pattern, event: input, matches } = testCase;

    // act
    const result = matchesEventPattern(pattern, input);

    // assess
    expect(result).toBe(matches);
  });

  it.each(invalidEventPatternCases.map((c) => [c.name, c] as const))('rejects: %s', (_name, testCase) => {
    // prepare
    const pattern = testCase.pattern as string | object;

    // act
    const result = validateEventPattern(pattern);

    // assess
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.error.reason).toBe(testCase.reason);
  });

  it('is large, JSON-serialisable, sourced from the AWS docs (or the README of aws/event-ruler, EventBridge\'s engine, where they are silent) and uses full events', () => {
    // prepare
    const all = [...eventPatternCases, ...invalidEventPatternCases];

    // act
    const roundTripped = JSON.parse(JSON.stringify(all)) as unknown;
    const events = all.map((c) => (typeof c.event === 'string' ? (JSON.parse(c.event) as object) : c.event));

    // assess
    expect(eventPatternCases.length).toBeGreaterThanOrEqual(150);
    expect(roundTripped).toEqual(all);
    expect(all.filter((c) => !c.source.startsWith('AWS docs: ') && !c.source.startsWith('aws/event-ruler README: '))).toEqual([]);
    expect(new Set(all.map((c) => c.name)).size).toBe(all.length);
    for (const e of events) expect(Object.keys(e)).toEqual(expect.arrayContaining(ENVELOPE_FIELDS));
  });

  it('has both outcomes for every documented section', () => {
    // prepare
    const outcomes = new Map<string, Set<boolean>>();

    // act
    for (const c of eventPatternCases) outcomes.set(c.source, (outcomes.get(c.source) ?? new Set()).add(c.matches));

    // assess
    const oneSided = [...outcomes].filter(([, seen]) => seen.size < 2).map(([source]) => source);
    expect(oneSided).toEqual([]);
  });
});

describe('InvalidEventPatternException shape', () => {
  it('states the AWS reason and the offending path', () => {
    // prepare
    const pattern = { detail: { price: [10, { numeric: ['>', 10, '>', 20] }] } };

    // act
    const act = () => compileEventPattern(pattern);

    // assess
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(/^Event pattern is not valid\. Reason: Bad numeric range operator: >/);
    try {
      act();
    } catch (error) {
      expect(error).toMatchObject({ name: 'InvalidEventPatternException', path: 'detail.price[1].numeric' });
    }
  });

  it('reports malformed JSON text as an invalid pattern', () => {
    // prepare
    const text = '{"source": ["aws.ec2"]';

    // act
    const result = validateEventPattern(text);

    // assess
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.error.message).toMatch(/^Event pattern is not valid\. Reason: .*JSON/);
  });

  it('makes matchesEventPattern throw for an invalid pattern, as TestEventPattern does', () => {
    // prepare
    const pattern = { source: [] };

    // act
    const act = () => matchesEventPattern(pattern, event({}));

    // assess
    expect(act).toThrow('Empty arrays are not allowed');
  });

  it('rejects an event that is not a JSON object with a TypeError', () => {
    // prepare
    const pattern = { source: ['kestrel.test'] };

    // act
    const notJson = () => matchesEventPattern(pattern, '{oops');
    const notObject = () => matchesEventPattern(pattern, '[1, 2]');

    // assess
    expect(notJson).toThrow(TypeError);
    expect(notObject).toThrow('Event must be a JSON object');
  });
});

describe('compiled patterns', () => {
  it('count the alternatives that $or expands to', () => {
    // prepare
    const pattern = { $or: [{ a: ['1'] }, { b: ['2'] }], detail: { $or: [{ c: ['3'] }, { d: ['4'] }, { e: ['5'] }] } };

    // act
    const compiled = compileEventPattern(pattern);

    // assess
    expect(compiled.alternatives).toBe(6);
  });

  it('refuse patterns whose $or alternatives explode', () => {
    // prepare: 14 parallel two-way $or expressions make 16,384 alternatives
    const detail = Object.fromEntries(
      Array.from({ length: 14 }, (_, i) => [`f${i}`, { $or: [{ a: ['1'] }, { b: ['2'] }] }]),
    );

    // act
    const result = validateEventPattern({ detail });

    // assess
    expect(result.valid).toBe(false);
    if (!result.valid) expect(result.error.reason).toMatch(/more than 10000 \$or alternatives/);
  });

  it('give the same answers through a shared EventView', () => {
    // prepare
    const rules = [
      compileEventPattern({ source: ['kestrel.test'] }),
      compileEventPattern({ detail: { n: [{ numeric: ['>', 1] }] } }),
      compileEventPattern({ detail: { n: [{ numeric: ['>', 5] }] } }),
    ];
    const input = event({ n: 3 });
    const view = new EventView(input);

    // act
    const shared = rules.map((rule) => rule.matches(view));
    const separate = rules.map((rule) => rule.matches(input));

    // assess
    expect(shared).toEqual([true, true, false]);
    expect(separate).toEqual(shared);
  });
});

// Behaviour the AWS guide does not spell out, taken from aws/event-ruler (the engine EventBridge runs).
describe('engine details beyond the guide', () => {
  it('matches an IP literal given as an exact value in any spelling', () => {
    // prepare
    const pattern = { detail: { ip: ['2001:db8::1'] } };

    // act
    const results = ['2001:DB8:0:0:0:0:0:1', '2001:db8::1', '2001:db8::2'].map((ip) => matchesEventPattern(pattern, event({ ip })));

    // assess
    expect(results).toEqual([true, true, false]);
  });

  it('treats an IPv4-mapped IPv6 address as IPv4', () => {
    // prepare
    const pattern = { detail: { ip: [{ cidr: '10.0.0.0/8' }] } };

    // act
    const result = matchesEventPattern(pattern, event({ ip: '::ffff:a00:1' }));

    // assess
    expect(result).toBe(true);
  });

  it('starts a CIDR range at the address as written', () => {
    // prepare
    const pattern = { detail: { ip: [{ cidr: '10.0.0.5/24' }] } };

    // act
    const results = ['10.0.0.4', '10.0.0.5', '10.0.0.255'].map((ip) => matchesEventPattern(pattern, event({ ip })));

    // assess
    expect(results).toEqual([false, true, true]);
  });

  it('compares numbers to six decimal places', () => {
    // prepare
    const pattern = { detail: { n: [{ numeric: ['=', 1] }] } };

    // act
    const results = [1.0000001, 1.000001].map((n) => matchesEventPattern(pattern, event({ n })));

    // assess
    expect(results).toEqual([true, false]);
  });

  it('evaluates exists:false inside arrays against the elements chosen by earlier fields', () => {
    // prepare: fields are taken in name order, so "name" picks an element before "note" is checked
    const items = event({ items: [{ name: 'a' }, { name: 'b', note: 'x' }] });
    const afterChoice = { detail: { items: { name: ['a'], note: [{ exists: false }] } } };
    const beforeChoice = { detail: { items: { zname: ['a'], note: [{ exists: false }] } } };
    const itemsZ = event({ items: [{ zname: 'a' }, { zname: 'b', note: 'x' }] });

    // act
    const chosenFirst = matchesEventPattern(afterChoice, items);
    const checkedFirst = matchesEventPattern(beforeChoice, itemsZ);

    // assess
    expect(chosenFirst).toBe(true);
    expect(checkedFirst).toBe(false);
  });

  it('lets a field defined after $or replace the same field inside the branches', () => {
    // prepare
    const pattern = '{"$or": [{"source": ["a"]}, {"detail": {"x": [1]}}], "source": ["kestrel.test"]}';

    // act
    const result = matchesEventPattern(pattern, event({ x: 2 }));

    // assess
    expect(result).toBe(true);
  });

  it('accepts anything-but with a list of prefixes', () => {
    // prepare
    const pattern = { region: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] };

    // act
    const results = ['eu-west-1', 'ap-south-1'].map((region) => matchesEventPattern(pattern, { ...event({}), region }));

    // assess
    expect(results).toEqual([false, true]);
  });

  it('rejects a /32 IPv4 block as the engine does', () => {
    // prepare
    const pattern = { detail: { ip: [{ cidr: '10.0.0.1/32' }] } };

    // act
    const result = validateEventPattern(pattern);

    // assess
    expect(result.valid).toBe(false);
  });
});
