// EventBridge event-pattern cases as plain data, so the same table can drive the pattern engine's
// unit tests and, through the real AWS SDK, the emulated TestEventPattern API.
//
// Cases come from the examples in the AWS EventBridge user guide and are extended to cover every
// operator and their combinations; `source` names the page and section each case illustrates.
// Everything here is JSON-serialisable. A pattern or event given as a string is raw JSON text,
// used where the textual form of a number is the point of the case (300.0, 5e2).

export interface EventBridgeEvent {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface EventPatternCase {
  readonly name: string;
  readonly pattern: Readonly<Record<string, unknown>> | string;
  readonly event: EventBridgeEvent | string;
  readonly matches: boolean;
  readonly source: string;
}

export interface InvalidEventPatternCase {
  readonly name: string;
  /** A string is raw JSON text. */
  readonly pattern: unknown;
  readonly event: EventBridgeEvent;
  /** The reason AWS gives after "Event pattern is not valid. Reason: ". */
  readonly reason: string;
  readonly source: string;
}

const DOCS = {
  patterns: 'AWS docs: Creating Amazon EventBridge event patterns',
  syntax: 'AWS docs: Event pattern syntax / Matching event values',
  considerations: 'AWS docs: Event pattern syntax / Considerations when creating event patterns',
  fieldMatching: 'AWS docs: Event pattern syntax / Example events and event patterns (field matching)',
  valueMatching: 'AWS docs: Event pattern syntax / Example events and event patterns (value matching)',
  nullEmpty: 'AWS docs: Matching null values and empty strings in Amazon EventBridge event patterns',
  arrays: 'AWS docs: Arrays in Amazon EventBridge event patterns',
  operators: 'AWS docs: Comparison operators for use in event patterns in Amazon EventBridge',
  prefix: 'AWS docs: Content filtering in Amazon EventBridge event patterns / Prefix matching',
  prefixIgnoreCase: 'AWS docs: Content filtering / Prefix matching while ignoring case',
  suffix: 'AWS docs: Content filtering / Suffix matching',
  suffixIgnoreCase: 'AWS docs: Content filtering / Suffix matching while ignoring case',
  anythingBut: 'AWS docs: Content filtering / Anything-but matching',
  anythingButPrefix: 'AWS docs: Content filtering / Anything-but matching (begins with)',
  anythingButSuffix: 'AWS docs: Content filtering / Anything-but matching (ends with)',
  anythingButIgnoreCase: 'AWS docs: Content filtering / Anything-but matching (ignore case)',
  anythingButWildcard: 'AWS docs: Content filtering / Anything-but matching using a wildcard',
  numeric: 'AWS docs: Content filtering / Numeric matching',
  ip: 'AWS docs: Content filtering / IP address matching',
  exists: 'AWS docs: Content filtering / Exists matching',
  equalsIgnoreCase: 'AWS docs: Content filtering / Equals-ignore-case matching',
  wildcard: 'AWS docs: Content filtering / Matching using wildcards',
  complex: 'AWS docs: Content filtering / Complex example with multiple matching',
  or: 'AWS docs: Content filtering / $or matching',
  invalid: 'AWS docs: TestEventPattern / InvalidEventPatternException (reasons as EventBridge reports them)',
  // The user guide says nothing about dots in keys ("field names must appear in the event with the
  // same nesting structure" does not say how a dotted name nests). EventBridge matches with
  // aws/event-ruler, whose README ("Ruler by Example") presents an event as name/value pairs named
  // by joining the nested keys with dots (`detail.state`), and whose Path class flattens rules and
  // events alike that way, so `a.b` and `a: { b }` are one field on either side.
  // The page says a rule that is too complex is refused with InvalidEventPatternException, without the
  // measure's threshold. The fixed points used here are real answers from AWS found in public repositories:
  // a Terraform module whose four `*/datasync/*.<ext>` filters on one key were refused with this reason
  // (and accepted split two per rule, while four `*.<ext>` filters were accepted), and vals-ai/Valkyrie
  // PR #278, where three `*:stack/<name>/*` filters were accepted and four refused.
  wildcardComplexity: 'AWS docs: Comparison operators / Wildcards and event pattern complexity',
  dottedKeys: 'aws/event-ruler README: Ruler by Example (events as name/value pairs, nested names joined with ".")',
} as const;

// The Amazon EC2 event used throughout "Creating Amazon EventBridge event patterns".
const EC2_EVENT: EventBridgeEvent = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

// From "Matching null values and empty strings".
const AUTOSCALING_EVENT: EventBridgeEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

// The (truncated) Amazon Macie Classic alert from "Example events and event patterns".
const MACIE_EVENT: EventBridgeEvent = {
  version: '0',
  id: '3e355723-fca9-4de3-9fd7-154c289d6b59',
  'detail-type': 'Macie Alert',
  source: 'aws.macie',
  account: '123456789012',
  time: '2017-04-24T22:28:49Z',
  region: 'us-east-1',
  resources: [
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_id',
    'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
  ],
  detail: {
    'notification-type': 'ALERT_CREATED',
    name: 'Scanning bucket policies',
    tags: ['Custom_Alert', 'Insider'],
    url: 'https://lb00.us-east-1.macie.aws.amazon.com/111122223333/posts/alert_id',
    'alert-arn': 'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id/alert/alert_',
    'risk-score': 80,
    trigger: {
      'rule-arn': 'arn:aws:macie:us-east-1:123456789012:trigger/trigger_id',
      'alert-type': 'basic',
      'created-at': '2017-01-02 19:54:00.644000',
      description: 'Alerting on failed enumeration of large number of bucket policies',
      risk: 8,
    },
    'created-at': '2017-04-18T00:21:12.059000',
  },
};

// The EC2 event with numeric and IP fields that the content-filtering examples are written against.
const FILTERING_EVENT: EventBridgeEvent = {
  ...EC2_EVENT,
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The EC2 event with another `detail` (and optionally other envelope fields). */
function withDetail(detail: Record<string, unknown>, envelope: Partial<Omit<EventBridgeEvent, 'detail'>> = {}): EventBridgeEvent {
  return { ...EC2_EVENT, ...envelope, detail };
}

/** The EC2 event as JSON text with `detailJson` spliced in verbatim. */
function rawEvent(detailJson: string): string {
  const { detail: _detail, ...envelope } = EC2_EVENT;
  return `${JSON.stringify(envelope).slice(0, -1)},"detail":${detailJson}}`;
}

const cases: EventPatternCase[] = [];

function expect(name: string, pattern: EventPatternCase['pattern'], event: EventPatternCase['event'], matches: boolean, source: string): void {
  cases.push({ name, pattern, event, matches, source });
}

// ---------------------------------------------------------------- basics: fields, values, AND/OR
const ec2Termination = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};
expect('EC2 termination pattern matches the documented event', ec2Termination, EC2_EVENT, true, DOCS.patterns);
expect('EC2 termination pattern rejects a running instance', ec2Termination, withDetail({ 'instance-id': 'i-1', state: 'running' }), false, DOCS.patterns);
expect('EC2 termination pattern rejects another source', ec2Termination, { ...EC2_EVENT, source: 'aws.autoscaling' }, false, DOCS.patterns);
expect('fields absent from the pattern are ignored', { source: ['aws.ec2'] }, EC2_EVENT, true, DOCS.syntax);
expect('list of values is OR: second value matches', { source: ['aws.ec2', 'aws.fargate'] }, { ...EC2_EVENT, source: 'aws.fargate' }, true, DOCS.syntax);
expect('list of values is OR: no value matches', { source: ['aws.ec2', 'aws.fargate'] }, { ...EC2_EVENT, source: 'aws.lambda' }, false, DOCS.syntax);
expect('a pattern field missing from the event does not match', { detail: { 'instance-type': ['t3.micro'] } }, EC2_EVENT, false, DOCS.syntax);
expect('field names must appear with the same nesting', { state: ['terminated'] }, EC2_EVENT, false, DOCS.syntax);
expect('strings are case-sensitive', { source: ['AWS.EC2'] }, EC2_EVENT, false, DOCS.considerations);
expect('strings are not normalised (trailing space)', { detail: { state: ['terminated '] } }, EC2_EVENT, false, DOCS.considerations);
expect('fields are ANDed: one field mismatching fails the pattern', { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] }, EC2_EVENT, false, DOCS.operators);
expect('matches on account', { account: ['111122223333'] }, EC2_EVENT, true, DOCS.patterns);
expect('matches on region', { region: ['us-west-1', 'us-west-2'] }, EC2_EVENT, true, DOCS.patterns);
expect('matches on id', { id: ['6a7e8feb-b491-4cf7-a9f1-bf3703467718'] }, EC2_EVENT, true, DOCS.patterns);
expect('matches on version', { version: ['0'] }, EC2_EVENT, true, DOCS.patterns);
expect('matches on time', { time: ['2017-12-22T18:43:48Z'] }, EC2_EVENT, true, DOCS.patterns);
expect('matches on resources', { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, EC2_EVENT, true, DOCS.patterns);
expect('matches on detail-type alone', { 'detail-type': ['EC2 Instance State-change Notification'] }, EC2_EVENT, true, DOCS.patterns);
expect('all envelope fields together', { version: ['0'], id: ['6a7e8feb-b491-4cf7-a9f1-bf3703467718'], 'detail-type': ['EC2 Instance State-change Notification'], source: ['aws.ec2'], account: ['111122223333'], time: ['2017-12-22T18:43:48Z'], region: ['us-west-1'], resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'], detail: { 'instance-id': ['i-1234567890abcdef0'] } }, EC2_EVENT, true, DOCS.patterns);
expect('pattern object where the event has a string does not match', { detail: { state: { name: ['terminated'] } } }, EC2_EVENT, false, DOCS.syntax);
expect('pattern leaf where the event has an object does not match', { detail: { instance: ['i-1'] } }, withDetail({ instance: { id: 'i-1' } }), false, DOCS.syntax);
expect('deeply nested fields match', { detail: { a: { b: { c: { d: ['deep'] } } } } }, withDetail({ a: { b: { c: { d: 'deep' } } } }), true, DOCS.syntax);
expect('deeply nested field with a different value', { detail: { a: { b: { c: { d: ['deep'] } } } } }, withDetail({ a: { b: { c: { d: 'shallow' } } } }), false, DOCS.syntax);

// ------------------------------------------------------------------- null, empty, booleans, numbers
expect('autoscaling pattern matches responseElements null', { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, AUTOSCALING_EVENT, true, DOCS.fieldMatching);
expect('autoscaling pattern does not match responseElements holding an object', { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, { ...AUTOSCALING_EVENT, detail: { eventVersion: '', responseElements: { instanceId: 'i-1' } } }, false, DOCS.fieldMatching);
expect('empty string pattern matches an empty string', { detail: { eventVersion: [''] } }, AUTOSCALING_EVENT, true, DOCS.nullEmpty);
expect('null pattern matches a null value', { detail: { responseElements: [null] } }, AUTOSCALING_EVENT, true, DOCS.nullEmpty);
expect('null pattern does not match an empty string', { detail: { eventVersion: [null] } }, AUTOSCALING_EVENT, false, DOCS.nullEmpty);
expect('empty string pattern does not match null', { detail: { responseElements: [''] } }, AUTOSCALING_EVENT, false, DOCS.nullEmpty);
expect('null pattern does not match a missing field', { detail: { requestParameters: [null] } }, AUTOSCALING_EVENT, false, DOCS.nullEmpty);
expect('null pattern does not match the string "null"', { detail: { value: [null] } }, withDetail({ value: 'null' }), false, DOCS.nullEmpty);
expect('Macie risk-score 80 and trigger risk 8', { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } }, MACIE_EVENT, true, DOCS.valueMatching);
expect('Macie risk-score 81 does not match 80', { source: ['aws.macie'], detail: { 'risk-score': [81] } }, MACIE_EVENT, false, DOCS.valueMatching);
expect('Macie nested trigger risk mismatch', { detail: { 'risk-score': [80], trigger: { risk: [9] } } }, MACIE_EVENT, false, DOCS.valueMatching);
expect('number pattern does not match a numeric string', { detail: { 'risk-score': [80] } }, withDetail({ 'risk-score': '80' }), false, DOCS.considerations);
expect('string pattern does not match a number', { detail: { 'risk-score': ['80'] } }, MACIE_EVENT, false, DOCS.considerations);
expect('true matches JSON true', { detail: { enabled: [true] } }, withDetail({ enabled: true }), true, DOCS.considerations);
expect('true does not match the string "true"', { detail: { enabled: [true] } }, withDetail({ enabled: 'true' }), false, DOCS.considerations);
expect('false does not match true', { detail: { enabled: [false] } }, withDetail({ enabled: true }), false, DOCS.considerations);
expect('false matches JSON false', { detail: { enabled: [false, null] } }, withDetail({ enabled: false }), true, DOCS.considerations);
expect('false does not match 0', { detail: { enabled: [false] } }, withDetail({ enabled: 0 }), false, DOCS.considerations);
expect('300 matches 300.0 (numbers compare by value)', { detail: { limit: [300] } }, rawEvent('{"limit": 300.0}'), true, DOCS.numeric);
expect('5e2 matches 500', '{"detail": {"limit": [5e2]}}', withDetail({ limit: 500 }), true, DOCS.numeric);
expect('3.0e2 matches 300', '{"detail": {"limit": [3.0e2]}}', rawEvent('{"limit": 300}'), true, DOCS.numeric);
expect('300 does not match 301', { detail: { limit: [300] } }, withDetail({ limit: 301 }), false, DOCS.numeric);
expect('negative decimal matches', { detail: { delta: [-1.5] } }, withDetail({ delta: -1.5 }), true, DOCS.numeric);
expect('0.1 matches 0.10', { detail: { ratio: [0.1] } }, rawEvent('{"ratio": 0.10}'), true, DOCS.numeric);
expect('number beyond the numeric range still matches itself exactly', { detail: { big: [123456789012] } }, withDetail({ big: 123456789012 }), true, DOCS.numeric);
expect('number beyond the numeric range does not match a neighbour', { detail: { big: [123456789012] } }, withDetail({ big: 123456789013 }), false, DOCS.numeric);

// ------------------------------------------------------------------------------------------ arrays
const resourcesPattern = {
  resources: [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
  ],
};
expect('resources intersect: first pattern value is the second event value', resourcesPattern, { ...EC2_EVENT, resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, true, DOCS.arrays);
expect('resources do not intersect', resourcesPattern, { ...EC2_EVENT, resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] }, false, DOCS.arrays);
expect('empty resources array never matches a value', resourcesPattern, { ...EC2_EVENT, resources: [] }, false, DOCS.arrays);
expect('Macie tags: any element of the event array matches', { detail: { tags: ['Insider'] } }, MACIE_EVENT, true, DOCS.arrays);
expect('Macie tags: no element matches', { detail: { tags: ['External'] } }, MACIE_EVENT, false, DOCS.arrays);
expect('array holding mixed types matches null element', { detail: { values: [null] } }, withDetail({ values: ['a', 5, null] }), true, DOCS.arrays);
expect('array holding mixed types matches number element', { detail: { values: [5] } }, withDetail({ values: ['a', 5, null] }), true, DOCS.arrays);
const employees = withDetail({ employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] });
expect('array of objects: a field of any element matches', { detail: { employees: { firstName: ['Anna'] } } }, employees, true, DOCS.arrays);
expect('array of objects: two fields of the same element match', { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } }, employees, true, DOCS.arrays);
expect('array of objects: two fields from different elements do not match', { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } }, employees, false, DOCS.arrays);
expect('array of objects: no element has the value', { detail: { employees: { firstName: ['Zoe'] } } }, employees, false, DOCS.arrays);
expect('nested arrays of objects are flattened', { detail: { employees: { firstName: ['Peter'] } } }, withDetail({ employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] }), true, DOCS.arrays);
expect('array of objects with an inner array of tags', { detail: { items: { sku: ['B-2'], tags: ['sale'] } } }, withDetail({ items: [{ sku: 'A-1', tags: ['new'] }, { sku: 'B-2', tags: ['clearance', 'sale'] }] }), true, DOCS.arrays);
expect('array of objects with an inner array: tag from another element', { detail: { items: { sku: ['A-1'], tags: ['sale'] } } }, withDetail({ items: [{ sku: 'A-1', tags: ['new'] }, { sku: 'B-2', tags: ['clearance', 'sale'] }] }), false, DOCS.arrays);
expect('array of objects combined with a top-level field', { source: ['aws.ec2'], detail: { items: { qty: [{ numeric: ['>=', 10] }] } } }, withDetail({ items: [{ qty: 2 }, { qty: 12 }] }), true, DOCS.arrays);
expect('array of objects: numeric and string in the same element', { detail: { items: { sku: ['A-1'], qty: [{ numeric: ['>', 5] }] } } }, withDetail({ items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-2', qty: 12 }] }), false, DOCS.arrays);

// ------------------------------------------------------------------------------------------ prefix
expect('time prefix 2017-10-02 matches', { time: [{ prefix: '2017-10-02' }] }, FILTERING_EVENT, true, DOCS.prefix);
expect('time prefix 2017-10-03 does not match', { time: [{ prefix: '2017-10-03' }] }, FILTERING_EVENT, false, DOCS.prefix);
expect('region prefix us- matches us-east-1', { region: [{ prefix: 'us-' }] }, FILTERING_EVENT, true, DOCS.operators);
expect('region prefix eu- does not match us-east-1', { source: ['aws.ec2'], region: [{ prefix: 'eu-' }] }, FILTERING_EVENT, false, DOCS.prefix);
expect('prefix is case-sensitive', { region: [{ prefix: 'US-' }] }, FILTERING_EVENT, false, DOCS.prefix);
expect('prefix only applies to strings, not numbers', { detail: { 'c-count': [{ prefix: '5' }] } }, FILTERING_EVENT, false, DOCS.prefix);
expect('prefix equal to the whole value matches', { detail: { state: [{ prefix: 'running' }] } }, FILTERING_EVENT, true, DOCS.prefix);
expect('prefix longer than the value does not match', { detail: { state: [{ prefix: 'running-fast' }] } }, FILTERING_EVENT, false, DOCS.prefix);
expect('empty prefix matches any string', { detail: { state: [{ prefix: '' }] } }, FILTERING_EVENT, true, DOCS.prefix);
expect('prefix matches any element of an array', { resources: [{ prefix: 'arn:aws:ec2:us-east-1:' }] }, FILTERING_EVENT, true, DOCS.prefix);
expect('prefix ignoring case: EventB matches eventbridge', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'eventbridge' }), true, DOCS.prefixIgnoreCase);
expect('prefix ignoring case: EventB matches EVENTBRIDGE', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'EVENTBRIDGE' }), true, DOCS.prefixIgnoreCase);
expect('prefix ignoring case: eventb matches EvEnTbRiDgE', { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } }, withDetail({ service: 'EvEnTbRiDgE' }), true, DOCS.prefixIgnoreCase);
expect('prefix ignoring case: value shorter than the prefix', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'Event' }), false, DOCS.prefixIgnoreCase);
expect('prefix ignoring case: different letters', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, withDetail({ service: 'Eventually' }), false, DOCS.prefixIgnoreCase);
expect('prefix ignoring case with non-ASCII letters', { detail: { city: [{ prefix: { 'equals-ignore-case': 'ÖST' } }] } }, withDetail({ city: 'östersund' }), true, DOCS.prefixIgnoreCase);

// ------------------------------------------------------------------------------------------ suffix
expect('detail FileName suffix .png matches', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'photos/image.png' }), true, DOCS.suffix);
expect('suffix .png does not match .jpg', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'image.jpg' }), false, DOCS.suffix);
expect('suffix is case-sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, withDetail({ FileName: 'IMAGE.PNG' }), false, DOCS.suffix);
expect('suffix only applies to strings', { detail: { size: [{ suffix: '0' }] } }, withDetail({ size: 100 }), false, DOCS.suffix);
expect('suffix matches any element of an array', { detail: { files: [{ suffix: '.png' }] } }, withDetail({ files: ['a.txt', 'b.png'] }), true, DOCS.suffix);
expect('suffix ignoring case: .png matches IMAGE.PNG', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'IMAGE.PNG' }), true, DOCS.suffixIgnoreCase);
expect('suffix ignoring case: .png matches photo.Png', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'photo.Png' }), true, DOCS.suffixIgnoreCase);
expect('suffix ignoring case: tbridge matches EventBridge service name', { detail: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] } }, withDetail({ service: 'EVENTBRIDGE' }), true, DOCS.suffixIgnoreCase);
expect('suffix ignoring case: .png does not match .jpg', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, withDetail({ FileName: 'photo.JPG' }), false, DOCS.suffixIgnoreCase);

// ---------------------------------------------------------------------------- equals-ignore-case
expect('equals-ignore-case: alice matches Alice', { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'Alice' }), true, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: alice matches ALICE', { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'ALICE' }), true, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: alice does not match Alicia', { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'Alicia' }), false, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: whole value only (no trailing text)', { detail: { Name: [{ 'equals-ignore-case': 'alice' }] } }, withDetail({ Name: 'alice smith' }), false, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: accented Latin letters', { detail: { season: [{ 'equals-ignore-case': 'ÉTÉ' }] } }, withDetail({ season: 'été' }), true, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: Greek', { detail: { city: [{ 'equals-ignore-case': 'ΑΘΗΝΑ' }] } }, withDetail({ city: 'αθηνα' }), true, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: Cyrillic', { detail: { city: [{ 'equals-ignore-case': 'москва' }] } }, withDetail({ city: 'МОСКВА' }), true, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: symbols must still be equal', { detail: { drink: [{ 'equals-ignore-case': 'café ☕' }] } }, withDetail({ drink: 'CAFÉ ☕' }), true, DOCS.equalsIgnoreCase);
expect('equals-ignore-case: different accent does not match', { detail: { season: [{ 'equals-ignore-case': 'été' }] } }, withDetail({ season: 'ete' }), false, DOCS.equalsIgnoreCase);
expect('equals-ignore-case does not match numbers', { detail: { code: [{ 'equals-ignore-case': '42' }] } }, withDetail({ code: 42 }), false, DOCS.equalsIgnoreCase);
expect('equals-ignore-case on an array element', { detail: { tags: [{ 'equals-ignore-case': 'insider' }] } }, MACIE_EVENT, true, DOCS.equalsIgnoreCase);

// ------------------------------------------------------------------------------------ anything-but
expect('anything-but initializing: running matches', { detail: { state: [{ 'anything-but': 'initializing' }] } }, FILTERING_EVENT, true, DOCS.anythingBut);
expect('anything-but initializing: initializing does not match', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'initializing' }), false, DOCS.anythingBut);
expect('anything-but is case-sensitive', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 'INITIALIZING' }), true, DOCS.anythingBut);
expect('anything-but 123: 124 matches', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 124 }), true, DOCS.anythingBut);
expect('anything-but 123: 123 does not match', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': 123 }), false, DOCS.anythingBut);
expect('anything-but 123: 123.0 does not match', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, rawEvent('{"x-limit": 123.0}'), false, DOCS.anythingBut);
expect('anything-but list: stopped does not match', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, withDetail({ state: 'stopped' }), false, DOCS.anythingBut);
expect('anything-but list: overloaded does not match', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, withDetail({ state: 'overloaded' }), false, DOCS.anythingBut);
expect('anything-but list: running matches', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, FILTERING_EVENT, true, DOCS.anythingBut);
expect('anything-but number list: 200 does not match', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, withDetail({ 'x-limit': 200 }), false, DOCS.anythingBut);
expect('anything-but number list: 301.8 matches', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, FILTERING_EVENT, true, DOCS.anythingBut);
expect('anything-but does not match a missing field', { detail: { status: [{ 'anything-but': 'initializing' }] } }, FILTERING_EVENT, false, DOCS.anythingBut);
expect('anything-but Raining: Sunny matches (operators table "Not")', { detail: { Weather: [{ 'anything-but': ['Raining'] }] } }, withDetail({ Weather: 'Sunny' }), true, DOCS.operators);
expect('anything-but on an array: one element not excluded is enough', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: ['initializing', 'running'] }), true, DOCS.anythingBut);
expect('anything-but on an array: every element excluded', { detail: { state: [{ 'anything-but': ['initializing', 'pending'] }] } }, withDetail({ state: ['initializing', 'pending'] }), false, DOCS.anythingBut);
expect('anything-but a string matches a number value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, withDetail({ state: 5 }), true, DOCS.anythingBut);
expect('anything-but a number matches a string value', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, withDetail({ 'x-limit': '123' }), true, DOCS.anythingBut);
expect('anything-but prefix init: initializing does not match', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, withDetail({ state: 'initializing' }), false, DOCS.anythingButPrefix);
expect('anything-but prefix init: running matches', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, FILTERING_EVENT, true, DOCS.anythingButPrefix);
expect('anything-but prefix init: missing field does not match', { detail: { phase: [{ 'anything-but': { prefix: 'init' } }] } }, FILTERING_EVENT, false, DOCS.anythingButPrefix);
expect('anything-but prefix us-: eu-west-1 matches (operators table)', { region: [{ 'anything-but': { prefix: 'us-' } }] }, { ...EC2_EVENT, region: 'eu-west-1' }, true, DOCS.operators);
expect('anything-but prefix us-: us-east-1 does not match', { region: [{ 'anything-but': { prefix: 'us-' } }] }, FILTERING_EVENT, false, DOCS.operators);
expect('anything-but suffix .png: image.png does not match', { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, withDetail({ FileName: 'image.png' }), false, DOCS.anythingButSuffix);
expect('anything-but suffix .png: image.jpg matches', { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, withDetail({ FileName: 'image.jpg' }), true, DOCS.anythingButSuffix);
expect('anything-but suffix is case-sensitive', { detail: { FileName: [{ 'anything-but': { suffix: '.png' } }] } }, withDetail({ FileName: 'IMAGE.PNG' }), true, DOCS.anythingButSuffix);
expect('anything-but ignore case: INITIALIZING does not match', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } }, withDetail({ state: 'INITIALIZING' }), false, DOCS.anythingButIgnoreCase);
expect('anything-but ignore case: running matches', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } }, FILTERING_EVENT, true, DOCS.anythingButIgnoreCase);
expect('anything-but ignore case list: stopped does not match', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, withDetail({ state: 'stopped' }), false, DOCS.anythingButIgnoreCase);
expect('anything-but ignore case list: OVERLOADED does not match', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, withDetail({ state: 'OVERLOADED' }), false, DOCS.anythingButIgnoreCase);
expect('anything-but ignore case list: Running matches', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'OverLoaded'] } }] } }, withDetail({ state: 'Running' }), true, DOCS.anythingButIgnoreCase);
expect('anything-but wildcard */lib/*: a lib path does not match', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, withDetail({ FilePath: '/usr/lib/libc.so' }), false, DOCS.anythingButWildcard);
expect('anything-but wildcard */lib/*: a bin path matches', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, withDetail({ FilePath: '/usr/bin/env' }), true, DOCS.anythingButWildcard);
expect('anything-but wildcard list: bin excluded too', { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } }, withDetail({ FilePath: '/usr/bin/env' }), false, DOCS.anythingButWildcard);
expect('anything-but wildcard list: etc path matches', { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } }, withDetail({ FilePath: '/etc/hosts' }), true, DOCS.anythingButWildcard);
expect('anything-but OR prefix in one list: prefix branch matches', { detail: { state: [{ 'anything-but': 'running' }, { prefix: 'run' }] } }, FILTERING_EVENT, true, DOCS.anythingButPrefix);
expect('anything-but OR exact in one list: neither matches', { detail: { state: [{ 'anything-but': { prefix: 'r' } }, 'stopped'] } }, FILTERING_EVENT, false, DOCS.anythingButPrefix);

// ----------------------------------------------------------------------------------------- numeric
const numericDoc = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 301.8] }] } };
expect('numeric example: all three conditions hold', numericDoc, FILTERING_EVENT, true, DOCS.numeric);
expect('numeric example as JSON text with 3.018e2', '{"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}], "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"numeric": ["=", 3.018e2]}]}}', FILTERING_EVENT, true, DOCS.numeric);
expect('numeric example: c-count 6 is above the range', numericDoc, withDetail({ ...FILTERING_EVENT.detail, 'c-count': 6 }), false, DOCS.numeric);
expect('numeric example: c-count 0 is excluded (> 0)', numericDoc, withDetail({ ...FILTERING_EVENT.detail, 'c-count': 0 }), false, DOCS.numeric);
expect('numeric example: c-count 0.5 is inside', numericDoc, withDetail({ ...FILTERING_EVENT.detail, 'c-count': 0.5 }), true, DOCS.numeric);
expect('numeric example: d-count 10 is excluded (< 10)', numericDoc, withDetail({ ...FILTERING_EVENT.detail, 'd-count': 10 }), false, DOCS.numeric);
expect('numeric example: x-limit 301.9 is not equal', numericDoc, withDetail({ ...FILTERING_EVENT.detail, 'x-limit': 301.9 }), false, DOCS.numeric);
expect('numeric = 100: Price 100 (operators table)', { detail: { Price: [{ numeric: ['=', 100] }] } }, withDetail({ Price: 100 }), true, DOCS.operators);
expect('numeric = 100: Price 100.0 as JSON text', { detail: { Price: [{ numeric: ['=', 100] }] } }, rawEvent('{"Price": 100.0}'), true, DOCS.operators);
expect('numeric > 10 <= 20: 20 is inside', { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } }, withDetail({ Price: 20 }), true, DOCS.operators);
expect('numeric > 10 <= 20: 10 is outside', { detail: { Price: [{ numeric: ['>', 10, '<=', 20] }] } }, withDetail({ Price: 10 }), false, DOCS.operators);
expect('numeric >= 10 < 20: 10 is inside', { detail: { Price: [{ numeric: ['>=', 10, '<', 20] }] } }, withDetail({ Price: 10 }), true, DOCS.numeric);
expect('numeric >= 10 < 20: 20 is outside', { detail: { Price: [{ numeric: ['>=', 10, '<', 20] }] } }, withDetail({ Price: 20 }), false, DOCS.numeric);
expect('numeric >= alone', { detail: { Price: [{ numeric: ['>=', 99.99] }] } }, withDetail({ Price: 99.99 }), true, DOCS.numeric);
expect('numeric <= alone', { detail: { Price: [{ numeric: ['<=', -1] }] } }, withDetail({ Price: -0.5 }), false, DOCS.numeric);
expect('numeric range across negative numbers', { detail: { temp: [{ numeric: ['>', -20.5, '<', -3] }] } }, withDetail({ temp: -10 }), true, DOCS.numeric);
expect('numeric with six decimal places', { detail: { ratio: [{ numeric: ['>', 0.000001] }] } }, withDetail({ ratio: 0.000002 }), true, DOCS.numeric);
expect('numeric does not match a numeric string', { detail: { 'c-count': [{ numeric: ['>', 0] }] } }, withDetail({ 'c-count': '5' }), false, DOCS.numeric);
expect('numeric does not match a missing field', { detail: { 'e-count': [{ numeric: ['>', 0] }] } }, FILTERING_EVENT, false, DOCS.numeric);
expect('numeric matches any element of a number array', { detail: { readings: [{ numeric: ['>', 100] }] } }, withDetail({ readings: [12, 7, 101] }), true, DOCS.numeric);
expect('numeric: no element of a number array in range', { detail: { readings: [{ numeric: ['>', 100] }] } }, withDetail({ readings: [12, 7, 100] }), false, DOCS.numeric);
expect('numeric with an exponent in the event', { detail: { bytes: [{ numeric: ['>=', 1000] }] } }, rawEvent('{"bytes": 1e3}'), true, DOCS.numeric);
expect('numeric value beyond +5.0e9 is not comparable', { detail: { bytes: [{ numeric: ['>', 0] }] } }, withDetail({ bytes: 6e9 }), false, DOCS.numeric);
expect('numeric at the +5.0e9 limit is comparable', { detail: { bytes: [{ numeric: ['>=', 4999999999] }] } }, withDetail({ bytes: 5e9 }), true, DOCS.numeric);
expect('two numeric ranges in one list are ORed', { detail: { code: [{ numeric: ['<', 200] }, { numeric: ['>=', 500] }] } }, withDetail({ code: 503 }), true, DOCS.numeric);
expect('two numeric ranges in one list: value in the gap', { detail: { code: [{ numeric: ['<', 200] }, { numeric: ['>=', 500] }] } }, withDetail({ code: 404 }), false, DOCS.numeric);

// ------------------------------------------------------------------------------------- IP address
expect('cidr 10.0.0.0/24 matches 10.0.0.33', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, FILTERING_EVENT, true, DOCS.ip);
expect('cidr 10.0.0.0/24 matches 10.0.0.255', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, withDetail({ sourceIPAddress: '10.0.0.255' }), true, DOCS.ip);
expect('cidr 10.0.0.0/24 does not match 10.0.1.1', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, withDetail({ sourceIPAddress: '10.0.1.1' }), false, DOCS.ip);
expect('cidr 10.0.0.0/8 matches 10.200.3.4', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, withDetail({ sourceIPAddress: '10.200.3.4' }), true, DOCS.ip);
expect('cidr 10.0.0.0/8 does not match 11.0.0.1', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, withDetail({ sourceIPAddress: '11.0.0.1' }), false, DOCS.ip);
expect('cidr IPv6 2001:db8::/32 matches a compressed address', { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, withDetail({ sourceIPAddress: '2001:db8:85a3::8a2e:370:7334' }), true, DOCS.ip);
expect('cidr IPv6 matches the full uppercase spelling', { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, withDetail({ sourceIPAddress: '2001:0DB8:0000:0000:0000:0000:0000:0001' }), true, DOCS.ip);
expect('cidr IPv6 does not match outside the block', { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, withDetail({ sourceIPAddress: '2001:db9::1' }), false, DOCS.ip);
expect('cidr IPv6 /64 block', { detail: { sourceIPAddress: [{ cidr: 'fd00:1:2:3::/64' }] } }, withDetail({ sourceIPAddress: 'fd00:1:2:3:ffff:ffff:ffff:ffff' }), true, DOCS.ip);
expect('cidr IPv4 block does not match an IPv6 address', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, withDetail({ sourceIPAddress: '2001:db8::1' }), false, DOCS.ip);
expect('cidr does not match a non-IP string', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, withDetail({ sourceIPAddress: 'ip-10-0-0-1.ec2.internal' }), false, DOCS.ip);
expect('cidr does not match a number', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }] } }, withDetail({ sourceIPAddress: 10 }), false, DOCS.ip);
expect('cidr matches any element of an address array', { detail: { addresses: [{ cidr: '192.168.0.0/16' }] } }, withDetail({ addresses: ['10.1.1.1', '192.168.4.20'] }), true, DOCS.ip);
expect('cidr OR another cidr in one list', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/8' }, { cidr: '172.16.0.0/12' }] } }, withDetail({ sourceIPAddress: '172.20.1.1' }), true, DOCS.ip);

// ------------------------------------------------------------------------------------------ exists
expect('exists true: detail.state present', { detail: { state: [{ exists: true }] } }, { ...EC2_EVENT, id: '7bf73129-1428-4cd3-a780-95db273d1602', account: '123456789012', time: '2015-11-11T21:29:54Z', region: 'us-east-1', resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'], detail: { 'instance-id': 'i-abcd1111', state: 'pending' } }, true, DOCS.exists);
expect('exists true: detail.state absent (c-count is an object)', { detail: { state: [{ exists: true }] } }, withDetail({ 'c-count': { c1: 100 } }), false, DOCS.exists);
expect('exists false: detail.c-count absent', { detail: { 'c-count': [{ exists: false }] } }, withDetail({ state: ['initializing', 'running'] }), true, DOCS.exists);
expect('exists false: c-count is an object, not a leaf', { detail: { 'c-count': [{ exists: false }] } }, withDetail({ state: ['initializing', 'running'], 'c-count': { c1: 100 } }), true, DOCS.exists);
expect('exists false: c-count present', { detail: { 'c-count': [{ exists: false }] } }, FILTERING_EVENT, false, DOCS.exists);
expect('exists true: ProductName present (operators table)', { detail: { ProductName: [{ exists: true }] } }, withDetail({ ProductName: 'Widget' }), true, DOCS.operators);
expect('exists false: ProductName absent (operators table)', { detail: { ProductName: [{ exists: false }] } }, withDetail({ Price: 3 }), true, DOCS.operators);
expect('exists true: an object value is not a leaf', { detail: { trigger: [{ exists: true }] } }, MACIE_EVENT, false, DOCS.exists);
expect('exists true: a null value is present', { detail: { responseElements: [{ exists: true }] } }, AUTOSCALING_EVENT, true, DOCS.exists);
expect('exists false: a null value is present', { detail: { responseElements: [{ exists: false }] } }, AUTOSCALING_EVENT, false, DOCS.exists);
expect('exists true: an empty string is present', { detail: { eventVersion: [{ exists: true }] } }, AUTOSCALING_EVENT, true, DOCS.exists);
expect('exists true: false and 0 are present', { detail: { enabled: [{ exists: true }], count: [{ exists: true }] } }, withDetail({ enabled: false, count: 0 }), true, DOCS.exists);
expect('exists true: an empty array has no leaf', { resources: [{ exists: true }] }, AUTOSCALING_EVENT, false, DOCS.exists);
expect('exists false: an empty array has no leaf', { resources: [{ exists: false }] }, AUTOSCALING_EVENT, true, DOCS.exists);
expect('exists true: a non-empty array is present', { resources: [{ exists: true }] }, EC2_EVENT, true, DOCS.exists);
expect('exists false under a missing parent object', { detail: { metadata: { traceId: [{ exists: false }] } } }, EC2_EVENT, true, DOCS.exists);
expect('exists false combined with an exact field', { source: ['aws.ec2'], detail: { 'error-code': [{ exists: false }] } }, EC2_EVENT, true, DOCS.exists);
expect('exists false combined with an exact field that fails', { source: ['aws.s3'], detail: { 'error-code': [{ exists: false }] } }, EC2_EVENT, false, DOCS.exists);
expect('exists true combined with numeric on another field', { detail: { 'c-count': [{ numeric: ['>', 4] }], 'source-ip': [{ exists: true }] } }, FILTERING_EVENT, true, DOCS.exists);
expect('numeric OR exists false in one list: field missing', { detail: { retries: [{ numeric: ['<', 3] }, { exists: false }] } }, FILTERING_EVENT, true, DOCS.exists);
expect('numeric OR exists false in one list: field too large', { detail: { retries: [{ numeric: ['<', 3] }, { exists: false }] } }, withDetail({ retries: 5 }), false, DOCS.exists);

// ---------------------------------------------------------------------------------------- wildcard
expect('wildcard dir/*.png matches dir/image.png', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/image.png' }), true, DOCS.wildcard);
expect('wildcard * spans slashes: dir/dir2/image.png', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/dir2/image.png' }), true, DOCS.wildcard);
expect('wildcard * matches zero characters', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/.png' }), true, DOCS.wildcard);
expect('wildcard dir/*.png does not match a jpg', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'dir/image.jpg' }), false, DOCS.wildcard);
expect('wildcard dir/*.png does not match another folder', { detail: { FileName: [{ wildcard: 'dir/*.png' }] } }, withDetail({ FileName: 'other/image.png' }), false, DOCS.wildcard);
expect('wildcard in an event bus ARN', { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, withDetail({ EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/platform' }), true, DOCS.wildcard);
expect('wildcard in an event bus ARN: other region', { detail: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } }, withDetail({ EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/platform' }), false, DOCS.wildcard);
expect('wildcard *Title* matches Title in the middle', { detail: { name: [{ wildcard: '*Title*' }] } }, withDetail({ name: 'MyTitleDraft' }), true, DOCS.wildcard);
expect('wildcard is case-sensitive', { detail: { name: [{ wildcard: '*Title*' }] } }, withDetail({ name: 'my title draft' }), false, DOCS.wildcard);
expect('wildcard escaped asterisk matches a literal *', { detail: { expr: [{ wildcard: 'a\\*b' }] } }, withDetail({ expr: 'a*b' }), true, DOCS.wildcard);
expect('wildcard escaped asterisk is not a wildcard', { detail: { expr: [{ wildcard: 'a\\*b' }] } }, withDetail({ expr: 'axxb' }), false, DOCS.wildcard);
expect('wildcard escaped asterisk followed by a wildcard', { detail: { expr: [{ wildcard: 'price\\**' }] } }, withDetail({ expr: 'price*2' }), true, DOCS.wildcard);
expect('wildcard escaped backslash matches one backslash', { detail: { path: [{ wildcard: 'C:\\\\Users\\\\*' }] } }, withDetail({ path: 'C:\\Users\\alice' }), true, DOCS.wildcard);
expect('wildcard * alone matches any string, even empty', { detail: { note: [{ wildcard: '*' }] } }, withDetail({ note: '' }), true, DOCS.wildcard);
expect('wildcard does not match numbers', { detail: { size: [{ wildcard: '*' }] } }, withDetail({ size: 12 }), false, DOCS.wildcard);
expect('wildcard without * is an exact match', { detail: { state: [{ wildcard: 'running' }] } }, FILTERING_EVENT, true, DOCS.wildcard);
expect('wildcard with several stars in order', { detail: { key: [{ wildcard: 'logs/*/2024-*/*.gz' }] } }, withDetail({ key: 'logs/app/2024-05/part-0001.gz' }), true, DOCS.wildcard);
expect('wildcard with several stars out of order', { detail: { key: [{ wildcard: 'logs/*/2024-*/*.gz' }] } }, withDetail({ key: 'logs/app/2023-05/part-0001.gz' }), false, DOCS.wildcard);
expect('wildcard with non-ASCII text', { detail: { city: [{ wildcard: 'São *' }] } }, withDetail({ city: 'São Paulo' }), true, DOCS.wildcard);
expect('wildcard matches any element of an array', { resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] }, EC2_EVENT, true, DOCS.wildcard);

// -------------------------------------------------------------------------------------------- $or
const orTopLevel = {
  $or: [
    { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
    { detail: { 'd-count': [{ numeric: ['<', 10] }] } },
    { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } },
  ],
};
const orInDetail = {
  detail: {
    $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 301.8] }] }],
  },
};
expect('$or at the top level: every branch holds', orTopLevel, FILTERING_EVENT, true, DOCS.or);
expect('$or at the top level: only d-count holds', orTopLevel, withDetail({ 'c-count': 50, 'd-count': 3, 'x-limit': 1 }), true, DOCS.or);
expect('$or at the top level: no branch holds', orTopLevel, withDetail({ 'c-count': 50, 'd-count': 30, 'x-limit': 1 }), false, DOCS.or);
expect('$or inside detail: only x-limit holds', orInDetail, withDetail({ 'c-count': 50, 'd-count': 30, 'x-limit': 301.8 }), true, DOCS.or);
expect('$or inside detail: no branch holds', orInDetail, withDetail({ 'c-count': 50, 'd-count': 30, 'x-limit': 1 }), false, DOCS.or);
const locationOrDay = { detail: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] } };
expect('$or Location or Day: location matches (operators table)', locationOrDay, withDetail({ Location: 'New York', Day: 'Friday' }), true, DOCS.operators);
expect('$or Location or Day: day matches', locationOrDay, withDetail({ Location: 'Boston', Day: 'Monday' }), true, DOCS.operators);
expect('$or Location or Day: neither matches', locationOrDay, withDetail({ Location: 'Boston', Day: 'Friday' }), false, DOCS.operators);
expect('$or Location or Day: both fields missing', locationOrDay, withDetail({ City: 'New York' }), false, DOCS.operators);
const orWithSource = { source: ['aws.cloudwatch'], detail: { $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] } };
expect('source AND $or: both parts hold', orWithSource, withDetail({ metricName: 'ReadLatency' }, { source: 'aws.cloudwatch' }), true, DOCS.or);
expect('source AND $or: $or holds but source differs', orWithSource, withDetail({ metricName: 'ReadLatency' }), false, DOCS.or);
expect('source AND $or: source holds but no branch', orWithSource, withDetail({ metricName: 'DiskQueueDepth', namespace: 'AWS/RDS' }, { source: 'aws.cloudwatch' }), false, DOCS.or);
const orWithAndBranch = {
  source: ['aws.cloudwatch'],
  detail: {
    $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] }, { scope: ['Service'] }],
  },
};
expect('$or branch with two fields: both hold', orWithAndBranch, withDetail({ metricType: 'MetricType', namespace: 'AWS/ES' }, { source: 'aws.cloudwatch' }), true, DOCS.or);
expect('$or branch with two fields: only one holds', orWithAndBranch, withDetail({ metricType: 'MetricType', namespace: 'AWS/RDS' }, { source: 'aws.cloudwatch' }), false, DOCS.or);
expect('$or third branch holds', orWithAndBranch, withDetail({ scope: 'Service' }, { source: 'aws.cloudwatch' }), true, DOCS.or);
const nestedOr = {
  source: ['aws.cloudwatch'],
  detail: {
    $or: [
      { metricName: ['CPUUtilization'] },
      { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      { scope: ['Service'] },
    ],
  },
};
expect('nested $or: inner first branch holds', nestedOr, withDetail({ metricType: 'MetricType', namespace: 'AWS/EC2', metricId: 1234 }, { source: 'aws.cloudwatch' }), true, DOCS.or);
expect('nested $or: inner second branch holds', nestedOr, withDetail({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }, { source: 'aws.cloudwatch' }), true, DOCS.or);
expect('nested $or: no inner branch holds', nestedOr, withDetail({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1001 }, { source: 'aws.cloudwatch' }), false, DOCS.or);
expect('nested $or: inner branch holds but outer fields do not', nestedOr, withDetail({ metricType: 'Other', namespace: 'AWS/EC2', metricId: 1234 }, { source: 'aws.cloudwatch' }), false, DOCS.or);
const parallelOr = {
  $or: [{ account: ['111122223333'] }, { region: ['eu-central-1'] }],
  detail: { $or: [{ state: ['terminated'] }, { 'instance-id': ['i-0'] }] },
};
expect('two $or at different levels: both hold', parallelOr, EC2_EVENT, true, DOCS.or);
expect('two $or at different levels: only the first holds', parallelOr, withDetail({ state: 'running', 'instance-id': 'i-1' }), false, DOCS.or);
expect('$or branches mixing operators: anything-but prefix branch', { detail: { $or: [{ state: [{ 'anything-but': { prefix: 'run' } }] }, { 'c-count': [{ numeric: ['>', 10] }] }] } }, withDetail({ state: 'stopped', 'c-count': 1 }), true, DOCS.or);
expect('$or branches mixing operators: neither holds', { detail: { $or: [{ state: [{ 'anything-but': { prefix: 'run' } }] }, { 'c-count': [{ numeric: ['>', 10] }] }] } }, FILTERING_EVENT, false, DOCS.or);
expect('$or branch with exists false', { detail: { $or: [{ approved: [true] }, { approval: [{ exists: false }] }] } }, withDetail({ amount: 10 }), true, DOCS.or);
expect('$or branch with exists false: field present and not approved', { detail: { $or: [{ approved: [true] }, { approved: [{ exists: false }] }] } }, withDetail({ approved: false }), false, DOCS.or);
expect('$or branches reaching into different objects', { detail: { $or: [{ order: { status: ['PAID'] } }, { payment: { method: [{ prefix: 'card-' }] } }] } }, withDetail({ order: { status: 'NEW' }, payment: { method: 'card-visa' } }), true, DOCS.or);
expect('$or branch on an array of objects keeps elements consistent', { detail: { items: { $or: [{ sku: ['A-1'], qty: [{ numeric: ['>', 5] }] }, { sku: ['C-3'] }] } } }, withDetail({ items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-2', qty: 12 }] }), false, DOCS.or);

// -------------------------------------------------------------------------------- combinations
const complexDoc = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
  },
};
expect('complex example matches', complexDoc, FILTERING_EVENT, true, DOCS.complex);
expect('complex example: state initializing fails it', complexDoc, withDetail({ ...FILTERING_EVENT.detail, state: 'initializing' }, { time: '2017-10-02T16:24:49Z' }), false, DOCS.complex);
expect('complex example: x-limit 300 fails it', complexDoc, withDetail({ ...FILTERING_EVENT.detail, 'x-limit': 300 }, { time: '2017-10-02T16:24:49Z' }), false, DOCS.complex);
expect('complex example: another day fails it', complexDoc, { ...FILTERING_EVENT, time: '2017-10-03T00:00:00Z' }, false, DOCS.complex);
expect('complex example with cidr', { ...complexDoc, detail: { ...complexDoc.detail, 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, FILTERING_EVENT, true, DOCS.complex);
expect('duplicate key: the last definition is used', '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}', withDetail({ location: 'eu-west' }), true, DOCS.complex);
expect('duplicate key: the first definition is ignored', '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}', withDetail({ location: 'us-east' }), false, DOCS.complex);
expect('exact OR prefix OR suffix in one list', { detail: { FileName: ['README', { prefix: 'docs/' }, { suffix: '.md' }] } }, withDetail({ FileName: 'notes/todo.md' }), true, DOCS.operators);
expect('exact OR prefix OR suffix in one list: none holds', { detail: { FileName: ['README', { prefix: 'docs/' }, { suffix: '.md' }] } }, withDetail({ FileName: 'src/index.ts' }), false, DOCS.operators);
expect('equals-ignore-case OR wildcard in one list', { detail: { Name: [{ 'equals-ignore-case': 'bob' }, { wildcard: 'Al*' }] } }, withDetail({ Name: 'Alice' }), true, DOCS.operators);
expect('operators on several fields must all hold', { source: [{ prefix: 'aws.' }], region: [{ 'anything-but': { suffix: '-2' } }], detail: { 'source-ip': [{ cidr: '10.0.0.0/16' }], state: [{ 'equals-ignore-case': 'RUNNING' }] } }, FILTERING_EVENT, true, DOCS.operators);
expect('operators on several fields: one fails', { source: [{ prefix: 'aws.' }], region: [{ 'anything-but': { suffix: '-1' } }], detail: { 'source-ip': [{ cidr: '10.0.0.0/16' }] } }, FILTERING_EVENT, false, DOCS.operators);
expect('kestrel-style event: data nested in detail', { source: ['kestrel.customers'], 'detail-type': [{ prefix: 'CustomerRegistered' }], detail: { data: { tier: ['gold', 'platinum'] }, metadata: { idempotencyKey: [{ exists: true }] } } }, withDetail({ metadata: { idempotencyKey: 'k-1', _datadog: { traceId: '1' } }, data: { customerId: 'c-1', tier: 'gold' } }, { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1' }), true, DOCS.patterns);
expect('kestrel-style event: tier not in list', { source: ['kestrel.customers'], detail: { data: { tier: ['gold', 'platinum'] } } }, withDetail({ data: { customerId: 'c-1', tier: 'silver' } }, { source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1' }), false, DOCS.patterns);

// -------------------------------------------------------------------------- wildcard complexity
const s3Key = (key: string) => withDetail({ bucket: { name: 'ingest' }, object: { key } }, { source: 'aws.s3', 'detail-type': 'Object Created' });
const keyPattern = (...wildcards: string[]) => ({ source: ['aws.s3'], detail: { object: { key: wildcards.map((wildcard) => ({ wildcard })) } } });
expect('four one-star suffix wildcards on one field are accepted (and match)', keyPattern('*.bif', '*.tiff', '*.tif', '*.svs'), s3Key('slides/a.tif'), true, DOCS.wildcardComplexity);
expect('two two-star wildcards on one field are accepted (and match)', keyPattern('*/datasync/*.bif', '*/datasync/*.tif'), s3Key('in/datasync/a.bif'), true, DOCS.wildcardComplexity);
expect('two two-star wildcards on one field are accepted (and do not match)', keyPattern('*/datasync/*.tiff', '*/datasync/*.svs'), s3Key('in/datasync/a.bif'), false, DOCS.wildcardComplexity);
expect('three *:stack/<name>/* wildcards are accepted', { detail: { 'stack-id': [{ wildcard: '*:stack/Shared/*' }, { wildcard: '*:stack/Api/*' }, { wildcard: '*:stack/Data/*' }] } }, withDetail({ 'stack-id': 'arn:aws:cloudformation:eu-west-1:1:stack/Api/x' }), true, DOCS.wildcardComplexity);
expect('the limit is per field: four two-star wildcards split over two fields are accepted', { detail: { object: { key: [{ wildcard: '*/datasync/*.bif' }, { wildcard: '*/datasync/*.tif' }] }, bucket: { name: [{ wildcard: '*/datasync/*.tiff' }, { wildcard: '*/datasync/*.svs' }] } } }, s3Key('in/datasync/a.bif'), false, DOCS.wildcardComplexity);

// ---------------------------------------------------------------------------------- dotted keys
expect('dotted pattern key matches nested event fields', { 'detail.state': ['terminated'] }, EC2_EVENT, true, DOCS.dottedKeys);
expect('dotted pattern key with another value does not match', { 'detail.state': ['running'] }, EC2_EVENT, false, DOCS.dottedKeys);
expect('nested pattern matches a dotted event key', { detail: { order: { status: ['paid'] } } }, withDetail({ 'order.status': 'paid' }), true, DOCS.dottedKeys);
expect('nested pattern against a dotted event key with another value', { detail: { order: { status: ['paid'] } } }, withDetail({ 'order.status': 'open' }), false, DOCS.dottedKeys);
expect('dotted pattern key matches a dotted event key', { detail: { 'order.status': ['paid'] } }, withDetail({ 'order.status': 'paid' }), true, DOCS.dottedKeys);
expect('partly dotted pattern matches partly dotted event', { 'detail.order': { 'lines.sku': ['A-1'] } }, withDetail({ order: { 'lines.sku': 'A-1' } }), true, DOCS.dottedKeys);
expect('dotted key with exists: true sees the nested field', { 'detail.state': [{ exists: true }] }, EC2_EVENT, true, DOCS.dottedKeys);
expect('dotted key with exists: false sees the nested field', { 'detail.state': [{ exists: false }] }, EC2_EVENT, false, DOCS.dottedKeys);
expect('dotted event key inside an array of objects', { detail: { items: { sku: ['B-2'] } } }, withDetail({ items: [{ 'sku': 'A-1' }, { 'sku.x': 'no' }, { sku: 'B-2' }] }), true, DOCS.dottedKeys);
expect('a dot is not a wildcard: other names do not match', { 'detail.state': ['terminated'] }, withDetail({ 'detail-state': 'terminated' }), false, DOCS.dottedKeys);

export const eventPatternCases: readonly EventPatternCase[] = cases;

// ---------------------------------------------------------------------------------- invalid
const invalid: InvalidEventPatternCase[] = [];

function reject(name: string, pattern: unknown, reason: string, source: string = DOCS.invalid): void {
  invalid.push({ name, pattern, event: EC2_EVENT, reason, source });
}

reject('pattern must be an object, not an array', [{ source: ['aws.ec2'] }], 'Filter is not an object');
reject('pattern must be an object, not a JSON string', '"aws.ec2"', 'Filter is not an object');
reject('empty pattern', {}, 'Empty objects are not allowed');
reject('empty nested object', { detail: {} }, 'Empty objects are not allowed');
reject('leaf must be an array, not a string', { source: 'aws.ec2' }, '"source" must be an object or an array');
reject('leaf must be an array, not a number', { detail: { count: 5 } }, '"count" must be an object or an array');
reject('leaf must be an array, not null', { detail: { value: null } }, '"value" must be an object or an array');
reject('empty array of values', { source: [] }, 'Empty arrays are not allowed');
reject('array inside a value list', { source: [['aws.ec2']] }, 'Match value must be String, number, true, false, or null');
reject('empty match expression', { source: [{}] }, 'Match expression name not found');
reject('unknown operator', { source: [{ contains: 'ec2' }] }, 'Unrecognized match type contains');
reject('unknown operator (case matters)', { source: [{ Prefix: 'aws.' }] }, 'Unrecognized match type Prefix');
reject('two operators in one expression', { source: [{ prefix: 'aws.', suffix: 'ec2' }] }, 'Only one key allowed in match expression');
reject('prefix value must be a string', { source: [{ prefix: 5 }] }, 'prefix match pattern must be a string');
reject('prefix object must use equals-ignore-case', { source: [{ prefix: { wildcard: 'aws.*' } }] }, 'Unsupported prefix pattern: wildcard');
reject('prefix object without an operator', { source: [{ prefix: {} }] }, 'Prefix expression name not found');
reject('prefix equals-ignore-case value must be a string', { source: [{ prefix: { 'equals-ignore-case': ['aws.'] } }] }, 'equals-ignore-case match pattern must be a string');
reject('suffix value must be a string', { detail: { FileName: [{ suffix: ['.png'] }] } }, 'suffix match pattern must be a string');
reject('suffix object must use equals-ignore-case', { detail: { FileName: [{ suffix: { prefix: '.png' } }] } }, 'Unsupported suffix pattern: prefix');
reject('suffix equals-ignore-case value must be a string', { detail: { FileName: [{ suffix: { 'equals-ignore-case': null } }] } }, 'equals-ignore-case match pattern must be a string');
reject('equals-ignore-case value must be a string', { detail: { Name: [{ 'equals-ignore-case': 42 }] } }, 'equals-ignore-case match pattern must be a string');
reject('wildcard value must be a string', { detail: { FileName: [{ wildcard: 5 }] } }, 'wildcard match pattern must be a string');
reject('consecutive wildcards', { detail: { FileName: [{ wildcard: 'dir/**.png' }] } }, 'Consecutive wildcard characters at pos 5');
reject('wildcard escape of a letter', { detail: { FileName: [{ wildcard: 'dir\\name' }] } }, 'Invalid escape character at pos 4');
reject('wildcard ending in a lone backslash', { detail: { FileName: [{ wildcard: 'dir\\' }] } }, 'Invalid escape character at pos 4');
reject('exists must be a boolean, not a string', { detail: { state: [{ exists: 'true' }] } }, 'exists match pattern must be either true or false.');
reject('exists must be a boolean, not a number', { detail: { state: [{ exists: 1 }] } }, 'exists match pattern must be either true or false.');
reject('numeric must be an array', { detail: { count: [{ numeric: '>5' }] } }, 'Value of numeric must be an array.');
reject('numeric with no terms', { detail: { count: [{ numeric: [] }] } }, 'Invalid member in numeric match: ]');
reject('numeric must start with an operator', { detail: { count: [{ numeric: [5, '<'] }] } }, 'Invalid member in numeric match: 5');
reject('numeric unknown operator', { detail: { count: [{ numeric: ['!=', 5] }] } }, 'Unrecognized numeric range operator: !=');
reject('numeric operand must be a number', { detail: { count: [{ numeric: ['>', '5'] }] } }, 'Value of > must be numeric');
reject('numeric = operand must be a number', { detail: { count: [{ numeric: ['=', null] }] } }, 'Value of equals must be numeric');
reject('numeric upper bound first is not allowed', { detail: { count: [{ numeric: ['<', 10, '>', 0] }] } }, 'Too many elements in numeric expression');
reject('numeric = takes one operand', { detail: { count: [{ numeric: ['=', 1, '<', 2] }] } }, 'Too many elements in numeric expression');
reject('numeric two lower bounds', { detail: { count: [{ numeric: ['>', 0, '>', 5] }] } }, 'Bad numeric range operator: >');
reject('numeric second term must be an operator', { detail: { count: [{ numeric: ['>', 0, 5] }] } }, 'Bad value in numeric range: 5');
reject('numeric upper bound missing its value', { detail: { count: [{ numeric: ['>', 0, '<'] }] } }, 'Value of < must be numeric');
reject('numeric bounds in the wrong order', { detail: { count: [{ numeric: ['>', 10, '<', 5] }] } }, 'Bottom must be less than top');
reject('numeric empty range', { detail: { count: [{ numeric: ['>=', 5, '<=', 5] }] } }, 'Bottom must be less than top');
reject('numeric too many terms', { detail: { count: [{ numeric: ['>', 0, '<=', 5, '<', 6] }] } }, 'Too many terms in numeric range expression');
reject('numeric operand beyond 5.0e9', { detail: { count: [{ numeric: ['=', 6e9] }] } }, 'Value must be between -5.0E9 and 5.0E9, inclusive');
reject('numeric operand below -5.0e9', { detail: { count: [{ numeric: ['>', -6e9] }] } }, 'Value must be between -5.0E9 and 5.0E9, inclusive');
reject('numeric upper bound at or below -5.0e9', { detail: { count: [{ numeric: ['<', -6e9] }] } }, 'Bottom must be less than top');
reject('numeric operand with seven decimals', { detail: { count: [{ numeric: ['>', 0.0000001] }] } }, 'Only values upto 6 decimals are supported');
reject('anything-but boolean', { detail: { state: [{ 'anything-but': true }] } }, 'Value of anything-but must be an array or single string/number value.');
reject('anything-but null', { detail: { state: [{ 'anything-but': null }] } }, 'Value of anything-but must be an array or single string/number value.');
reject('anything-but list mixing strings and numbers', { detail: { state: [{ 'anything-but': ['stopped', 1] }] } }, 'Inside anything but list, either all values are number or string, mixed type is not supported');
reject('anything-but empty list', { detail: { state: [{ 'anything-but': [] }] } }, 'Inside anything but list, either all values are number or string, mixed type is not supported');
reject('anything-but list with null', { detail: { state: [{ 'anything-but': ['stopped', null] }] } }, 'Inside anything but list, start|null|boolean is not supported.');
reject('anything-but numeric operator', { detail: { count: [{ 'anything-but': { numeric: ['>', 1] } }] } }, 'Unsupported anything-but pattern: numeric');
reject('anything-but exists', { detail: { count: [{ 'anything-but': { exists: true } }] } }, 'Unsupported anything-but pattern: exists');
reject('anything-but object without an operator', { detail: { state: [{ 'anything-but': {} }] } }, 'Anything-but expression name not found');
reject('anything-but empty prefix', { detail: { state: [{ 'anything-but': { prefix: '' } }] } }, 'Null prefix/suffix not allowed');
reject('anything-but empty suffix', { detail: { state: [{ 'anything-but': { suffix: '' } }] } }, 'Null prefix/suffix not allowed');
reject('anything-but prefix must be a string', { detail: { state: [{ 'anything-but': { prefix: 5 } }] } }, 'prefix/suffix match pattern must be a string');
reject('anything-but prefix boolean', { detail: { state: [{ 'anything-but': { prefix: false } }] } }, 'Value of anything-but must be an array or single string/number value.');
reject('anything-but equals-ignore-case with numbers', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': [1, 2] } }] } }, 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
reject('anything-but wildcard must be a string', { detail: { state: [{ 'anything-but': { wildcard: [5] } }] } }, 'wildcard match pattern must be a string');
reject('anything-but consecutive wildcards', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/**' } }] } }, 'Consecutive wildcard characters at pos 7');
reject('anything-but number beyond the numeric range', { detail: { count: [{ 'anything-but': 123456789012 }] } }, 'Value must be between -5.0E9 and 5.0E9, inclusive');
reject('anything-but with a second key', { detail: { state: [{ 'anything-but': 'a', prefix: 'b' }] } }, 'Too many elements in numeric expression');
reject('cidr without a mask', { detail: { ip: [{ cidr: '10.0.0.0' }] } }, "Malformed CIDR, one '/' required");
reject('cidr with two slashes', { detail: { ip: [{ cidr: '10.0.0.0/8/8' }] } }, "Malformed CIDR, one '/' required");
reject('cidr mask must be an integer', { detail: { ip: [{ cidr: '10.0.0.0/x' }] } }, 'Malformed CIDR, mask bits must be an integer');
reject('cidr mask must not be negative', { detail: { ip: [{ cidr: '10.0.0.0/-1' }] } }, 'Malformed CIDR, mask bits must not be negative');
reject('cidr IPv4 mask too large', { detail: { ip: [{ cidr: '10.0.0.0/33' }] } }, 'IPv4 mask bits must be < 32');
reject('cidr IPv6 mask too large', { detail: { ip: [{ cidr: '2001:db8::/129' }] } }, 'IPv6 mask bits must be < 128');
reject('cidr with a host name', { detail: { ip: [{ cidr: 'example.com/24' }] } }, 'Nonstandard IP address: example.com');
reject('cidr with an out-of-range octet', { detail: { ip: [{ cidr: '300.0.0.1/8' }] } }, 'Invalid IP address: 300.0.0.1');
reject('cidr with a malformed IPv6 address', { detail: { ip: [{ cidr: '2001:db8:::1/64' }] } }, 'Invalid IP address: 2001:db8:::1');
reject('cidr must be a string', { detail: { ip: [{ cidr: 10 }] } }, 'cidr match pattern must be a string');
reject('$or must be an array', { $or: { source: ['aws.ec2'] } }, 'It must be an Array followed with $or.');
reject('$or needs at least two objects', { $or: [{ source: ['aws.ec2'] }] }, 'There must have at least 2 Objects in $or relationship.');
reject('$or with an empty array', { detail: { $or: [] } }, 'There must have at least 2 Objects in $or relationship.');
reject('$or elements must be objects', { $or: [{ source: ['aws.ec2'] }, ['aws.s3']] }, 'Only JSON object is allowed in array of $or relationship.');
reject('$or with an empty object', { $or: [{}, { source: ['aws.ec2'] }] }, 'Empty objects are not allowed');
reject('$or branch using an operator name as a field', { $or: [{ prefix: ['aws.'] }, { source: ['aws.ec2'] }] }, 'prefix is Ruler reserved fieldName which cannot be used inside $or.');
reject('$or branch using numeric as a nested field', { detail: { $or: [{ metric: { numeric: [1] } }, { state: ['running'] }] } }, 'numeric is Ruler reserved fieldName which cannot be used inside $or.');
reject('$or branch with an invalid operator inside', { $or: [{ source: [{ prefix: 1 }] }, { region: ['us-east-1'] }] }, 'prefix match pattern must be a string');

const tooComplex = 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';
reject('four two-star wildcards on one field are too complex', { detail: { object: { key: ['*/datasync/*.bif', '*/datasync/*.tif', '*/datasync/*.tiff', '*/datasync/*.svs'].map((wildcard) => ({ wildcard })) } } }, tooComplex, DOCS.wildcardComplexity);
reject('four *:stack/<name>/* wildcards are too complex', { detail: { 'stack-id': ['Shared', 'Api', 'Data', 'Monitoring'].map((name) => ({ wildcard: `*:stack/${name}/*` })) } }, tooComplex, DOCS.wildcardComplexity);
reject('too complex inside one $or branch', { $or: [{ source: ['aws.s3'] }, { detail: { key: ['*/datasync/*.bif', '*/datasync/*.tif', '*/datasync/*.tiff', '*/datasync/*.svs'].map((wildcard) => ({ wildcard })) } }] }, tooComplex, DOCS.wildcardComplexity);

export const invalidEventPatternCases: readonly InvalidEventPatternCase[] = invalid;
