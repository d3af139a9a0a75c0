/**
 * `terraform apply` for the local cloud: loads a synthesized stack
 * (`cdk.tf.json`), orders its variables, locals, data sources, resources and
 * outputs by the references between them, resolves every `${…}` and hands
 * each resource to the provisioner of its type. Types without one are either
 * recorded (documented no-local-effect allowlist) or reported as NOT EMULATED
 * — loudly, in the apply report and in `/_local/state`, never skipped in silence.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonState, REPAIR_ADVICE } from '../core/files';
import type { DataSourceReader, ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../core/types';
import { isTemplate, parseTemplate, references } from './hcl';
import type { Expr } from './hcl';
import { ReferenceProblem, descend, evaluate } from './evaluate';
import type { Scope } from './evaluate';
import { builtinDataSources, recordedAttributes } from './builtin-data-sources';
import { NO_LOCAL_EFFECT } from './no-local-effect';

export type ResourceStatus = 'applied' | 'recorded' | 'not-emulated';

export interface ResourceState {
  address: string;
  type: string;
  name: string;
  status: ResourceStatus;
  /** Why a `recorded` resource has no local effect, or what is missing for a `not-emulated` one. */
  note?: string;
  attributes: ResourceAttributes;
}

export interface StackState {
  name: string;
  stackDir: string;
  appliedAt: string;
  resources: ResourceState[];
  dataSources: Array<{ address: string; type: string }>;
  outputs: Record<string, unknown>;
  notEmulated: Array<{ address: string; type: string }>;
  recorded: Array<{ address: string; type: string; reason: string }>;
  /** The region the stack's AWS provider names: the local cloud's own (a stack of another region is refused). */
  providerRegion?: string;
}

export interface ApplyReport extends StackState {
  durationMs: number;
  removed: string[];
}

/** Thrown when a stack cannot be applied; the message names stack, resource and attribute. */
export class StackApplyError extends Error {}

interface StackDocument {
  '//'?: { metadata?: { stackName?: string } };
  variable?: Record<string, { default?: unknown }>;
  locals?: Record<string, unknown>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value?: unknown }>;
  provider?: { aws?: Array<{ region?: string }> | { region?: string } };
}

type NodeKind = 'var' | 'local' | 'data' | 'resource' | 'output';

interface Node {
  key: string;
  kind: NodeKind;
  type?: string;
  name: string;
  /** Raw configuration (strings not yet evaluated). */
  config: unknown;
  dependsOn: Set<string>;
}

/** Keys of a resource's JSON that are Terraform meta-arguments, not configuration. */
const META = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'provisioner', 'connection', 'count', 'for_each']);

export interface TerraformEngineOptions {
  accountId: string;
  region: string;
  provisioners: readonly ResourceProvisioner[];
  dataSources?: readonly DataSourceReader[];
  /** Folder for `<stack>.json` state files; none keeps state in memory. */
  stateDir?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** The region a stack's (first) AWS provider names, if any. */
function providerRegionOf(document: StackDocument): string | undefined {
  const aws = document.provider?.aws;
  return (Array.isArray(aws) ? aws[0]?.region : aws?.region) ?? undefined;
}

/** Loads `cdk.tf.json` from a stack folder. */
export function loadStack(stackDir: string): { name: string; document: StackDocument } {
  const file = join(stackDir, 'cdk.tf.json');
  if (!existsSync(file)) throw new StackApplyError(`No synthesized stack at ${file} (run the project's synth target first)`);
  const document = JSON.parse(readFileSync(file, 'utf8')) as StackDocument;
  return { name: document['//']?.metadata?.stackName ?? basename(stackDir), document };
}

/** A stack folder's stack name as `loadStack` gives it, or the folder's name when its document cannot be read (applying it then fails, naming it). */
export function stackNameOf(stackDir: string): string {
  try {
    return loadStack(stackDir).name;
  } catch {
    return basename(stackDir);
  }
}

/** Every string inside a value, with the dotted attribute path where it sits. */
function* strings(value: unknown, path: string): Generator<{ path: string; text: string }> {
  if (typeof value === 'string') yield { path, text: value };
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* strings(item, `${path}[${index}]`);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) if (!META.has(key)) yield* strings(item, path ? `${path}.${key}` : key);
  }
}

/** Parses each template once per apply. */
const parsed = new Map<string, Expr>();
function template(text: string): Expr {
  let expr = parsed.get(text);
  if (!expr) {
    expr = parseTemplate(text);
    parsed.set(text, expr);
  }
  return expr;
}

function referenceKey(path: string[]): string | undefined {
  const [root, first, second] = path;
  switch (root) {
    case 'var':
      return first ? `var.${first}` : undefined;
    case 'local':
      return first ? `local.${first}` : undefined;
    case 'data':
      return first && second ? `data.${first}.${second}` : undefined;
    case 'path':
    case 'terraform':
      return undefined;
    default:
      return first ? `${root}.${first}` : undefined;
  }
}

/**
 * Applies synthesized stacks through the local cloud's provisioners.
 *
 * @example
 * const engine = new TerraformEngine({ accountId, region, provisioners, dataSources, stateDir });
 * const report = await engine.applyStack('infra/platform/cdktf.out/stacks/platform-staging');
 * report.notEmulated; // [] when everything in the stack is emulated or recorded
 */
export class TerraformEngine {
  private readonly provisioners = new Map<string, ResourceProvisioner>();
  private readonly dataSources = new Map<string, DataSourceReader>();
  private readonly stacks = new Map<string, StackState>();

  constructor(private readonly options: TerraformEngineOptions) {
    for (const provisioner of options.provisioners) {
      if (this.provisioners.has(provisioner.type)) throw new Error(`Two provisioners for ${provisioner.type}`);
      this.provisioners.set(provisioner.type, provisioner);
    }
    // Modules' readers first: a module may answer a built-in type better than the default.
    for (const reader of [...(options.dataSources ?? []), ...builtinDataSources(options)]) {
      if (!this.dataSources.has(reader.type)) this.dataSources.set(reader.type, reader);
    }
    if (options.stateDir && existsSync(options.stateDir)) {
      for (const file of readdirJson(options.stateDir)) {
        const state = readJsonState<StackState>(join(options.stateDir, file), `${REPAIR_ADVICE} (moved away, the stack is applied afresh: generated names change)`);
        if (state) this.stacks.set(state.name, state);
      }
    }
  }

  /** Applied stacks, in the order they were last applied. */
  state(): StackState[] {
    return [...this.stacks.values()];
  }

  async applyStacks(stackDirs: readonly string[], variables: Record<string, unknown> = {}): Promise<ApplyReport[]> {
    const reports: ApplyReport[] = [];
    for (const stackDir of stackDirs) reports.push(await this.applyStack(stackDir, variables));
    return reports;
  }

  async applyStack(stackDir: string, variables: Record<string, unknown> = {}): Promise<ApplyReport> {
    const started = Date.now();
    const { name: stack, document } = loadStack(stackDir);
    const providerRegion = providerRegionOf(document);
    // One region per local cloud: a stack of another region would get ARNs that lie about where it lives.
    if (providerRegion && providerRegion !== this.options.region) {
      throw new StackApplyError(
        `Stack '${stack}': its AWS provider's region is ${providerRegion}, but this local cloud runs ${this.options.region}; resources live in their provider's region, so start the local cloud in ${providerRegion} (startLocalCloud({ region: '${providerRegion}' }))`,
      );
    }
    const log = this.options.log ?? (() => undefined);
    const nodes = this.buildGraph(stack, document);
    const order = this.topologicalOrder(stack, nodes);
    const previous = this.stacks.get(stack);
    const previousAttributes = new Map(previous?.resources.map((resource) => [resource.address, resource.attributes]));

    const values = new Map<string, unknown>();
    const resources: ResourceState[] = [];
    const dataSources: StackState['dataSources'] = [];
    const outputs: Record<string, unknown> = {};
    const identity = { accountId: this.options.accountId, region: this.options.region };

    const scopeFor = (): Scope => ({
      stackDir,
      lookupRoot: (root: string, path: string[]) => {
        if (root === 'path') {
          if (['module', 'root', 'cwd'].includes(path[1] ?? '')) return stackDir;
          throw new ReferenceProblem(`path.${path[1]} is not a Terraform path value`);
        }
        if (root === 'terraform' && path[1] === 'workspace') return 'default';
        if (root === 'count' || root === 'each' || root === 'self') throw new ReferenceProblem(`'${root}.' references need count/for_each, which the local cloud interpreter does not support`);
        const key = referenceKey(path);
        if (!key) throw new ReferenceProblem(`'${path.join('.')}' is an incomplete reference`);
        if (!values.has(key)) throw new ReferenceProblem(`'${path.join('.')}' refers to ${key}, which is not declared in this stack`);
        const consumed = key.split('.').length;
        return descend(values.get(key), path.slice(consumed), key);
      },
    });

    const resolve = (node: Node, value: unknown, path: string): unknown => {
      if (typeof value === 'string') {
        if (!isTemplate(value)) return value;
        try {
          return evaluate(template(value), scopeFor());
        } catch (error) {
          throw new StackApplyError(
            `Stack '${stack}': ${node.key} attribute '${path}' cannot be resolved: ${(error as Error).message}${error instanceof ReferenceProblem ? '' : ` (in "${value}")`}`,
          );
        }
      }
      if (Array.isArray(value)) return value.map((item, index) => resolve(node, item, `${path}[${index}]`));
      if (value && typeof value === 'object') {
        const result: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) if (!META.has(key)) result[key] = resolve(node, item, path ? `${path}.${key}` : key);
        return result;
      }
      return value;
    };

    const saveProgress = () => {
      const notEmulated = resources.filter((resource) => resource.status === 'not-emulated').map(({ address, type }) => ({ address, type }));
      const recorded = resources.filter((resource) => resource.status === 'recorded').map(({ address, type, note }) => ({ address, type, reason: note ?? '' }));
      const state: StackState = {
        name: stack,
        stackDir,
        appliedAt: new Date().toISOString(),
        resources,
        dataSources,
        outputs,
        notEmulated,
        recorded,
        providerRegion,
      };
      // Keep resources of the previous apply not reached this time (apply failed midway) so their ids survive.
      if (previous) {
        const reached = new Set(resources.map((resource) => resource.address));
        const declared = new Set(nodes.filter((node) => node.kind === 'resource').map((node) => node.key));
        for (const old of previous.resources) if (!reached.has(old.address) && declared.has(old.address)) state.resources.push(old);
      }
      this.stacks.delete(stack);
      this.stacks.set(stack, state);
      this.persist(state);
      return state;
    };

    try {
      for (const node of order) {
        switch (node.kind) {
          case 'var': {
            const value = node.name in variables ? variables[node.name] : (node.config as { default?: unknown }).default;
            if (value === undefined) throw new StackApplyError(`Stack '${stack}': variable '${node.name}' has no default and no value was given`);
            values.set(node.key, value);
            break;
          }
          case 'local':
            values.set(node.key, resolve(node, node.config, node.key));
            break;
          case 'data': {
            const reader = this.dataSources.get(node.type as string);
            if (!reader) {
              throw new StackApplyError(
                `Stack '${stack}': ${node.key}: data source type '${node.type}' is not emulated by the local cloud (readers: ${[...this.dataSources.keys()].sort().join(', ')})`,
              );
            }
            const config = resolve(node, node.config, '') as Record<string, unknown>;
            const attributes = await reader.read({ stack, type: node.type as string, name: node.name, address: node.key, config, stackDir });
            values.set(node.key, { ...config, ...attributes });
            dataSources.push({ address: node.key, type: node.type as string });
            break;
          }
          case 'resource': {
            const raw = node.config as Record<string, unknown>;
            if (raw.count !== undefined || raw.for_each !== undefined) {
              throw new StackApplyError(`Stack '${stack}': ${node.key} uses ${raw.count !== undefined ? 'count' : 'for_each'}, which the local cloud interpreter does not support`);
            }
            const type = node.type as string;
            const provisioner = this.provisioners.get(type);
            const ignoreChanges = ignoredAttributes(stack, node.key, raw.lifecycle);
            const resource: ResolvedResource = { stack, type, name: node.name, address: node.key, config: resolve(node, raw, '') as Record<string, unknown>, stackDir, ignoreChanges };
            let previousOfResource = previousAttributes.get(node.key);
            let state: ResourceState;
            try {
              if (previousOfResource && ignoreChanges) {
                // Terraform refreshes first, then leaves the ignored attributes as they are now.
                if (provisioner?.refresh) previousOfResource = await provisioner.refresh(resource, previousOfResource);
                resource.declared = resource.config;
                resource.config = keepIgnored(resource.config, previousOfResource, ignoreChanges);
              }
            } catch (error) {
              throw new StackApplyError(`Stack '${stack}': ${node.key}: refreshing before apply failed: ${(error as Error).message}`);
            }
            const config = resource.config;
            if (provisioner) {
              let attributes: ResourceAttributes;
              try {
                attributes = await provisioner.apply(resource, previousOfResource);
              } catch (error) {
                if (error instanceof StackApplyError) throw error;
                throw new StackApplyError(`Stack '${stack}': ${node.key}: ${(error as Error).message}`);
              }
              state = {
                address: node.key,
                type,
                name: node.name,
                status: provisioner.notEnforced ? 'recorded' : 'applied',
                note: provisioner.notEnforced,
                attributes: { ...config, ...attributes },
              };
            } else if (NO_LOCAL_EFFECT[type]) {
              state = { address: node.key, type, name: node.name, status: 'recorded', note: NO_LOCAL_EFFECT[type], attributes: recordedAttributes(type, config, node.name, identity) };
            } else {
              state = {
                address: node.key,
                type,
                name: node.name,
                status: 'not-emulated',
                note: `no local provisioner for ${type}: this resource does not exist locally`,
                attributes: recordedAttributes(type, config, node.name, identity),
              };
              log(`terraform: NOT EMULATED ${stack}: ${node.key} (${type})`);
            }
            values.set(node.key, state.attributes);
            resources.push(state);
            break;
          }
          case 'output':
            outputs[node.name] = resolve(node, (node.config as { value?: unknown }).value, 'value');
            values.set(node.key, outputs[node.name]);
            break;
        }
      }
    } catch (error) {
      saveProgress();
      throw error;
    }

    // Resources gone from the configuration since the last apply.
    const removed: string[] = [];
    for (const old of [...(previous?.resources ?? [])].reverse()) {
      if (nodes.some((node) => node.key === old.address)) continue;
      const provisioner = this.provisioners.get(old.type);
      if (provisioner?.destroy) {
        await provisioner.destroy({ stack, type: old.type, name: old.name, address: old.address, config: {}, stackDir }, old.attributes);
      }
      removed.push(old.address);
    }

    const state = saveProgress();
    return { ...state, durationMs: Date.now() - started, removed };
  }

  private buildGraph(stack: string, document: StackDocument): Node[] {
    const nodes: Node[] = [];
    for (const [name, config] of Object.entries(document.variable ?? {})) nodes.push({ key: `var.${name}`, kind: 'var', name, config, dependsOn: new Set() });
    for (const [name, config] of Object.entries(document.locals ?? {})) nodes.push({ key: `local.${name}`, kind: 'local', name, config, dependsOn: new Set() });
    for (const [type, byName] of Object.entries(document.data ?? {})) {
      for (const [name, config] of Object.entries(byName)) nodes.push({ key: `data.${type}.${name}`, kind: 'data', type, name, config, dependsOn: new Set() });
    }
    for (const [type, byName] of Object.entries(document.resource ?? {})) {
      for (const [name, config] of Object.entries(byName)) nodes.push({ key: `${type}.${name}`, kind: 'resource', type, name, config, dependsOn: new Set() });
    }
    for (const [name, config] of Object.entries(document.output ?? {})) nodes.push({ key: `output.${name}`, kind: 'output', name, config, dependsOn: new Set() });

    const declared = new Set(nodes.map((node) => node.key));
    for (const node of nodes) {
      for (const { path, text } of strings(node.config, '')) {
        if (!isTemplate(text)) continue;
        let expr: Expr;
        try {
          expr = template(text);
        } catch (error) {
          throw new StackApplyError(`Stack '${stack}': ${node.key} attribute '${path}': ${(error as Error).message}`);
        }
        for (const reference of references(expr)) {
          if (['count', 'each', 'self'].includes(reference[0] as string)) {
            throw new StackApplyError(`Stack '${stack}': ${node.key} attribute '${path}' uses '${reference.join('.')}' (count/for_each), which the local cloud interpreter does not support`);
          }
          const key = referenceKey(reference);
          if (!key) continue;
          if (!declared.has(key)) {
            throw new StackApplyError(`Stack '${stack}': ${node.key} attribute '${path}' references '${reference.join('.')}', but ${key} is not declared in this stack`);
          }
          node.dependsOn.add(key);
        }
      }
      const explicit = (node.config as { depends_on?: unknown } | undefined)?.depends_on;
      for (const dependency of Array.isArray(explicit) ? explicit : []) {
        const key = String(dependency).replace(/^\$\{(.*)\}$/, '$1');
        if (!declared.has(key)) throw new StackApplyError(`Stack '${stack}': ${node.key} depends_on '${dependency}', which is not declared in this stack`);
        node.dependsOn.add(key);
      }
    }
    return nodes;
  }

  /** Kahn's algorithm, keeping declaration order among nodes that are ready together. */
  private topologicalOrder(stack: string, nodes: Node[]): Node[] {
    const done = new Set<string>();
    const order: Node[] = [];
    let pending = nodes;
    while (pending.length) {
      const ready = pending.filter((node) => [...node.dependsOn].every((dependency) => done.has(dependency)));
      if (ready.length === 0) {
        const cycle = pending.map((node) => `${node.key} → ${[...node.dependsOn].filter((dependency) => !done.has(dependency)).join(', ')}`);
        throw new StackApplyError(`Stack '${stack}': dependency cycle among:\n  ${cycle.join('\n  ')}`);
      }
      for (const node of ready) {
        done.add(node.key);
        order.push(node);
      }
      pending = pending.filter((node) => !done.has(node.key));
    }
    return order;
  }

  private persist(state: StackState): void {
    if (!this.options.stateDir) return;
    mkdirSync(this.options.stateDir, { recursive: true });
    const file = join(this.options.stateDir, `${state.name}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${file}.tmp`, file);
  }
}

/**
 * A resource's `lifecycle.ignore_changes` as top-level attribute names (`tags["team"]` and
 * `tags.team` both ignore `tags`, which is coarser than Terraform but never overwrites what
 * Terraform would keep), or `'all'`.
 */
export function ignoredAttributes(stack: string, address: string, lifecycle: unknown): readonly string[] | 'all' | undefined {
  const value = (lifecycle as { ignore_changes?: unknown } | undefined)?.ignore_changes;
  if (value === undefined || value === null) return undefined;
  if (value === 'all') return 'all';
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw new StackApplyError(`Stack '${stack}': ${address}: lifecycle.ignore_changes must be "all" or a list of attribute names, got ${JSON.stringify(value)}`);
  }
  const names = (value as string[]).map((entry) => entry.replace(/^\$\{(.*)\}$/, '$1').split(/[.[]/)[0] ?? '');
  if (names.includes('all')) return 'all';
  return names.filter((name) => name !== '');
}

/** The configuration to apply: ignored attributes take their current value (absent stays absent). */
function keepIgnored(config: Record<string, unknown>, current: ResourceAttributes, ignored: readonly string[] | 'all'): Record<string, unknown> {
  const result = { ...config };
  for (const name of ignored === 'all' ? Object.keys(config) : ignored) {
    if (name in current) result[name] = current[name];
    else delete result[name];
  }
  return result;
}

function readdirJson(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
}
