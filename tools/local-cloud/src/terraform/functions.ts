/**
 * Terraform's built-in functions, those our stacks (and cdktn's `Fn.*`
 * helpers they use) need. A function not listed here fails the apply with its
 * name, rather than evaluating to something plausible.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export interface FunctionContext {
  /** Folder of the stack being applied; relative file paths resolve against it (as `path.module` would). */
  stackDir: string;
}

type TfFunction = (args: unknown[], context: FunctionContext) => unknown;

function toText(value: unknown, fn: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${fn}(): expected a string, got ${JSON.stringify(value)}`);
}

function toList(value: unknown, fn: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new Error(`${fn}(): expected a list, got ${JSON.stringify(value)}`);
}

function toNumber(value: unknown, fn: string): number {
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) throw new Error(`${fn}(): expected a number, got ${JSON.stringify(value)}`);
  return number;
}

/** Terraform's jsonencode sorts object keys (cty object attributes are ordered by name). */
export function terraformJson(value: unknown): string {
  const normalise = (item: unknown): unknown => {
    if (Array.isArray(item)) return item.map(normalise);
    if (item && typeof item === 'object') {
      return Object.fromEntries(
        Object.keys(item)
          .sort()
          .map((key) => [key, normalise((item as Record<string, unknown>)[key])]),
      );
    }
    return item;
  };
  return JSON.stringify(normalise(value));
}

function readFile(path: unknown, context: FunctionContext, fn: string): Buffer {
  const text = toText(path, fn);
  const full = isAbsolute(text) ? text : join(context.stackDir, text);
  try {
    return readFileSync(full);
  } catch (error) {
    throw new Error(`${fn}("${text}"): cannot read ${full}: ${(error as Error).message}`);
  }
}

/** Go-style `format` verbs Terraform supports, the common ones. */
function format(spec: string, args: unknown[]): string {
  let index = 0;
  return spec.replace(/%(%|[-+ 0#]*\d*(?:\.\d+)?[sdfqvt])/g, (match, verb: string) => {
    if (verb === '%') return '%';
    const value = args[index++];
    const kind = verb.at(-1);
    const precision = /\.(\d+)/.exec(verb)?.[1];
    switch (kind) {
      case 'd':
        return String(Math.trunc(toNumber(value, 'format')));
      case 'f':
        return toNumber(value, 'format').toFixed(precision ? Number(precision) : 6);
      case 'q':
        return JSON.stringify(toText(value, 'format'));
      case 'v':
        return typeof value === 'string' ? value : terraformJson(value);
      case 't':
        return String(Boolean(value));
      default:
        return toText(value, 'format');
    }
  });
}

export const FUNCTIONS: Record<string, TfFunction> = {
  jsonencode: ([value]) => terraformJson(value),
  jsondecode: ([text]) => JSON.parse(toText(text, 'jsondecode')),
  join: ([separator, ...lists]) => lists.flatMap((list) => toList(list, 'join')).map((item) => toText(item, 'join')).join(toText(separator, 'join')),
  split: ([separator, text]) => toText(text, 'split').split(toText(separator, 'split')),
  element: ([list, index]) => {
    const items = toList(list, 'element');
    if (items.length === 0) throw new Error('element(): cannot use element on an empty list');
    return items[toNumber(index, 'element') % items.length];
  },
  length: ([value]) => {
    if (typeof value === 'string' || Array.isArray(value)) return [...(value as string | unknown[])].length;
    if (value && typeof value === 'object') return Object.keys(value).length;
    throw new Error(`length(): expected a string, list or map, got ${JSON.stringify(value)}`);
  },
  lower: ([text]) => toText(text, 'lower').toLowerCase(),
  upper: ([text]) => toText(text, 'upper').toUpperCase(),
  title: ([text]) => toText(text, 'title').replace(/\b\w/g, (c) => c.toUpperCase()),
  trimspace: ([text]) => toText(text, 'trimspace').trim(),
  trimprefix: ([text, prefix]) => {
    const value = toText(text, 'trimprefix');
    const cut = toText(prefix, 'trimprefix');
    return value.startsWith(cut) ? value.slice(cut.length) : value;
  },
  trimsuffix: ([text, suffix]) => {
    const value = toText(text, 'trimsuffix');
    const cut = toText(suffix, 'trimsuffix');
    return cut && value.endsWith(cut) ? value.slice(0, -cut.length) : value;
  },
  startswith: ([text, prefix]) => toText(text, 'startswith').startsWith(toText(prefix, 'startswith')),
  endswith: ([text, suffix]) => toText(text, 'endswith').endsWith(toText(suffix, 'endswith')),
  substr: ([text, offset, length]) => {
    const chars = [...toText(text, 'substr')];
    const start = toNumber(offset, 'substr');
    const count = toNumber(length, 'substr');
    return chars.slice(start, count < 0 ? undefined : start + count).join('');
  },
  replace: ([text, search, replacement]) => {
    const value = toText(text, 'replace');
    const pattern = toText(search, 'replace');
    const by = toText(replacement, 'replace');
    // `/…/` means a regular expression in Terraform.
    if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) {
      return value.replace(new RegExp(pattern.slice(1, -1), 'g'), by.replace(/\$\{(\w+)\}/g, '$<$1>'));
    }
    return value.split(pattern).join(by);
  },
  format: ([spec, ...args]) => format(toText(spec, 'format'), args),
  concat: (lists) => lists.flatMap((list) => toList(list, 'concat')),
  flatten: ([list]) => toList(list, 'flatten').flat(Infinity),
  distinct: ([list]) => {
    const seen = new Set<string>();
    return toList(list, 'distinct').filter((item) => {
      const key = terraformJson(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  contains: ([list, value]) => toList(list, 'contains').some((item) => terraformJson(item) === terraformJson(value)),
  merge: (maps) => Object.assign({}, ...maps.filter((map) => map !== null)),
  keys: ([map]) => Object.keys(map as object).sort(),
  values: ([map]) =>
    Object.keys(map as object)
      .sort()
      .map((key) => (map as Record<string, unknown>)[key]),
  lookup: ([map, key, fallback], _context) => {
    const object = map as Record<string, unknown>;
    const name = toText(key, 'lookup');
    if (object && Object.prototype.hasOwnProperty.call(object, name)) return object[name];
    if (fallback !== undefined) return fallback;
    throw new Error(`lookup(): key '${name}' not found and no default given`);
  },
  coalesce: (args) => {
    const found = args.find((arg) => arg !== null && arg !== undefined && arg !== '');
    if (found === undefined) throw new Error('coalesce(): no non-null, non-empty argument');
    return found;
  },
  compact: ([list]) => toList(list, 'compact').filter((item) => item !== null && item !== ''),
  tostring: ([value]) => (value === null ? null : toText(value, 'tostring')),
  tonumber: ([value]) => (value === null ? null : toNumber(value, 'tonumber')),
  tobool: ([value]) => (value === null ? null : value === true || value === 'true'),
  tolist: ([value]) => toList(value, 'tolist'),
  toset: ([value]) => FUNCTIONS.distinct!([value], { stackDir: '' }),
  tomap: ([value]) => value,
  abs: ([value]) => Math.abs(toNumber(value, 'abs')),
  max: (args) => Math.max(...args.map((arg) => toNumber(arg, 'max'))),
  min: (args) => Math.min(...args.map((arg) => toNumber(arg, 'min'))),
  ceil: ([value]) => Math.ceil(toNumber(value, 'ceil')),
  floor: ([value]) => Math.floor(toNumber(value, 'floor')),
  base64encode: ([text]) => Buffer.from(toText(text, 'base64encode')).toString('base64'),
  base64decode: ([text]) => Buffer.from(toText(text, 'base64decode'), 'base64').toString('utf8'),
  md5: ([text]) => createHash('md5').update(toText(text, 'md5')).digest('hex'),
  sha1: ([text]) => createHash('sha1').update(toText(text, 'sha1')).digest('hex'),
  sha256: ([text]) => createHash('sha256').update(toText(text, 'sha256')).digest('hex'),
  base64sha256: ([text]) => createHash('sha256').update(toText(text, 'base64sha256')).digest('base64'),
  file: ([path], context) => readFile(path, context, 'file').toString('utf8'),
  filebase64: ([path], context) => readFile(path, context, 'filebase64').toString('base64'),
  filemd5: ([path], context) => createHash('md5').update(readFile(path, context, 'filemd5')).digest('hex'),
  filesha256: ([path], context) => createHash('sha256').update(readFile(path, context, 'filesha256')).digest('hex'),
  filebase64sha256: ([path], context) => createHash('sha256').update(readFile(path, context, 'filebase64sha256')).digest('base64'),
};

/**
 * Calls a Terraform function by name.
 *
 * @example
 * callFunction('join', ['-', ['a', 'b']], { stackDir: '.' }) // 'a-b'
 */
export function callFunction(name: string, args: unknown[], context: FunctionContext): unknown {
  const fn = FUNCTIONS[name];
  if (!fn) {
    throw new Error(`Terraform function ${name}() is not implemented by the local cloud interpreter (implemented: ${Object.keys(FUNCTIONS).sort().join(', ')})`);
  }
  return fn(args, context);
}
