/**
 * The JSONPath subset EventBridge Pipes evaluates in input templates and
 * dynamic target parameters (EventBridge User Guide, "Amazon EventBridge
 * Pipes input transformation"): `$`-rooted dot notation with names made of
 * letters, digits, `_`, `-` and `/`, array indices in brackets, and `*`
 * wildcards (which yield a list).
 */

export class JsonPathError extends Error {}

type Step = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

const cache = new Map<string, Step[]>();

/**
 * Parses `$.a.b[0].*` into steps.
 *
 * @throws JsonPathError for syntax Pipes does not support.
 */
export function parseJsonPath(path: string): Step[] {
  const cached = cache.get(path);
  if (cached) return cached;
  if (!path.startsWith('$')) throw new JsonPathError(`JSON path '${path}' must start with '$'`);
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const match = /^[A-Za-z0-9_\-/]+|^\*/.exec(path.slice(i + 1));
      if (!match) throw new JsonPathError(`JSON path '${path}': expected a name after '.' at ${i}`);
      steps.push(match[0] === '*' ? { kind: 'wildcard' } : { kind: 'key', key: match[0] });
      i += 1 + match[0].length;
    } else if (c === '[') {
      const match = /^\[(\d+|\*)\]/.exec(path.slice(i));
      if (!match) throw new JsonPathError(`JSON path '${path}': only [<index>] and [*] are supported in brackets (at ${i})`);
      steps.push(match[1] === '*' ? { kind: 'wildcard' } : { kind: 'index', index: Number(match[1]) });
      i += match[0].length;
    } else {
      throw new JsonPathError(`JSON path '${path}': unexpected '${c}' at ${i}`);
    }
  }
  cache.set(path, steps);
  return steps;
}

/**
 * The value at `path`, or `undefined` when the path leads nowhere.
 *
 * @example
 * resolveJsonPath({ dynamodb: { NewImage: { detail: { S: '{}' } } } }, '$.dynamodb.NewImage.detail.S') // '{}'
 */
export function resolveJsonPath(document: unknown, path: string): unknown {
  let current: unknown[] = [document];
  let wildcard = false;
  for (const step of parseJsonPath(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (step.kind === 'key') {
        if (!Array.isArray(value) && step.key in value) next.push((value as Record<string, unknown>)[step.key]);
      } else if (step.kind === 'index') {
        if (Array.isArray(value) && step.index < value.length) next.push(value[step.index]);
      } else {
        wildcard = true;
        next.push(...(Array.isArray(value) ? value : Object.values(value)));
      }
    }
    current = next;
  }
  if (wildcard) return current;
  return current.length ? current[0] : undefined;
}
