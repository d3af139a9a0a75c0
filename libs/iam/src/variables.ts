import type { ContextValue } from './context';
import { LITERAL_QUESTION, LITERAL_STAR } from './wildcard';

/**
 * Policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${aws:SourceAccount, 'none'}`)
 * in `Resource` and condition values of `2012-10-17` policies; `${*}`, `${?}` and `${$}` are the
 * literal characters. A variable whose key is missing (and has no default) leaves the value
 * unresolvable: it matches nothing, as in AWS. Multi-valued keys cannot be used as variables.
 */
const VARIABLE = /\$\{([^}]*)\}/g;

export function hasVariables(text: string): boolean {
  return text.includes('${');
}

/**
 * Resolves variables, returning the text as a glob pattern: `${*}`/`${?}` and
 * wildcard characters inside substituted values become stand-ins that the
 * wildcard matcher treats literally. `undefined` when a variable has no value.
 */
export function resolveVariables(text: string, keys: ReadonlyMap<string, ContextValue>): string | undefined {
  let missing = false;
  const result = text.replace(VARIABLE, (_match, inner: string) => {
    const [name, fallback] = splitDefault(inner);
    if (name === '*') return LITERAL_STAR;
    if (name === '?') return LITERAL_QUESTION;
    if (name === '$') return '$';
    const value = keys.get(name.toLowerCase());
    if (typeof value === 'string') return escapeWildcards(value);
    if (fallback !== undefined) return escapeWildcards(fallback);
    missing = true;
    return '';
  });
  return missing ? undefined : result;
}

function splitDefault(inner: string): [string, string | undefined] {
  const match = /^\s*([^,]+?)\s*,\s*'([^']*)'\s*$/.exec(inner);
  return match ? [match[1] as string, match[2] as string] : [inner.trim(), undefined];
}

/** A value substituted into a pattern must not act as a wildcard. */
function escapeWildcards(value: string): string {
  return value.replaceAll('*', LITERAL_STAR).replaceAll('?', LITERAL_QUESTION);
}
