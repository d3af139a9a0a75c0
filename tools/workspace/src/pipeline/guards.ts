import { parseDocument } from 'yaml';
import { PINNED_ACTIONS, SHA_PINNED } from './actions';

/** A workflow file as parsed YAML (the parts the guards read). */
export interface Workflow {
  on?: unknown;
  permissions?: Record<string, string> | string;
  concurrency?: Job['concurrency'];
  jobs?: Record<string, Job>;
}

export interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | string;
  permissions?: Record<string, string> | string;
  needs?: string | string[];
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; 'cancel-in-progress'?: boolean | string } | string;
  steps?: Array<{ id?: string; uses?: string; run?: string; if?: string; name?: string; with?: Record<string, unknown>; env?: Record<string, string> }>;
}

/**
 * Parses a workflow strictly: YAML errors and duplicate keys (which YAML
 * otherwise resolves silently, last one wins) are returned as problems.
 */
export function parseWorkflow(text: string): { workflow: Workflow; problems: string[] } {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problems = [...document.errors, ...document.warnings].map((error) => error.message);
  return { workflow: (document.toJS() ?? {}) as Workflow, problems };
}

/** Every `uses:` of a workflow (job-level reusable calls and steps) with the line comment that follows it. */
export function usesReferences(text: string): Array<{ uses: string; comment?: string; line: number }> {
  return text.split('\n').flatMap((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(?<uses>[^\s#]+)\s*(?:#\s*(?<comment>.*))?$/.exec(line);
    return match?.groups ? [{ uses: match.groups.uses!.replace(/^['"]|['"]$/g, ''), comment: match.groups.comment?.trim(), line: index + 1 }] : [];
  });
}

/**
 * Problems with third-party action references: each must be pinned by a full
 * commit SHA, be one of {@link PINNED_ACTIONS} (so upgrades happen in one
 * reviewed place), and carry its release tag as a comment. Local reusable
 * workflows (`./…`) are ours and exempt.
 *
 * @example
 * ```ts
 * unpinnedActions('steps:\n  - uses: actions/checkout@v4\n'); // ['line 2: actions/checkout@v4 is not pinned by a full commit SHA']
 * ```
 */
export function unpinnedActions(text: string): string[] {
  const known = new Map<string, string>(Object.values(PINNED_ACTIONS).map((action) => [action.uses, action.tag]));
  return usesReferences(text).flatMap(({ uses, comment, line }) => {
    if (uses.startsWith('./')) return [];
    if (!SHA_PINNED.test(uses)) return [`line ${line}: ${uses} is not pinned by a full commit SHA`];
    const tag = known.get(uses);
    if (tag === undefined) return [`line ${line}: ${uses} is not in PINNED_ACTIONS (tools/workspace/src/pipeline/actions.ts)`];
    if (comment !== tag) return [`line ${line}: ${uses} must be followed by the comment "# ${tag}"`];
    return [];
  });
}

const permissionsOf = (value: Job['permissions'] | Workflow['permissions']) => (typeof value === 'object' && value !== null ? value : undefined);

type Step = NonNullable<Job['steps']>[number];

/** Actions that exchange the job's GitHub OIDC token, so their job needs `id-token: write`: AWS role assumption, and the Pages deploy (Pages checks the token's repository, workflow and environment). */
export const OIDC_ACTIONS = ['aws-actions/configure-aws-credentials', 'actions/deploy-pages'] as const;

const runs = (step: Step, actions: readonly string[]) => actions.some((action) => step.uses?.startsWith(`${action}@`) ?? false);

/** Whether a step exchanges the job's OIDC token (one of {@link OIDC_ACTIONS}). */
export function stepUsesOidc(step: Step): boolean {
  return runs(step, OIDC_ACTIONS);
}

/**
 * Least-privilege checks: the workflow grants nothing by default
 * (`permissions: {}`), every job declares its own, nothing writes repository
 * contents, `id-token: write` appears only on jobs that exchange an OIDC token
 * ({@link OIDC_ACTIONS}) or call a workflow that does, and `pages: write` only
 * on the job that deploys Pages.
 *
 * @example
 * ```ts
 * permissionProblems({ permissions: {}, jobs: { build: { permissions: { 'id-token': 'write' }, steps: [{ run: 'make' }] } } }, () => false);
 * // ['job build: id-token: write without an OIDC token exchange (AWS role, Pages deploy)']
 * ```
 */
export function permissionProblems(workflow: Workflow, callsOidc: (reusable: string) => boolean): string[] {
  const problems: string[] = [];
  const top = permissionsOf(workflow.permissions);
  if (top === undefined || Object.keys(top).length > 0) problems.push('top-level permissions must be {} (jobs ask for what they need)');
  for (const [name, job] of Object.entries(workflow.jobs ?? {})) {
    const permissions = permissionsOf(job.permissions);
    if (permissions === undefined) {
      problems.push(`job ${name}: declares no permissions`);
      continue;
    }
    if (permissions.contents === 'write') problems.push(`job ${name}: contents: write is never needed`);
    const steps = job.steps ?? [];
    const usesOidc = job.uses !== undefined ? callsOidc(job.uses) : steps.some(stepUsesOidc);
    if (permissions['id-token'] === 'write' && !usesOidc) problems.push(`job ${name}: id-token: write without an OIDC token exchange (AWS role, Pages deploy)`);
    if (permissions['id-token'] !== 'write' && usesOidc) problems.push(`job ${name}: exchanges an OIDC token but lacks id-token: write`);
    const deploysPages = steps.some((step) => runs(step, ['actions/deploy-pages']));
    if (permissions.pages === 'write' && !deploysPages) problems.push(`job ${name}: pages: write without deploying Pages (actions/deploy-pages)`);
    if (permissions.pages !== 'write' && deploysPages) problems.push(`job ${name}: deploys Pages but lacks pages: write`);
  }
  return problems;
}

/** Inputs and secrets a reusable workflow declares under `on.workflow_call`. */
export function workflowCallInterface(workflow: Workflow): { inputs: Record<string, { required?: boolean }>; secrets: Record<string, unknown> } | undefined {
  const call = (workflow.on as { workflow_call?: { inputs?: Record<string, { required?: boolean }>; secrets?: Record<string, unknown> } } | undefined)?.workflow_call;
  return call ? { inputs: call.inputs ?? {}, secrets: call.secrets ?? {} } : undefined;
}

/** A call of a reusable workflow passes every required input, and only declared inputs and secrets. */
export function reusableCallProblems(job: Job, callee: ReturnType<typeof workflowCallInterface>): string[] {
  if (callee === undefined) return [`${job.uses} is not a reusable workflow (no on.workflow_call)`];
  const passed = Object.keys(job.with ?? {});
  const secrets = typeof job.secrets === 'object' ? Object.keys(job.secrets) : [];
  return [
    ...Object.entries(callee.inputs).filter(([name, input]) => input.required && !passed.includes(name)).map(([name]) => `missing required input "${name}"`),
    ...passed.filter((name) => !(name in callee.inputs)).map((name) => `unknown input "${name}"`),
    ...secrets.filter((name) => !(name in callee.secrets)).map((name) => `unknown secret "${name}"`),
  ];
}
