/**
 * CloudWatch Logs filter patterns, the two kinds a person types daily:
 *
 * - **Terms** (case-sensitive): `ERROR` (contains), `ERROR Exception` (both),
 *   `"Task timed out"` (the phrase), `?ERROR ?WARN` (either), `ERROR -retry`
 *   (without `retry`). An empty pattern matches everything.
 * - **JSON** `{ … }` on events whose message is a JSON object: selectors
 *   `$.a.b`, `$.list[0].c`; `=`, `!=`, `<`, `<=`, `>`, `>=` against numbers or
 *   strings (quoted or bare; `*` is a wildcard in `=`/`!=`), `IS NULL`,
 *   `IS TRUE`, `IS FALSE`, `NOT EXISTS`, combined with `&&`, `||` and parentheses.
 *
 * Space-delimited patterns (`[ip, user, …]`) and regular expressions (`%…%`)
 * are refused with a clear error rather than matched wrongly.
 */

export class FilterPatternError extends Error {}

export type EventMatcher = (message: string) => boolean;

/**
 * Compiles a filter pattern.
 *
 * @example
 * compileFilterPattern('{ $.level = "ERROR" && $.durationMs > 100 }')('{"level":"ERROR","durationMs":250}') // true
 * compileFilterPattern('"timed out" -retry')('Task timed out after 3 seconds') // true
 */
export function compileFilterPattern(pattern: string | undefined): EventMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[')) throw new FilterPatternError(`Space-delimited filter patterns ('${text}') are not emulated by the local CloudWatch Logs; use terms or a JSON pattern`);
  if (text.startsWith('%')) throw new FilterPatternError(`Regular-expression filter patterns ('${text}') are not emulated by the local CloudWatch Logs; use terms or a JSON pattern`);
  return compileTermsPattern(text);
}

// ---- Terms ----

function compileTermsPattern(text: string): EventMatcher {
  const terms: Array<{ kind: 'all' | 'any' | 'none'; value: string }> = [];
  const token = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let match = token.exec(text); match; match = token.exec(text)) {
    const prefix = match[1];
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] as string);
    terms.push({ kind: prefix === '?' ? 'any' : prefix === '-' ? 'none' : 'all', value });
  }
  const all = terms.filter((term) => term.kind === 'all').map((term) => term.value);
  const any = terms.filter((term) => term.kind === 'any').map((term) => term.value);
  const none = terms.filter((term) => term.kind === 'none').map((term) => term.value);
  return (message) =>
    all.every((term) => message.includes(term)) &&
    (any.length === 0 || any.some((term) => message.includes(term))) &&
    !none.some((term) => message.includes(term));
}

// ---- JSON ----

type Token =
  | { type: 'selector'; path: Array<string | number> }
  | { type: 'op'; value: '=' | '!=' | '<' | '<=' | '>' | '>=' }
  | { type: 'and' | 'or' | 'open' | 'close' }
  | { type: 'value'; value: string; quoted: boolean }
  | { type: 'keyword'; value: 'IS' | 'NOT' | 'NULL' | 'TRUE' | 'FALSE' | 'EXISTS' };

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const rest = body.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const selector = /^\$((?:\.[A-Za-z_@][\w@-]*|\[\d+\])*)/.exec(rest);
    if (selector && selector[0].length > 1) {
      const path: Array<string | number> = [];
      for (const part of selector[1]?.match(/\.[A-Za-z_@][\w@-]*|\[\d+\]/g) ?? []) path.push(part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1));
      tokens.push({ type: 'selector', path });
      i += selector[0].length;
      continue;
    }
    const two = rest.slice(0, 2);
    if (two === '&&' || two === '||') {
      tokens.push({ type: two === '&&' ? 'and' : 'or' });
      i += 2;
      continue;
    }
    const op = /^(!=|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', value: op[1] as '=' });
      i += op[1]!.length;
      continue;
    }
    if (rest[0] === '(' || rest[0] === ')') {
      tokens.push({ type: rest[0] === '(' ? 'open' : 'close' });
      i += 1;
      continue;
    }
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (quoted) {
      tokens.push({ type: 'value', value: (quoted[1] as string).replace(/\\(.)/g, '$1'), quoted: true });
      i += quoted[0].length;
      continue;
    }
    const bare = /^[^\s()=!<>&|"]+/.exec(rest);
    if (!bare) throw new FilterPatternError(`Invalid character '${rest[0]}' in the JSON filter pattern at '${rest}'`);
    const word = bare[0];
    const keyword = word.toUpperCase();
    if (['IS', 'NOT', 'NULL', 'TRUE', 'FALSE', 'EXISTS'].includes(keyword)) tokens.push({ type: 'keyword', value: keyword as 'IS' });
    else tokens.push({ type: 'value', value: word, quoted: false });
    i += word.length;
  }
  return tokens;
}

type JsonValue = unknown;
type Condition = (document: JsonValue) => boolean;

const MISSING = Symbol('missing');

function select(document: JsonValue, path: Array<string | number>): unknown {
  let node: unknown = document;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return MISSING;
    const next = (node as Record<string | number, unknown>)[part];
    if (next === undefined) return MISSING;
    node = next;
  }
  return node;
}

function wildcard(expected: string): RegExp {
  return new RegExp(`^${expected.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function comparison(path: Array<string | number>, op: string, expected: { value: string; quoted: boolean }): Condition {
  const numeric = !expected.quoted && expected.value !== '' && Number.isFinite(Number(expected.value));
  if (op !== '=' && op !== '!=' && !numeric) throw new FilterPatternError(`'${op}' compares numbers only; '${expected.value}' is not a number`);
  return (document) => {
    const actual = select(document, path);
    if (actual === MISSING) return false;
    if (numeric) {
      if (typeof actual !== 'number') return op === '!=' ? true : false;
      const number = Number(expected.value);
      switch (op) {
        case '=': return actual === number;
        case '!=': return actual !== number;
        case '<': return actual < number;
        case '<=': return actual <= number;
        case '>': return actual > number;
        default: return actual >= number;
      }
    }
    if (actual !== null && typeof actual === 'object') return op === '!=';
    const matches = wildcard(expected.value).test(String(actual));
    return op === '=' ? matches : !matches;
  };
}

/** Recursive descent: or := and ('||' and)*; and := unary ('&&' unary)*; unary := '(' or ')' | condition. */
function parseJson(tokens: Token[]): Condition {
  let position = 0;
  const peek = () => tokens[position];
  const expect = (what: string) => {
    const token = tokens[position++];
    if (!token) throw new FilterPatternError(`The JSON filter pattern ends where ${what} was expected`);
    return token;
  };
  const orExpression = (): Condition => {
    const parts = [andExpression()];
    while (peek()?.type === 'or') {
      position++;
      parts.push(andExpression());
    }
    return parts.length === 1 ? (parts[0] as Condition) : (document) => parts.some((part) => part(document));
  };
  const andExpression = (): Condition => {
    const parts = [unary()];
    while (peek()?.type === 'and') {
      position++;
      parts.push(unary());
    }
    return parts.length === 1 ? (parts[0] as Condition) : (document) => parts.every((part) => part(document));
  };
  const unary = (): Condition => {
    const token = expect('a selector ($.field) or (');
    if (token.type === 'open') {
      const inner = orExpression();
      if (expect(')').type !== 'close') throw new FilterPatternError('Missing ) in the JSON filter pattern');
      return inner;
    }
    if (token.type !== 'selector') throw new FilterPatternError(`Expected a selector such as $.level in the JSON filter pattern, found ${describe(token)}`);
    const next = expect('an operator');
    if (next.type === 'op') {
      const value = expect('a value');
      if (value.type !== 'value') throw new FilterPatternError(`Expected a value after ${next.value}, found ${describe(value)}`);
      return comparison(token.path, next.value, value);
    }
    if (next.type === 'keyword' && next.value === 'IS') {
      const what = expect('NULL, TRUE or FALSE');
      if (what.type !== 'keyword' || !['NULL', 'TRUE', 'FALSE'].includes(what.value)) throw new FilterPatternError(`Expected NULL, TRUE or FALSE after IS, found ${describe(what)}`);
      const wanted = what.value === 'NULL' ? null : what.value === 'TRUE';
      return (document) => select(document, token.path) === wanted;
    }
    if (next.type === 'keyword' && next.value === 'NOT') {
      const what = expect('EXISTS');
      if (what.type !== 'keyword' || what.value !== 'EXISTS') throw new FilterPatternError(`Expected EXISTS after NOT, found ${describe(what)}`);
      return (document) => select(document, token.path) === MISSING;
    }
    throw new FilterPatternError(`Expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS) after the selector, found ${describe(next)}`);
  };
  const condition = orExpression();
  if (position < tokens.length) throw new FilterPatternError(`Unexpected ${describe(tokens[position] as Token)} in the JSON filter pattern`);
  return condition;
}

function describe(token: Token): string {
  switch (token.type) {
    case 'selector': return `$.${token.path.join('.')}`;
    case 'op': return `'${token.value}'`;
    case 'value': return `'${token.value}'`;
    case 'keyword': return token.value;
    case 'and': return '&&';
    case 'or': return '||';
    case 'open': return '(';
    case 'close': return ')';
  }
}

function compileJsonPattern(text: string): EventMatcher {
  if (!text.endsWith('}')) throw new FilterPatternError(`A JSON filter pattern must end with '}': ${text}`);
  const tokens = tokenize(text.slice(1, -1));
  if (tokens.length === 0) throw new FilterPatternError('The JSON filter pattern is empty');
  const condition = parseJson(tokens);
  return (message) => {
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    return document !== null && typeof document === 'object' && condition(document);
  };
}
