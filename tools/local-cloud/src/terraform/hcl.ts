/**
 * The part of HCL's native expression syntax that appears inside the strings
 * of a Terraform JSON configuration (`"${aws_sqs_queue.q.arn}"`,
 * `"${jsonencode({"a" = aws_x.y.arn})}"`, `"q-${data.aws_region.r.name}"`):
 * string templates, literals, tuples, objects, references with attribute /
 * index / splat traversals, function calls, unary, binary and conditional
 * operators. Anything else (for-expressions, template directives) is refused
 * with a message naming it, never guessed.
 */

export type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'template'; parts: Array<string | Expr> }
  | { kind: 'tuple'; items: Expr[] }
  | { kind: 'object'; entries: Array<{ key: Expr; value: Expr }> }
  | { kind: 'variable'; name: string }
  | { kind: 'getattr'; target: Expr; name: string }
  | { kind: 'index'; target: Expr; key: Expr }
  | { kind: 'splat'; target: Expr; each: Array<{ kind: 'attr'; name: string } | { kind: 'index'; key: Expr }> }
  | { kind: 'call'; name: string; args: Expr[]; expandLast: boolean }
  | { kind: 'unary'; op: '!' | '-'; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'conditional'; condition: Expr; then: Expr; otherwise: Expr };

export class HclSyntaxError extends Error {}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;

class Parser {
  pos = 0;
  constructor(private readonly src: string) {}

  fail(message: string): never {
    const excerpt = this.src.length > 120 ? `${this.src.slice(Math.max(0, this.pos - 40), this.pos + 40)}` : this.src;
    throw new HclSyntaxError(`${message} at offset ${this.pos} in '${excerpt}'`);
  }

  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  startsWith(text: string): boolean {
    return this.src.startsWith(text, this.pos);
  }

  skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (this.startsWith('#') || this.startsWith('//')) {
        while (this.pos < this.src.length && this.peek() !== '\n') this.pos++;
      } else if (this.startsWith('/*')) {
        const end = this.src.indexOf('*/', this.pos + 2);
        this.pos = end === -1 ? this.src.length : end + 2;
      } else return;
    }
  }

  expect(text: string): void {
    this.skipSpace();
    if (!this.startsWith(text)) this.fail(`expected '${text}'`);
    this.pos += text.length;
  }

  accept(text: string): boolean {
    this.skipSpace();
    if (this.startsWith(text)) {
      this.pos += text.length;
      return true;
    }
    return false;
  }

  /**
   * A template: literal text with `${…}` interpolations. `quoted` templates end
   * at an unescaped `"` and understand HCL escapes; top-level ones (JSON
   * strings, already unescaped) run to the end of the input.
   */
  template(quoted: boolean): Expr {
    const parts: Array<string | Expr> = [];
    let text = '';
    while (this.pos < this.src.length) {
      const c = this.peek();
      if (quoted && c === '"') break;
      if (this.startsWith('$${')) {
        text += '${';
        this.pos += 3;
      } else if (this.startsWith('%%{')) {
        text += '%{';
        this.pos += 3;
      } else if (this.startsWith('${')) {
        if (text) parts.push(text);
        text = '';
        this.pos += 2;
        this.accept('~');
        parts.push(this.expression());
        this.skipSpace();
        this.accept('~');
        this.expect('}');
      } else if (this.startsWith('%{')) {
        this.fail('template directives (%{ if … } / %{ for … }) are not supported by the local cloud interpreter');
      } else if (quoted && c === '\\') {
        const next = this.peek(1);
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
        if (next in simple) {
          text += simple[next];
          this.pos += 2;
        } else if (next === 'u') {
          text += String.fromCharCode(parseInt(this.src.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else if (next === 'U') {
          text += String.fromCodePoint(parseInt(this.src.slice(this.pos + 2, this.pos + 10), 16));
          this.pos += 10;
        } else this.fail(`unknown escape '\\${next}'`);
      } else {
        text += c;
        this.pos++;
      }
    }
    if (text || parts.length === 0) parts.push(text);
    return { kind: 'template', parts };
  }

  expression(): Expr {
    const condition = this.binary(0);
    if (this.accept('?')) {
      const then = this.expression();
      this.expect(':');
      const otherwise = this.expression();
      return { kind: 'conditional', condition, then, otherwise };
    }
    return condition;
  }

  private static readonly LEVELS: string[][] = [['||'], ['&&'], ['==', '!='], ['<=', '>=', '<', '>'], ['+', '-'], ['*', '/', '%']];

  binary(level: number): Expr {
    if (level >= Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      this.skipSpace();
      const op = (Parser.LEVELS[level] as string[]).find((candidate) => this.startsWith(candidate));
      if (!op) return left;
      this.pos += op.length;
      left = { kind: 'binary', op, left, right: this.binary(level + 1) };
    }
  }

  unary(): Expr {
    this.skipSpace();
    if (this.peek() === '!' && this.peek(1) !== '=') {
      this.pos++;
      return { kind: 'unary', op: '!', operand: this.unary() };
    }
    if (this.peek() === '-' && !/[0-9]/.test(this.peek(1))) {
      this.pos++;
      return { kind: 'unary', op: '-', operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  postfix(target: Expr): Expr {
    for (;;) {
      this.skipSpace();
      if (this.startsWith('.*') || this.startsWith('[*]')) {
        this.pos += this.startsWith('.*') ? 2 : 3;
        const each: Array<{ kind: 'attr'; name: string } | { kind: 'index'; key: Expr }> = [];
        for (;;) {
          this.skipSpace();
          if (this.peek() === '.' && IDENT_START.test(this.peek(1))) {
            this.pos++;
            each.push({ kind: 'attr', name: this.identifier() });
          } else if (this.peek() === '[' && this.peek(1) !== '*') {
            this.pos++;
            const key = this.expression();
            this.expect(']');
            each.push({ kind: 'index', key });
          } else break;
        }
        target = { kind: 'splat', target, each };
      } else if (this.peek() === '.' && IDENT_START.test(this.peek(1))) {
        this.pos++;
        target = { kind: 'getattr', target, name: this.identifier() };
      } else if (this.peek() === '.' && /[0-9]/.test(this.peek(1))) {
        this.pos++;
        const start = this.pos;
        while (/[0-9]/.test(this.peek())) this.pos++;
        target = { kind: 'index', target, key: { kind: 'literal', value: Number(this.src.slice(start, this.pos)) } };
      } else if (this.peek() === '[') {
        this.pos++;
        const key = this.expression();
        this.expect(']');
        target = { kind: 'index', target, key };
      } else return target;
    }
  }

  identifier(): string {
    const start = this.pos;
    if (!IDENT_START.test(this.peek())) this.fail('expected an identifier');
    while (IDENT_PART.test(this.peek())) this.pos++;
    return this.src.slice(start, this.pos);
  }

  primary(): Expr {
    this.skipSpace();
    const c = this.peek();
    if (c === '"') {
      this.pos++;
      const template = this.template(true);
      this.expect('"');
      return template;
    }
    if (this.startsWith('<<')) this.fail('heredoc strings are not supported by the local cloud interpreter');
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(this.peek(1)))) {
      const match = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.src.slice(this.pos));
      this.pos += (match as RegExpExecArray)[0].length;
      return { kind: 'literal', value: Number((match as RegExpExecArray)[0]) };
    }
    if (c === '(') {
      this.pos++;
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (c === '[') {
      this.pos++;
      this.skipSpace();
      if (/^for\s/.test(this.src.slice(this.pos))) this.fail('for-expressions are not supported by the local cloud interpreter');
      const items: Expr[] = [];
      while (!this.accept(']')) {
        items.push(this.expression());
        if (!this.accept(',')) {
          this.expect(']');
          break;
        }
      }
      return { kind: 'tuple', items };
    }
    if (c === '{') {
      this.pos++;
      this.skipSpace();
      if (/^for\s/.test(this.src.slice(this.pos))) this.fail('for-expressions are not supported by the local cloud interpreter');
      const entries: Array<{ key: Expr; value: Expr }> = [];
      while (!this.accept('}')) {
        this.skipSpace();
        let key: Expr;
        if (IDENT_START.test(this.peek())) {
          const save = this.pos;
          const name = this.identifier();
          this.skipSpace();
          // A bare identifier key is a literal name, unless it is the start of an expression.
          if (this.peek() === '=' || this.peek() === ':') key = { kind: 'literal', value: name };
          else {
            this.pos = save;
            key = this.expression();
          }
        } else key = this.expression();
        this.skipSpace();
        if (!this.accept('=') && !this.accept(':')) this.fail("expected '=' or ':' after an object key");
        entries.push({ key, value: this.expression() });
        this.accept(',');
      }
      return { kind: 'object', entries };
    }
    if (IDENT_START.test(c)) {
      const name = this.identifier();
      if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
      if (name === 'null') return { kind: 'literal', value: null };
      this.skipSpace();
      if (this.peek() === '(') {
        this.pos++;
        const args: Expr[] = [];
        let expandLast = false;
        while (!this.accept(')')) {
          args.push(this.expression());
          if (this.accept('...')) expandLast = true;
          if (!this.accept(',')) {
            this.expect(')');
            break;
          }
        }
        return { kind: 'call', name, args, expandLast };
      }
      return { kind: 'variable', name };
    }
    this.fail(c ? `unexpected '${c}'` : 'unexpected end of expression');
  }
}

/**
 * Parses a string from a Terraform JSON configuration as an HCL template.
 *
 * @example
 * parseTemplate('q-${data.aws_region.r.name}')
 * // { kind: 'template', parts: ['q-', { kind: 'getattr', … }] }
 */
export function parseTemplate(source: string): Expr {
  const parser = new Parser(source);
  return parser.template(false);
}

/** Parses one bare expression (`aws_sqs_queue.q.arn`). */
export function parseExpression(source: string): Expr {
  const parser = new Parser(source);
  const expr = parser.expression();
  parser.skipSpace();
  if (parser.pos !== source.length) parser.fail('unexpected text after the expression');
  return expr;
}

/** True if the string needs evaluating (contains an interpolation or an escape). */
export function isTemplate(source: string): boolean {
  return source.includes('${') || source.includes('%{');
}

/**
 * The references an expression makes, as the root name followed by the
 * attribute names that directly follow it (`['data', 'aws_region', 'current', 'name']`,
 * `['aws_sqs_queue', 'q', 'arn']`); an index or splat step ends the path.
 *
 * @example
 * references(parseTemplate('${jsonencode({ a = aws_sqs_queue.q.arn })}')) // [['aws_sqs_queue', 'q', 'arn']]
 */
export function references(expr: Expr): string[][] {
  const found: string[][] = [];
  const walk = (node: Expr): void => {
    switch (node.kind) {
      case 'variable':
        found.push([node.name]);
        break;
      case 'getattr':
      case 'index':
      case 'splat': {
        // Unwind the chain to its root, remembering the steps in order.
        const steps: Expr[] = [];
        let current: Expr = node;
        while (current.kind === 'getattr' || current.kind === 'index' || current.kind === 'splat') {
          steps.unshift(current);
          if (current.kind === 'index') walk(current.key);
          if (current.kind === 'splat') current.each.forEach((step) => step.kind === 'index' && walk(step.key));
          current = current.target;
        }
        if (current.kind !== 'variable') {
          walk(current);
          break;
        }
        const path = [current.name];
        for (const step of steps) {
          if (step.kind !== 'getattr') break;
          path.push(step.name);
        }
        found.push(path);
        break;
      }
      case 'template':
        node.parts.forEach((part) => typeof part !== 'string' && walk(part));
        break;
      case 'tuple':
        node.items.forEach(walk);
        break;
      case 'object':
        node.entries.forEach((entry) => {
          walk(entry.key);
          walk(entry.value);
        });
        break;
      case 'call':
        node.args.forEach(walk);
        break;
      case 'unary':
        walk(node.operand);
        break;
      case 'binary':
        walk(node.left);
        walk(node.right);
        break;
      case 'conditional':
        walk(node.condition);
        walk(node.then);
        walk(node.otherwise);
        break;
      case 'literal':
        break;
    }
  };
  walk(expr);
  return found;
}
