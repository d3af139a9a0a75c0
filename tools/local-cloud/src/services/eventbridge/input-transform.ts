/**
 * What a target receives: the event, a constant `Input`, the part of the
 * event `InputPath` selects, or an `InputTransformer` rendering — following
 * "Amazon EventBridge input transformation" in the EventBridge User Guide:
 *
 * - `InputPathsMap` values are JSON paths (dot notation, dashes, underscores,
 *   array indices, `*` wildcards); a path that selects nothing leaves its
 *   variable undefined.
 * - In the template, `<var>` inside a JSON string is replaced by the bare
 *   value, not escaped (objects and arrays lose their inner quotes, as AWS
 *   does); outside a string it is replaced by the value's JSON.
 * - Predefined: `aws.events.rule-arn`, `aws.events.rule-name`,
 *   `aws.events.event.ingestion-time` (ISO 8601), `aws.events.event` (the
 *   event without `detail`) and `aws.events.event.json` (the whole event).
 * - A template that is a quoted string (`"<a> is <b>"`) yields that JSON
 *   string, quotes included — that is what an SQS target's body shows on AWS.
 *
 * Where the guide is silent: an undefined variable renders as nothing inside
 * a string and as `null` outside one, so the output stays JSON.
 */

export interface InputTransformer {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TargetInputConfig {
  Input?: string;
  InputPath?: string;
  InputTransformer?: InputTransformer;
}

export interface RenderContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

export const RESERVED_VARIABLES = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.json',
  'aws.events.event.ingestion-time',
]);

type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

const PATH_SEGMENT = /\.([A-Za-z0-9_\-/:@$]+)|\.\*|\[(\d+)\]|\[\*\]|\['([^']*)'\]/y;

/** Parses a JSON path of the subset EventBridge supports; undefined when it isn't one. */
export function parseJsonPath(path: string): PathSegment[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: PathSegment[] = [];
  let position = 1;
  while (position < path.length) {
    PATH_SEGMENT.lastIndex = position;
    const match = PATH_SEGMENT.exec(path);
    if (!match) return undefined;
    if (match[1] !== undefined) segments.push({ kind: 'key', key: match[1] });
    else if (match[2] !== undefined) segments.push({ kind: 'index', index: Number(match[2]) });
    else if (match[3] !== undefined) segments.push({ kind: 'key', key: match[3] });
    else segments.push({ kind: 'wildcard' });
    position = PATH_SEGMENT.lastIndex;
  }
  return segments;
}

/** Evaluates a parsed path; a wildcard collects the values below it into an array. */
export function selectJsonPath(value: unknown, segments: PathSegment[]): unknown {
  let current: unknown = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    if (current === undefined || current === null) return undefined;
    if (segment.kind === 'wildcard') {
      const items = Array.isArray(current) ? current : typeof current === 'object' ? Object.values(current as object) : [];
      const rest = segments.slice(i + 1);
      return items.map((item) => selectJsonPath(item, rest)).filter((item) => item !== undefined);
    }
    if (segment.kind === 'index') {
      current = Array.isArray(current) ? current[segment.index] : undefined;
    } else {
      current = typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>)[segment.key] : undefined;
    }
  }
  return current;
}

/** A value placed inside a JSON string: bare text, objects without their inner quotes. */
function inString(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value).replaceAll('"', '');
  return String(value);
}

function outsideString(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}

/**
 * Renders an InputTemplate. Placeholders are `<name>` where `name` is a
 * defined or predefined variable; anything else between angle brackets is
 * left as written.
 */
export function renderTemplate(template: string, variables: Map<string, unknown>): string {
  let output = '';
  let inQuotes = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] as string;
    if (char === '"' && template[i - 1] !== '\\') {
      inQuotes = !inQuotes;
      output += char;
      continue;
    }
    if (char === '<') {
      const end = template.indexOf('>', i + 1);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (end > i && variables.has(name)) {
        const value = variables.get(name);
        output += inQuotes ? inString(value) : outsideString(value);
        i = end;
        continue;
      }
      if (end > i && /^[A-Za-z0-9_.\-]+$/.test(name)) {
        // A variable whose path matched nothing.
        output += inQuotes ? '' : 'null';
        i = end;
        continue;
      }
    }
    output += char;
  }
  return output;
}

/**
 * The text a target receives for an event.
 *
 * @example
 * renderTargetInput(event, { InputTransformer: { InputPathsMap: { id: '$.detail.id' }, InputTemplate: '{"orderId": <id>}' } }, context)
 * // '{"orderId": "o-1"}'
 */
export function renderTargetInput(event: Record<string, unknown>, config: TargetInputConfig, context: RenderContext): string {
  if (config.Input !== undefined) return config.Input;
  if (config.InputPath !== undefined) {
    const segments = parseJsonPath(config.InputPath);
    const selected = segments ? selectJsonPath(event, segments) : undefined;
    return selected === undefined ? 'null' : JSON.stringify(selected);
  }
  if (config.InputTransformer) {
    const variables = new Map<string, unknown>();
    for (const [name, path] of Object.entries(config.InputTransformer.InputPathsMap ?? {})) {
      const segments = parseJsonPath(path);
      const value = segments ? selectJsonPath(event, segments) : undefined;
      if (value !== undefined) variables.set(name, value);
    }
    const { detail: _detail, ...withoutDetail } = event;
    variables.set('aws.events.rule-arn', context.ruleArn);
    variables.set('aws.events.rule-name', context.ruleName);
    variables.set('aws.events.event.ingestion-time', context.ingestionTime);
    variables.set('aws.events.event', withoutDetail);
    variables.set('aws.events.event.json', event);
    return renderTemplate(config.InputTransformer.InputTemplate, variables);
  }
  return JSON.stringify(event);
}

/** Field-level problems with a target's input settings (empty when fine). */
export function inputConfigProblems(config: TargetInputConfig): string[] {
  const problems: string[] = [];
  const set = [config.Input, config.InputPath, config.InputTransformer].filter((value) => value !== undefined).length;
  if (set > 1) problems.push('Only one of Input, InputPath, or InputTransformer can be specified.');
  if (config.Input !== undefined) {
    try {
      JSON.parse(config.Input);
    } catch {
      problems.push('Input is not valid JSON text.');
    }
  }
  if (config.InputPath !== undefined && !parseJsonPath(config.InputPath)) problems.push(`InputPath ${config.InputPath} is not a valid JSON path.`);
  if (config.InputTransformer) {
    if (typeof config.InputTransformer.InputTemplate !== 'string' || config.InputTransformer.InputTemplate === '') {
      problems.push('InputTransformer.InputTemplate is required.');
    }
    const entries = Object.entries(config.InputTransformer.InputPathsMap ?? {});
    if (entries.length > 100) problems.push('InputTransformer.InputPathsMap can have at most 100 variables.');
    for (const [name, path] of entries) {
      if (RESERVED_VARIABLES.has(name)) problems.push(`InputTransformer.InputPathsMap: ${name} is a reserved variable name.`);
      if (!parseJsonPath(path)) problems.push(`InputTransformer.InputPathsMap.${name}: ${path} is not a valid JSON path.`);
    }
  }
  return problems;
}
