/**
 * Evaluating HCL expressions against the values known so far in an apply.
 */
import type { Expr } from './hcl';
import { callFunction } from './functions';
import type { FunctionContext } from './functions';

/** What a reference root resolves to. Throws `ReferenceProblem` for unknown names. */
export interface Scope extends FunctionContext {
  lookupRoot(name: string, path: string[]): unknown;
}

/** A reference that cannot be resolved; the engine adds the stack, resource and attribute. */
export class ReferenceProblem extends Error {}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

function getAttribute(target: unknown, name: string, where: string): unknown {
  if (target && typeof target === 'object' && !Array.isArray(target)) {
    if (Object.prototype.hasOwnProperty.call(target, name)) return (target as Record<string, unknown>)[name];
    const available = Object.keys(target).sort();
    throw new ReferenceProblem(`${where} has no attribute '${name}' (it has: ${available.join(', ') || 'nothing'})`);
  }
  // A single nested block is exported as a one-element list by the provider; allow `block.attr` on it too.
  if (Array.isArray(target) && target.length === 1) return getAttribute(target[0], name, where);
  throw new ReferenceProblem(`cannot read attribute '${name}' of ${where}, which is ${describe(target)}`);
}

function getIndex(target: unknown, key: unknown, where: string): unknown {
  if (Array.isArray(target)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= target.length) throw new ReferenceProblem(`index ${JSON.stringify(key)} is out of range for ${where} (${target.length} elements)`);
    return target[index];
  }
  if (target && typeof target === 'object') return getAttribute(target, String(key), where);
  throw new ReferenceProblem(`cannot index ${where}, which is ${describe(target)}`);
}

function truthy(value: unknown, operator: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`operator ${operator} needs a bool, got ${JSON.stringify(value)}`);
}

function numeric(value: unknown, operator: string): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (typeof value === 'boolean' || value === null || !Number.isFinite(number)) throw new Error(`operator ${operator} needs a number, got ${JSON.stringify(value)}`);
  return number;
}

function templateText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) throw new Error('a null value cannot be interpolated into a string');
  throw new Error(`${describe(value)} cannot be interpolated into a string (use jsonencode())`);
}

/** Renders a traversal for error messages (`aws_sqs_queue.q.arn`). */
export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case 'variable':
      return expr.name;
    case 'getattr':
      return `${exprText(expr.target)}.${expr.name}`;
    case 'index':
      return `${exprText(expr.target)}[${expr.key.kind === 'literal' ? JSON.stringify(expr.key.value) : '…'}]`;
    case 'splat':
      return `${exprText(expr.target)}[*]`;
    case 'call':
      return `${expr.name}(…)`;
    default:
      return '(expression)';
  }
}

/**
 * Evaluates an expression. A template made of a single interpolation keeps
 * the interpolated value's type (`"${aws_x.y.tags}"` is a map), as in Terraform.
 *
 * @example
 * evaluate(parseTemplate('${join("-", ["a", "b"])}'), scope) // 'a-b'
 */
export function evaluate(expr: Expr, scope: Scope): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'template': {
      if (expr.parts.length === 1 && typeof expr.parts[0] !== 'string') return evaluate(expr.parts[0] as Expr, scope);
      return expr.parts.map((part) => (typeof part === 'string' ? part : templateText(evaluate(part, scope)))).join('');
    }
    case 'tuple':
      return expr.items.map((item) => evaluate(item, scope));
    case 'object':
      return Object.fromEntries(expr.entries.map((entry) => [templateText(evaluate(entry.key, scope)), evaluate(entry.value, scope)]));
    case 'variable':
      return scope.lookupRoot(expr.name, [expr.name]);
    case 'getattr': {
      // Collect the whole attribute chain so roots like `data.aws_region.current` resolve in one go.
      const names: string[] = [];
      let current: Expr = expr;
      while (current.kind === 'getattr') {
        names.unshift(current.name);
        current = current.target;
      }
      if (current.kind === 'variable') {
        const path = [current.name, ...names];
        return scope.lookupRoot(current.name, path);
      }
      let value = evaluate(current, scope);
      let where = exprText(current);
      for (const name of names) {
        value = getAttribute(value, name, where);
        where = `${where}.${name}`;
      }
      return value;
    }
    case 'index':
      return getIndex(evaluate(expr.target, scope), evaluate(expr.key, scope), exprText(expr.target));
    case 'splat': {
      const target = evaluate(expr.target, scope);
      const items = target === null || target === undefined ? [] : Array.isArray(target) ? target : [target];
      return items.map((item) =>
        expr.each.reduce<unknown>((value, step) => (step.kind === 'attr' ? getAttribute(value, step.name, `${exprText(expr.target)}[*]`) : getIndex(value, evaluate(step.key, scope), `${exprText(expr.target)}[*]`)), item),
      );
    }
    case 'call': {
      let args = expr.args.map((arg) => evaluate(arg, scope));
      if (expr.expandLast) {
        const last = args.at(-1);
        if (!Array.isArray(last)) throw new Error(`${expr.name}(…): the argument expanded with '...' must be a list`);
        args = [...args.slice(0, -1), ...last];
      }
      return callFunction(expr.name, args, scope);
    }
    case 'unary': {
      const value = evaluate(expr.operand, scope);
      return expr.op === '!' ? !truthy(value, '!') : -numeric(value, '-');
    }
    case 'binary': {
      if (expr.op === '&&') return truthy(evaluate(expr.left, scope), '&&') && truthy(evaluate(expr.right, scope), '&&');
      if (expr.op === '||') return truthy(evaluate(expr.left, scope), '||') || truthy(evaluate(expr.right, scope), '||');
      const left = evaluate(expr.left, scope);
      const right = evaluate(expr.right, scope);
      switch (expr.op) {
        case '==':
          return JSON.stringify(left) === JSON.stringify(right);
        case '!=':
          return JSON.stringify(left) !== JSON.stringify(right);
        case '+':
          return numeric(left, '+') + numeric(right, '+');
        case '-':
          return numeric(left, '-') - numeric(right, '-');
        case '*':
          return numeric(left, '*') * numeric(right, '*');
        case '/':
          return numeric(left, '/') / numeric(right, '/');
        case '%':
          return numeric(left, '%') % numeric(right, '%');
        case '<':
          return numeric(left, '<') < numeric(right, '<');
        case '>':
          return numeric(left, '>') > numeric(right, '>');
        case '<=':
          return numeric(left, '<=') <= numeric(right, '<=');
        case '>=':
          return numeric(left, '>=') >= numeric(right, '>=');
        default:
          throw new Error(`operator ${expr.op} is not supported`);
      }
    }
    case 'conditional':
      return truthy(evaluate(expr.condition, scope), '?') ? evaluate(expr.then, scope) : evaluate(expr.otherwise, scope);
  }
}

/** Walks into an already-resolved root value along the remaining attribute names. */
export function descend(value: unknown, names: string[], where: string): unknown {
  let current = value;
  let location = where;
  for (const name of names) {
    current = getAttribute(current, name, location);
    location = `${location}.${name}`;
  }
  return current;
}
