import type * as z from 'zod/mini';
import type { FieldError } from './problem';

function pathText(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? String(segment) : `${text}.${String(segment)}`;
  }, '');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * Zod issues as field errors under `location` (`body`, `query`, `header`…): one per unknown field
 * (named), "is required" for a missing one, zod's message otherwise.
 *
 * @example
 * ```ts
 * fieldErrors('body', result.error.issues, input);
 * // [{ field: 'body.nickname', message: 'is not a known field' }, { field: 'body.locale', message: 'is required' }]
 * ```
 */
export function fieldErrors(location: string, issues: readonly z.core.$ZodIssue[], input: unknown): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    const at = pathText([location, ...issue.path]);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ field: `${at}.${key}`, message: 'is not a known field' });
    } else if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(input, issue.path) === undefined) {
      errors.push({ field: at, message: 'is required' });
    } else {
      errors.push({ field: at, message: issue.message });
    }
  }
  return errors;
}
