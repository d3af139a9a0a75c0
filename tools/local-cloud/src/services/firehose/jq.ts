/**
 * The subset of jq 1.6 that Firehose's `MetadataExtraction` processor needs
 * for our stacks: paths (`.a.b`, `."detail-type"`, `.["k"]`, `.[0]`),
 * optional access (`.a?`), object construction (`{source: .source, k}`),
 * pipes, the alternative operator (`//`), literals, parentheses and a few
 * builtins (`tostring`, `tojson`, `ascii_downcase`, `ascii_upcase`,
 * `length`, `strftime`). Anything else is refused when the query is
 * compiled, naming what is unsupported, so a stack never silently gets a
 * different partitioning locally than in AWS.
 */

export class JqError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JqError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Node =
  | { kind: 'identity' }
  | { kind: 'index'; target: Node; key: Node; optional: boolean }
  | { kind: 'literal'; value: Json }
  | { kind: 'object'; entries: Array<{ key: Node; value: Node }> }
  | { kind: 'pipe'; left: Node; right: Node }
  | { kind: 'alternative'; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

const BUILTINS: Record<string, number> = { tostring: 0, tojson: 0, ascii_downcase: 0, ascii_upcase: 0, length: 0, strftime: 1 };

type Token = { type: 'punct' | 'ident' | 'string' | 'number' | 'field' | 'end'; text: string; value?: string | number; at: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== '"') {
        if (source[j] === '\\') {
          const next = source[j + 1];
          if (next === '(') throw new JqError(`string interpolation "\\(...)" at ${j} is not supported by the local jq subset`);
          const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/' };
          if (next === undefined || !(next in escapes)) throw new JqError(`unsupported escape "\\${next ?? ''}" at ${j}`);
          text += escapes[next];
          j += 2;
          continue;
        }
        text += source[j];
        j++;
      }
      if (j >= source.length) throw new JqError(`unterminated string starting at ${i}`);
      tokens.push({ type: 'string', text: source.slice(i, j + 1), value: text, at: i });
      i = j + 1;
      continue;
    }
    if (c === '.' && /[A-Za-z_]/.test(source[i + 1] ?? '')) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i + 1)) as RegExpExecArray;
      tokens.push({ type: 'field', text: `.${match[0]}`, value: match[0], at: i });
      i += 1 + match[0].length;
      continue;
    }
    const previous = tokens[tokens.length - 1];
    // A minus is only a sign where an operand starts (`.[-1]`); subtraction is not in the subset.
    const signed = c === '-' && /[0-9]/.test(source[i + 1] ?? '') && (!previous || (previous.type === 'punct' && '[(:,|'.includes(previous.text)));
    if (/[0-9]/.test(c) || signed) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'number', text: match[0], value: Number(match[0]), at: i });
      i += match[0].length;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const match = /^[A-Za-z_$][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'ident', text: match[0], at: i });
      i += match[0].length;
      continue;
    }
    if (source.startsWith('//', i)) {
      tokens.push({ type: 'punct', text: '//', at: i });
      i += 2;
      continue;
    }
    if ('.|{}[](),:?'.includes(c)) {
      tokens.push({ type: 'punct', text: c, at: i });
      i++;
      continue;
    }
    throw new JqError(`unsupported character '${c}' at ${i} (the local jq subset has no arithmetic, comparison or variables)`);
  }
  tokens.push({ type: 'end', text: '<end>', at: source.length });
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position] as Token;
  }
  private next(): Token {
    return this.tokens[this.position++] as Token;
  }
  private accept(text: string): boolean {
    const token = this.peek();
    if (token.type === 'punct' && token.text === text) {
      this.position++;
      return true;
    }
    return false;
  }
  private expect(text: string): void {
    const token = this.peek();
    if (!this.accept(text)) throw new JqError(`expected '${text}' at ${token.at}, found '${token.text}'`);
  }

  parse(): Node {
    const node = this.pipe();
    const token = this.peek();
    if (token.type !== 'end') throw new JqError(`unexpected '${token.text}' at ${token.at} (not in the local jq subset)`);
    return node;
  }

  private pipe(): Node {
    let left = this.alternative();
    while (this.accept('|')) left = { kind: 'pipe', left, right: this.alternative() };
    return left;
  }

  private alternative(): Node {
    let left = this.postfix();
    while (this.accept('//')) left = { kind: 'alternative', left, right: this.postfix() };
    return left;
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      const token = this.peek();
      if (token.type === 'field') {
        this.next();
        node = this.optional({ kind: 'index', target: node, key: { kind: 'literal', value: token.value as string }, optional: false });
      } else if (token.type === 'punct' && token.text === '.' && this.tokens[this.position + 1]?.type === 'string') {
        this.next();
        const key = this.next();
        node = this.optional({ kind: 'index', target: node, key: { kind: 'literal', value: key.value as string }, optional: false });
      } else if (token.type === 'punct' && (token.text === '[' || (token.text === '.' && this.tokens[this.position + 1]?.text === '['))) {
        if (token.text === '.') this.next();
        this.expect('[');
        if (this.peek().text === ']') throw new JqError(`iteration '.[]' at ${token.at} is not supported: a partition key query must yield one object`);
        const key = this.pipe();
        if (this.peek().text === ':') throw new JqError(`slices at ${this.peek().at} are not supported by the local jq subset`);
        this.expect(']');
        node = this.optional({ kind: 'index', target: node, key, optional: false });
      } else {
        return node;
      }
    }
  }

  private optional(node: Node & { kind: 'index' }): Node {
    if (this.accept('?')) return { ...node, optional: true };
    return node;
  }

  private primary(): Node {
    const token = this.next();
    if (token.type === 'field') {
      return this.optional({ kind: 'index', target: { kind: 'identity' }, key: { kind: 'literal', value: token.value as string }, optional: false });
    }
    if (token.type === 'punct' && token.text === '.') {
      const following = this.peek();
      if (following.type === 'string') {
        this.next();
        return this.optional({ kind: 'index', target: { kind: 'identity' }, key: { kind: 'literal', value: following.value as string }, optional: false });
      }
      if (following.type === 'punct' && following.text === '[') return this.indexOnIdentity();
      if (following.type === 'punct' && following.text === '.') throw new JqError(`recursive descent '..' at ${token.at} is not supported`);
      return { kind: 'identity' };
    }
    if (token.type === 'string') return { kind: 'literal', value: token.value as string };
    if (token.type === 'number') return { kind: 'literal', value: token.value as number };
    if (token.type === 'punct' && token.text === '(') {
      const inner = this.pipe();
      this.expect(')');
      return inner;
    }
    if (token.type === 'punct' && token.text === '{') return this.object();
    if (token.type === 'ident') {
      if (token.text === 'null') return { kind: 'literal', value: null };
      if (token.text === 'true') return { kind: 'literal', value: true };
      if (token.text === 'false') return { kind: 'literal', value: false };
      if (token.text.startsWith('$')) throw new JqError(`variables ('${token.text}' at ${token.at}) are not supported by the local jq subset`);
      const arity = BUILTINS[token.text];
      if (arity === undefined) {
        throw new JqError(`function '${token.text}' at ${token.at} is not in the local jq subset (supported: ${Object.keys(BUILTINS).join(', ')})`);
      }
      const args: Node[] = [];
      if (this.accept('(')) {
        args.push(this.pipe());
        this.expect(')');
      }
      if (args.length !== arity) throw new JqError(`function '${token.text}' takes ${arity} argument(s), got ${args.length}`);
      return { kind: 'call', name: token.text, args };
    }
    throw new JqError(`unexpected '${token.text}' at ${token.at} (not in the local jq subset)`);
  }

  /** `.[key]`, the leading '.' already consumed. */
  private indexOnIdentity(): Node {
    this.expect('[');
    if (this.peek().text === ']') throw new JqError(`iteration '.[]' is not supported: a partition key query must yield one object`);
    const key = this.pipe();
    this.expect(']');
    return this.optional({ kind: 'index', target: { kind: 'identity' }, key, optional: false });
  }

  private object(): Node {
    const entries: Array<{ key: Node; value: Node }> = [];
    if (this.accept('}')) return { kind: 'object', entries };
    for (;;) {
      const token = this.next();
      let key: Node;
      if (token.type === 'ident' && !token.text.startsWith('$')) key = { kind: 'literal', value: token.text };
      else if (token.type === 'string') key = { kind: 'literal', value: token.value as string };
      else if (token.type === 'punct' && token.text === '(') {
        key = this.pipe();
        this.expect(')');
      } else throw new JqError(`object key expected at ${token.at}, found '${token.text}'`);
      if (this.accept(':')) {
        entries.push({ key, value: this.alternative() });
      } else if (key.kind === 'literal') {
        // `{source}` is shorthand for `{source: .source}`.
        entries.push({ key, value: { kind: 'index', target: { kind: 'identity' }, key, optional: false } });
      } else {
        throw new JqError(`expected ':' after computed object key at ${this.peek().at}`);
      }
      if (this.accept('}')) return { kind: 'object', entries };
      this.expect(',');
    }
  }
}

function typeName(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

function describe(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 20 ? `${text.slice(0, 17)}...` : text;
}

function strftime(epochSeconds: number, format: string): string {
  const date = new Date(epochSeconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return format.replace(/%(.)/g, (_, directive: string) => {
    switch (directive) {
      case 'Y':
        return String(date.getUTCFullYear());
      case 'm':
        return pad(date.getUTCMonth() + 1);
      case 'd':
        return pad(date.getUTCDate());
      case 'H':
        return pad(date.getUTCHours());
      case 'M':
        return pad(date.getUTCMinutes());
      case 'S':
        return pad(date.getUTCSeconds());
      case 'j': {
        const start = Date.UTC(date.getUTCFullYear(), 0, 1);
        return pad(Math.floor((date.getTime() - start) / 86_400_000) + 1, 3);
      }
      case '%':
        return '%';
      default:
        throw new JqError(`strftime directive '%${directive}' is not supported by the local jq subset`);
    }
  });
}

function evaluate(node: Node, input: Json): Json {
  switch (node.kind) {
    case 'identity':
      return input;
    case 'literal':
      return node.value;
    case 'pipe':
      return evaluate(node.right, evaluate(node.left, input));
    case 'alternative': {
      let left: Json = null;
      try {
        left = evaluate(node.left, input);
      } catch (error) {
        if (!(error instanceof JqError)) throw error;
      }
      return left === null || left === false ? evaluate(node.right, input) : left;
    }
    case 'object': {
      const result: Record<string, Json> = {};
      for (const entry of node.entries) {
        const key = evaluate(entry.key, input);
        if (typeof key !== 'string') throw new JqError(`Object keys must be strings (got ${typeName(key)})`);
        result[key] = evaluate(entry.value, input);
      }
      return result;
    }
    case 'index': {
      const target = evaluate(node.target, input);
      const key = evaluate(node.key, input);
      try {
        if (target === null) return null;
        if (typeof key === 'string') {
          if (typeof target !== 'object' || Array.isArray(target)) throw new JqError(`Cannot index ${typeName(target)} with "${key}"`);
          return key in target ? (target[key] as Json) : null;
        }
        if (typeof key === 'number') {
          if (!Array.isArray(target)) throw new JqError(`Cannot index ${typeName(target)} with number`);
          const index = key < 0 ? target.length + Math.trunc(key) : Math.trunc(key);
          return target[index] ?? null;
        }
        throw new JqError(`Cannot index ${typeName(target)} with ${typeName(key)}`);
      } catch (error) {
        if (node.optional && error instanceof JqError) return null;
        throw error;
      }
    }
    case 'call': {
      switch (node.name) {
        case 'tostring':
          return typeof input === 'string' ? input : JSON.stringify(input);
        case 'tojson':
          return JSON.stringify(input);
        case 'ascii_downcase':
        case 'ascii_upcase':
          if (typeof input !== 'string') throw new JqError(`${typeName(input)} (${describe(input)}) cannot be ${node.name === 'ascii_downcase' ? 'lowercased' : 'uppercased'}`);
          return node.name === 'ascii_downcase' ? input.replace(/[A-Z]/g, (c) => c.toLowerCase()) : input.replace(/[a-z]/g, (c) => c.toUpperCase());
        case 'length':
          if (input === null) return 0;
          if (typeof input === 'string' || Array.isArray(input)) return input.length;
          if (typeof input === 'object') return Object.keys(input).length;
          if (typeof input === 'number') return Math.abs(input);
          throw new JqError(`boolean (${input}) has no length`);
        case 'strftime': {
          const format = evaluate(node.args[0] as Node, input);
          if (typeof format !== 'string') throw new JqError('strftime/1 requires a string format');
          if (typeof input !== 'number') throw new JqError('strftime/1 requires parsed datetime inputs');
          return strftime(input, format);
        }
      }
      throw new JqError(`function '${node.name}' is not implemented`);
    }
  }
}

export interface CompiledJq {
  readonly source: string;
  /** Runs the query on one JSON input; throws `JqError` with jq's wording on runtime errors. */
  run(input: unknown): unknown;
}

/**
 * Compiles a jq query, refusing anything outside the supported subset.
 *
 * @throws JqError naming the unsupported construct and its position.
 * @example
 * const query = compileJq('{source:.source,detail_type:."detail-type"}');
 * query.run({ source: 'kestrel.customers', 'detail-type': 'CustomerRegistered.v1' });
 * // → { source: 'kestrel.customers', detail_type: 'CustomerRegistered.v1' }
 */
export function compileJq(source: string): CompiledJq {
  const ast = new Parser(tokenize(source)).parse();
  return { source, run: (input) => evaluate(ast, input as Json) };
}
