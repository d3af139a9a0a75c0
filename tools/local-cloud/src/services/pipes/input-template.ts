/**
 * Rendering EventBridge Pipes' `InputTemplate` (EventBridge User Guide,
 * "Amazon EventBridge Pipes input transformation"). A template is free text,
 * one JSON path (`<$.body.key>`), or JSON with inline paths and reserved
 * variables (`<aws.pipes.pipe-name>`, `<aws.pipes.event.ingestion-time>`…).
 *
 * The docs' rule — "put quotes around variables that refer to JSON path
 * parameters [that are strings], but do not put quotes around variables that
 * refer to JSON objects or arrays" — is how values are inserted:
 * - inside a JSON string (`"id": "<$.x>"`) a value is inserted as string
 *   content, JSON-escaped, so the output stays valid JSON;
 * - outside quotes a string is inserted as it is (so `<$.dynamodb.NewImage.detail.S>`
 *   alone yields the stored JSON text itself) and anything else as JSON;
 * - a path that resolves to nothing is `null` outside quotes and empty inside.
 */
import { resolveJsonPath } from './json-path';

export interface ReservedVariables {
  pipeArn: string;
  pipeName: string;
  sourceArn: string;
  targetArn: string;
  enrichmentArn?: string;
  /** ISO 8601 time the input transformer received the event. */
  ingestionTime: string;
}

const PLACEHOLDER = /^<([^<>\s]+)>/;

function reserved(name: string, event: unknown, variables: ReservedVariables): { found: boolean; value?: unknown } {
  switch (name) {
    case 'aws.pipes.pipe-arn':
      return { found: true, value: variables.pipeArn };
    case 'aws.pipes.pipe-name':
      return { found: true, value: variables.pipeName };
    case 'aws.pipes.source-arn':
      return { found: true, value: variables.sourceArn };
    case 'aws.pipes.enrichment-arn':
      return { found: true, value: variables.enrichmentArn ?? '' };
    case 'aws.pipes.target-arn':
      return { found: true, value: variables.targetArn };
    case 'aws.pipes.event.ingestion-time':
      return { found: true, value: variables.ingestionTime };
    case 'aws.pipes.event':
    case 'aws.pipes.event.json':
      return { found: true, value: event };
    default:
      return { found: false };
  }
}

/** Lists the placeholders of a template that are neither JSON paths nor reserved variables. */
export function unknownPlaceholders(template: string): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(/<([^<>\s]+)>/g)) {
    const name = match[1] as string;
    if (!name.startsWith('$') && !reserved(name, undefined, { pipeArn: '', pipeName: '', sourceArn: '', targetArn: '', ingestionTime: '' }).found) unknown.push(name);
  }
  return unknown;
}

/**
 * Renders `template` for one event.
 *
 * @example
 * renderInputTemplate('<$.dynamodb.NewImage.detail.S>', record, variables) // the stored envelope JSON, unquoted
 * renderInputTemplate('{"id": "<$.eventID>", "keys": <$.dynamodb.Keys>}', record, variables)
 */
export function renderInputTemplate(template: string, event: unknown, variables: ReservedVariables): string {
  let out = '';
  let inString = false;
  let i = 0;
  while (i < template.length) {
    const c = template[i] as string;
    if (c === '<') {
      const match = PLACEHOLDER.exec(template.slice(i));
      const name = match?.[1];
      if (name && (name.startsWith('$') || reserved(name, event, variables).found)) {
        const value = name.startsWith('$') ? resolveJsonPath(event, name) : reserved(name, event, variables).value;
        if (inString) {
          const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += value === undefined ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
        }
        i += (match as RegExpExecArray)[0].length;
        continue;
      }
    }
    if (inString && c === '\\') {
      out += template.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '"') inString = !inString;
    out += c;
    i++;
  }
  return out;
}
