/**
 * SSM Parameter Store, emulated: names, types, versions and path queries as
 * the SSM API defines them, persisted as one JSON file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readJsonState, REPAIR_ADVICE } from '../../core/files';
import { AwsServiceError } from '../../core/types';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  description?: string;
  dataType: string;
  /** Epoch milliseconds. */
  lastModified: number;
}

const NAME = /^[a-zA-Z0-9_.\-/]+$/;
const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];

export function validateName(name: unknown, field = 'Name'): string {
  if (typeof name !== 'string' || name.length === 0) throw new AwsServiceError('ValidationException', `${field} must be a non-empty string`);
  if (name.length > 2048) throw new AwsServiceError('ValidationException', `${field} '${name.slice(0, 40)}…' is longer than 2048 characters`);
  if (!NAME.test(name)) {
    throw new AwsServiceError('ValidationException', `${field} '${name}' may contain only letters, digits and _ . - /`);
  }
  if (name.includes('/') && !name.startsWith('/')) {
    throw new AwsServiceError('ValidationException', `Parameter name '${name}': a name with a path must be fully qualified (start with '/')`);
  }
  if (/^\/?(aws|ssm)/i.test(name)) throw new AwsServiceError('ValidationException', `Parameter name '${name}': names beginning with 'aws' or 'ssm' are reserved`);
  return name;
}

/** In-memory map of parameters, written through to `file` when one is given. */
export class ParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();

  constructor(private readonly file?: string) {
    if (file) {
      const saved = readJsonState<StoredParameter[]>(file, `${REPAIR_ADVICE} (moved away, parameters written by stacks come back when they are applied again; others are lost)`);
      for (const parameter of saved ?? []) this.parameters.set(parameter.name, parameter);
    }
  }

  /**
   * Creates or (with `overwrite`) updates a parameter; returns its new version.
   *
   * @example
   * store.put({ name: '/kestrel/bus-name', value: 'kestrel', type: 'String' }) // 1
   */
  put(input: { name: string; value: string; type?: ParameterType; overwrite?: boolean; description?: string; dataType?: string }): number {
    const name = validateName(input.name);
    if (typeof input.value !== 'string' || input.value.length === 0) {
      throw new AwsServiceError('ValidationException', `Value of parameter '${name}' must be a non-empty string`);
    }
    if (input.value.length > 4096) throw new AwsServiceError('ValidationException', `Value of parameter '${name}' is longer than 4096 characters (Standard tier)`);
    const existing = this.parameters.get(name);
    if (existing && !input.overwrite) {
      throw new AwsServiceError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const type = input.type ?? existing?.type;
    if (!type) throw new AwsServiceError('ValidationException', `Type is required when creating parameter '${name}'`);
    if (!TYPES.includes(type)) throw new AwsServiceError('ValidationException', `Type '${String(type)}' must be one of ${TYPES.join(', ')}`);
    const parameter: StoredParameter = {
      name,
      type,
      value: input.value,
      version: (existing?.version ?? 0) + 1,
      description: input.description ?? existing?.description,
      dataType: input.dataType ?? existing?.dataType ?? 'text',
      lastModified: Date.now(),
    };
    this.parameters.set(name, parameter);
    this.save();
    return parameter.version;
  }

  /** The parameter, or undefined. Accepts `name:version` selectors only for the current version. */
  get(name: string): StoredParameter | undefined {
    return this.parameters.get(name);
  }

  require(nameWithSelector: string): StoredParameter {
    const [name, selector] = splitSelector(nameWithSelector);
    const parameter = this.parameters.get(name);
    if (!parameter) throw new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
    if (selector !== undefined && selector !== String(parameter.version)) {
      throw new AwsServiceError('ParameterVersionNotFound', `Parameter ${name} has no version ${selector} locally (only the current version, ${parameter.version}, is kept)`);
    }
    return parameter;
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
    this.save();
  }

  /** Parameters under `path` (one level, or all levels with `recursive`), sorted by name. */
  byPath(path: string, recursive: boolean): StoredParameter[] {
    if (!path.startsWith('/')) throw new AwsServiceError('ValidationException', `Path '${path}' must start with '/'`);
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((parameter) => parameter.name.startsWith(prefix) && (recursive || !parameter.name.slice(prefix.length).includes('/')))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  list(): StoredParameter[] {
    return [...this.parameters.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  private save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.list(), null, 2));
    renameSync(temporary, this.file);
  }
}

function splitSelector(name: string): [string, string | undefined] {
  const colon = name.lastIndexOf(':');
  if (colon <= 0) return [name, undefined];
  return [name.slice(0, colon), name.slice(colon + 1)];
}
