import { globMatches } from './wildcard';

/** The six colon-separated parts of an ARN; the resource part may itself hold colons. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

/** `undefined` when the text is not an ARN (fewer than six parts or no `arn` prefix). */
export function parseArn(arn: string): ParsedArn | undefined {
  const parts = splitArn(arn);
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId, resource] = parts as [string, string, string, string, string, string];
  return { partition, service, region, accountId, resource };
}

/** Splits at the first five colons only. */
function splitArn(text: string): string[] {
  const parts: string[] = [];
  let rest = text;
  while (parts.length < 5) {
    const colon = rest.indexOf(':');
    if (colon < 0) break;
    parts.push(rest.slice(0, colon));
    rest = rest.slice(colon + 1);
  }
  parts.push(rest);
  return parts;
}

/**
 * ARN matching as IAM does it for `Resource` and the `Arn*` condition operators:
 * case-sensitive, each of the first five colon-separated parts matched on its own
 * (a wildcard does not reach into the next part), the last part of the pattern
 * matched against the rest of the ARN (so `arn:aws:sqs:*` covers every queue and
 * `…:log-group:name:*` covers the group's streams).
 */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const patternParts = splitArn(pattern);
  const arnParts = splitArn(arn);
  const last = patternParts.length - 1;
  if (arnParts.length < patternParts.length) return false;
  for (let index = 0; index < last; index++) {
    if (!globMatches(patternParts[index] as string, arnParts[index] as string)) return false;
  }
  return globMatches(patternParts[last] as string, arnParts.slice(last).join(':'));
}
