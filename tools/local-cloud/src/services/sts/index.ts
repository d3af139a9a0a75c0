/**
 * STS and IAM of the local cloud. The `sts` API (query protocol):
 * `GetCallerIdentity` and `AssumeRole`, whose role trust policy (and the
 * caller's identity policies) are evaluated as in AWS for sessions the local
 * cloud issued; the developer's own credentials are the local administrator
 * and may assume any role (a documented convenience: act as exactly one
 * function with the CLI or SDK). The IAM resources of the stacks
 * (`aws_iam_role`, `aws_iam_role_policy`, `aws_iam_policy`,
 * `aws_iam_role_policy_attachment`) are compiled into the registry the edge
 * decides with (`src/iam/authorizer.ts`). State: `iam` in `/_local/state`.
 */
import { compilePolicy, evaluate, principalAccount, principalArn } from '@kestrel/iam';
import type { CompiledPolicy, Principal } from '@kestrel/iam';
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, LocalCloudContext, LocalServiceModule, ResolvedResource, ResourceProvisioner } from '../../core/types';
import { newRequestId } from '../../core/protocol';
import { accountOfRole, CredentialStore } from '../../iam/credentials';
import type { IssuedSession } from '../../iam/credentials';
import { denialMessage, LocalIam } from '../../iam/authorizer';
import { compileResourcePolicy } from '../../iam/registry';
import { localizeStackPolicy, providerOf } from '../../iam/localize';
import { signingKeyId } from '../../iam/sigv4';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] as string);
}

function xmlResponse(action: string, result: string): AwsResponse {
  const body = `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${newRequestId()}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

function stableId(prefix: string, text: string): string {
  let hash = 0;
  for (const char of text) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return `${prefix}${hash.toString(36).toUpperCase().padStart(8, '0')}LOCAL`;
}

const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const string = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The caller of an STS request: a session we issued, else the local administrator. */
function callerOf(iam: LocalIam, request: AwsRequest): { principal?: Principal; admin: boolean } {
  const keyId = signingKeyId({ headers: request.headers, rawUrl: `${request.path}?${request.query.toString()}` });
  if (!keyId || !CredentialStore.isIssuedKey(keyId)) return { admin: true };
  const session = iam.credentials.lookup(keyId);
  // The edge refuses unknown issued keys before STS sees them; be safe anyway.
  if (!session) throw new AwsServiceError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  return { principal: session.principal, admin: false };
}

function stsHandler(iam: LocalIam, accountId: string) {
  return {
    serviceNames: ['sts'] as const,
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const input = new URLSearchParams(request.body.toString('utf8'));
      for (const [key, value] of request.query) if (!input.has(key)) input.set(key, value);
      const action = input.get('Action');
      const caller = callerOf(iam, request);
      switch (action) {
        case 'GetCallerIdentity': {
          const arn = caller.principal ? principalArn(caller.principal) : `arn:aws:iam::${accountId}:root`;
          const userId =
            caller.principal?.kind === 'role-session' ? `${stableId('AROA', caller.principal.roleArn)}:${caller.principal.sessionName}` : accountId;
          return xmlResponse('GetCallerIdentity', `<Arn>${xmlEscape(arn)}</Arn><UserId>${xmlEscape(userId)}</UserId><Account>${(caller.principal && principalAccount(caller.principal)) ?? accountId}</Account>`);
        }
        case 'AssumeRole':
          return assumeRole(iam, input, caller);
        default:
          throw new AwsServiceError('InvalidAction', `The local cloud's STS emulates GetCallerIdentity and AssumeRole, not ${action ?? '(no Action)'}`, 400);
      }
    },
  };
}

function assumeRole(iam: LocalIam, input: URLSearchParams, caller: { principal?: Principal; admin: boolean }): AwsResponse {
  const roleArn = input.get('RoleArn') ?? '';
  const sessionName = input.get('RoleSessionName') ?? '';
  const problems: string[] = [];
  if (!/^arn:aws[\w-]*:iam::\d{12}:role\/.+/.test(roleArn)) problems.push(`Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must be a role ARN`);
  if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) problems.push(`Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}`);
  if (problems.length > 0) throw new AwsServiceError('ValidationError', `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`, 400);

  const duration = Number(input.get('DurationSeconds') ?? 3600);
  const roleAccount = accountOfRole(roleArn);
  if (roleAccount && roleAccount !== iam.options.accountId) return assumeForeignRole(iam, { roleArn, roleAccount, sessionName, duration }, caller);
  const role = iam.registry.role(roleArn);
  let sessionPolicy: CompiledPolicy | undefined;
  const policyText = input.get('Policy');
  if (policyText) {
    try {
      sessionPolicy = compilePolicy(policyText, 'session policy', 'identity');
    } catch (error) {
      throw new AwsServiceError('MalformedPolicyDocument', (error as Error).message, 400);
    }
  }
  if (!caller.admin && caller.principal) {
    const permission = { action: 'sts:AssumeRole', resource: roleArn };
    const callerRole = caller.principal.kind === 'role-session' ? iam.registry.role(caller.principal.roleArn) : undefined;
    const decision = evaluate(
      { principal: caller.principal, action: permission.action, resource: roleArn, resourceAccount: iam.options.accountId },
      { identity: callerRole ? iam.registry.policiesOf(callerRole).identity : [], ...(role ? { resource: role.trust } : {}) },
    );
    if (!role || !decision.allowed) {
      throw new AwsServiceError('AccessDenied', denialMessage(caller.principal, permission, decision, new Set(role ? [role.trust.name] : [])), 403, {}, { 'x-amzn-query-error': 'AccessDenied;Sender' });
    }
  } else if (!role) {
    throw new AwsServiceError('AccessDenied', `User: arn:aws:iam::${iam.options.accountId}:root is not authorized to perform: sts:AssumeRole on resource: ${roleArn} (no such role in the applied stacks)`, 403);
  }
  const session = iam.credentials.issue(role.arn, sessionName, Number.isFinite(duration) ? duration : 3600, sessionPolicy);
  return credentialsResponse(session, `${stableId('AROA', role.arn)}:${sessionName}`);
}

/**
 * A role of another account: the local cloud knows none of that account's
 * policies, so only the developer (the local administrator, standing in for
 * that account's administrator) may assume it, with no trust check. The
 * session is of that account; its identity side allows anything (see
 * `LocalIam.decide`), so this account's resource policies alone decide, which
 * is what a test of a cross-account threat needs.
 */
function assumeForeignRole(
  iam: LocalIam,
  request: { roleArn: string; roleAccount: string; sessionName: string; duration: number },
  caller: { principal?: Principal; admin: boolean },
): AwsResponse {
  if (!caller.admin && caller.principal) {
    const permission = { action: 'sts:AssumeRole', resource: request.roleArn };
    const decision = evaluate({ principal: caller.principal, action: permission.action, resource: request.roleArn }, {});
    throw new AwsServiceError('AccessDenied', `${denialMessage(caller.principal, permission, decision)} (the local cloud knows no trust policy of account ${request.roleAccount})`, 403, {}, { 'x-amzn-query-error': 'AccessDenied;Sender' });
  }
  const session = iam.credentials.issue(request.roleArn, request.sessionName, Number.isFinite(request.duration) ? request.duration : 3600, undefined, request.roleAccount);
  return credentialsResponse(session, `${stableId('AROA', request.roleArn)}:${request.sessionName}`);
}

function credentialsResponse(session: IssuedSession, assumedRoleId: string): AwsResponse {
  return xmlResponse(
    'AssumeRole',
    `<Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(session.secretAccessKey)}</SecretAccessKey><SessionToken>${xmlEscape(session.sessionToken)}</SessionToken><Expiration>${session.expiration}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>${xmlEscape(assumedRoleId)}</AssumedRoleId><Arn>${xmlEscape(principalArn(session.principal))}</Arn></AssumedRoleUser>`,
  );
}

/** Policies spell ARNs in the stack's own region and account: read them as the local ones (`iam/localize.ts`). */
function localizePolicy(policy: unknown, resource: ResolvedResource, local: { region: string; accountId: string }): unknown {
  return localizeStackPolicy(policy, providerOf(resource.stackDir), local);
}

/** `name` or `name_prefix` + a stable suffix, as the role will be called. */
function roleName(resource: ResolvedResource, previous?: Record<string, unknown>): string {
  const name = string(resource.config.name);
  if (name) return name;
  const prior = string(previous?.name);
  if (prior) return prior;
  return `${string(resource.config.name_prefix) ?? 'terraform-'}${stableId('', resource.address).toLowerCase()}`;
}

function iamProvisioners(iam: LocalIam): ResourceProvisioner[] {
  const registry = iam.registry;
  const local = { region: iam.options.region, accountId: iam.options.accountId };
  const remove = async (resource: ResolvedResource) => registry.remove(resource.address);
  return [
    {
      type: 'aws_iam_role',
      async apply(resource, previous) {
        const name = roleName(resource, previous);
        const path = string(resource.config.path) ?? '/';
        const arn = registry.roleArn(name, path);
        const trust = compileResourcePolicy(localizePolicy(resource.config.assume_role_policy, resource, local), resource.address, 'assume_role_policy', 'resource');
        const inline = list(resource.config.inline_policy)
          .map((block, index) => ({ block: block as Record<string, unknown>, index }))
          .filter(({ block }) => block.policy !== undefined && block.policy !== '')
          .map(({ block, index }) => compileResourcePolicy(localizePolicy(block.policy, resource, local), resource.address, `inline_policy[${index}] ${string(block.name) ?? ''}`.trim(), 'identity'));
        const tags = { ...((resource.config.tags_all as Record<string, string>) ?? {}), ...((resource.config.tags as Record<string, string>) ?? {}) };
        registry.putRole(resource.address, {
          name,
          arn,
          trust,
          inline,
          // Policy ARNs in the stack's account (a boundary bootstrap creates in it) are the local account's policies.
          managedPolicyArns: list(resource.config.managed_policy_arns).map((arn) => String(localizePolicy(String(arn), resource, local))),
          ...(string(resource.config.permissions_boundary) ? { permissionsBoundaryArn: String(localizePolicy(String(resource.config.permissions_boundary), resource, local)) } : {}),
          tags,
        });
        return { id: name, name, arn, unique_id: stableId('AROA', arn), create_date: new Date(0).toISOString() };
      },
      destroy: remove,
    },
    {
      type: 'aws_iam_role_policy',
      async apply(resource) {
        const role = string(resource.config.role) ?? '';
        const roleNameOnly = role.startsWith('arn:') ? role.slice(role.lastIndexOf('/') + 1) : role;
        const name = string(resource.config.name) ?? resource.name;
        registry.putRolePolicy(resource.address, roleNameOnly, compileResourcePolicy(localizePolicy(resource.config.policy, resource, local), resource.address, 'policy', 'identity'));
        return { id: `${roleNameOnly}:${name}`, name, role: roleNameOnly };
      },
      destroy: remove,
    },
    {
      type: 'aws_iam_policy',
      async apply(resource, previous) {
        const name = string(resource.config.name) ?? string(previous?.name) ?? `${string(resource.config.name_prefix) ?? 'tf-'}${stableId('', resource.address).toLowerCase()}`;
        const arn = `arn:aws:iam::${iam.options.accountId}:policy${string(resource.config.path) ?? '/'}${name}`;
        registry.putManagedPolicy(resource.address, arn, compileResourcePolicy(localizePolicy(resource.config.policy, resource, local), resource.address, 'policy', 'identity'));
        return { id: arn, arn, name, policy_id: stableId('ANPA', arn) };
      },
      destroy: remove,
    },
    {
      type: 'aws_iam_role_policy_attachment',
      async apply(resource) {
        const role = string(resource.config.role) ?? '';
        const policyArn = String(localizePolicy(string(resource.config.policy_arn) ?? '', resource, local));
        registry.attach(resource.address, role, policyArn);
        return { id: `${role}-${policyArn}` };
      },
      destroy: remove,
    },
  ];
}

/** The local cloud's IAM, shared by the edge and the modules; one is made for modules built without one (tests). */
export function localIamOf(context: LocalCloudContext): LocalIam {
  return context.iam ?? new LocalIam({ accountId: context.accountId, region: context.region, mode: 'off', log: context.log });
}

export function createStsModule(context: LocalCloudContext): LocalServiceModule {
  const iam = localIamOf(context);
  return {
    name: 'sts',
    handlers: [stsHandler(iam, context.accountId)],
    provisioners: iamProvisioners(iam),
    state: [{ stateKey: 'iam', describe: () => iam.describe() }],
    async stop() {},
  };
}
