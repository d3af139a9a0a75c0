/**
 * IAM at the edge: every call is made as a principal and judged by the
 * applied stacks' policies. Credentials the local cloud issued (STS, Lambda
 * execution roles) are verified (SigV4 with the session's secret, the session
 * token) and evaluated with @kestrel/iam; any other credentials are the
 * developer's and act as the local administrator (a documented convenience).
 *
 * `LOCAL_CLOUD_IAM=enforce` (default) refuses; `warn` only logs and records;
 * `off` does neither. Every refusal (or would-be refusal) is recorded with the
 * smallest statement that would allow it: `/_local/state` → `iam.denials`, and
 * `<dataDir>/logs/iam-denials.log` (one JSON line each).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { dirname } from 'node:path';
import { compilePolicy, evaluate, principalArn, smallestAllowingStatement } from '@kestrel/iam';
import type { ContextValue, Decision, Principal, RequestContext } from '@kestrel/iam';
import type { AwsProtocol } from '../core/protocol';
import { AwsServiceError } from '../core/types';
import type { AwsRequest } from '../core/types';
import { CredentialStore } from './credentials';
import type { IssuedSession } from './credentials';
import { localizeStackPolicy, providerOf } from './localize';
import type { StackProvider } from './localize';
import { IamRegistry } from './registry';
import { requiredPermissions } from './request-actions';
import type { RequiredPermission } from './request-actions';
import { signingKeyId, verifySignature } from './sigv4';

export type IamMode = 'enforce' | 'warn' | 'off';

/** `LOCAL_CLOUD_IAM`: enforce (default), warn or off; anything else is refused so a typo never silently disables enforcement. */
export function iamModeFrom(value: string | undefined): IamMode {
  const mode = (value ?? 'enforce').trim().toLowerCase() || 'enforce';
  if (mode === 'enforce' || mode === 'warn' || mode === 'off') return mode;
  throw new Error(`LOCAL_CLOUD_IAM must be enforce, warn or off (got '${value}')`);
}

export interface DenialRecord {
  time: string;
  mode: IamMode;
  principal: string;
  action: string;
  resource: string;
  outcome: Decision['outcome'];
  reason: string;
  decidingStatements: Decision['decidingStatements'];
  /** What to add to the role's policy (or, for service principals, to the resource policy); absent for an explicit deny. */
  smallestAllowingStatement?: Record<string, unknown>;
  service: string;
  operation?: string;
}

/** What the edge knows about a request beyond the attributed `AwsRequest`. */
export interface EdgeRequest {
  request: AwsRequest;
  /** The request target as it came over the wire (for signature checks). */
  rawUrl: string;
  protocol: AwsProtocol;
  sourceIp?: string;
}

export interface LocalIamOptions {
  accountId: string;
  region: string;
  mode: IamMode;
  /** JSON lines of denials; none when undefined. */
  denialLog?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const KEPT_DENIALS = 500;

/** A service's resource policy for a resource ARN: its text (as applied) and a name for messages. */
export type ResourcePolicyFinder = (resourceArn: string) => { name: string; text: string } | undefined;

/** What a caller of another account may do by its own policies: unknown locally, so anything (its administrator). */
const FOREIGN_ACCOUNT_IDENTITY = compilePolicy(
  { Version: '2012-10-17', Statement: [{ Sid: 'ForeignAccountAdministrator', Effect: 'Allow', Action: '*', Resource: '*' }] },
  'identity policies of the other account (unknown locally: taken as its administrator)',
  'identity',
);

const SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const TOKEN_MESSAGE = 'The security token included in the request is invalid.';

function isJsonRpc(protocol: AwsProtocol): boolean {
  return protocol === 'awsJson1_0' || protocol === 'awsJson1_1';
}

/** AWS's codes differ per protocol: JSON-RPC services answer 400 with `…Exception`, the others 403. */
function signatureError(protocol: AwsProtocol): AwsServiceError {
  if (isJsonRpc(protocol)) return new AwsServiceError('InvalidSignatureException', SIGNATURE_MESSAGE, 400);
  if (protocol === 'restJson1') return new AwsServiceError('InvalidSignatureException', SIGNATURE_MESSAGE, 403);
  return new AwsServiceError('SignatureDoesNotMatch', SIGNATURE_MESSAGE, 403, {}, { 'x-amzn-query-error': 'SignatureDoesNotMatch;Sender' });
}

function tokenError(protocol: AwsProtocol): AwsServiceError {
  if (isJsonRpc(protocol)) return new AwsServiceError('UnrecognizedClientException', TOKEN_MESSAGE, 400);
  if (protocol === 'restJson1') return new AwsServiceError('UnrecognizedClientException', TOKEN_MESSAGE, 403);
  if (protocol === 'restXml') return new AwsServiceError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403);
  return new AwsServiceError('InvalidClientTokenId', TOKEN_MESSAGE, 403, {}, { 'x-amzn-query-error': 'InvalidClientTokenId;Sender' });
}

/** AWS's sentence: "User: <arn> is not authorized to perform: <action> on resource: <arn> because …". */
export function denialMessage(principal: Principal, permission: RequiredPermission, decision: Decision, resourcePolicies: ReadonlySet<string> = new Set()): string {
  const because = (() => {
    if (decision.outcome === 'ExplicitDeny') {
      const where = decision.decidingStatements.some((statement) => resourcePolicies.has(statement.policy)) ? 'a resource-based policy' : 'an identity-based policy';
      return `with an explicit deny in ${where}`;
    }
    if (decision.reason.startsWith('the permissions boundary')) return `because no permissions boundary allows the ${permission.action} action`;
    if (decision.reason.startsWith('the session policy')) return `because no session policy allows the ${permission.action} action`;
    if (decision.reason.startsWith('no identity-based policy')) return `because no identity-based policy allows the ${permission.action} action`;
    return `because no resource-based policy allows the ${permission.action} action`;
  })();
  return `User: ${principalArn(principal)} is not authorized to perform: ${permission.action} on resource: ${permission.resource} ${because}`;
}

function accessDenied(protocol: AwsProtocol, message: string): AwsServiceError {
  if (isJsonRpc(protocol)) return new AwsServiceError('AccessDeniedException', message, 400, {}, { 'x-amzn-query-error': 'AccessDenied;Sender' });
  if (protocol === 'restJson1') return new AwsServiceError('AccessDeniedException', message, 403);
  return new AwsServiceError('AccessDenied', message, 403, {}, { 'x-amzn-query-error': 'AccessDenied;Sender' });
}

/**
 * `aws:SecureTransport` at a plain-HTTP edge. The edge stands in for AWS's HTTPS endpoints (every SDK call there is
 * TLS), so a call from this machine (loopback, or one of its own addresses: nothing crossed a network) counts as
 * secure, and the stacks' TLS-only denies (`Bool aws:SecureTransport false`) decide nothing locally, as in AWS. A call
 * from another machine (a device on the LAN through `LOCAL_CLOUD_HOST`) did cross a network in clear text: not secure,
 * so those denies refuse it. In-process calls (services acting as roles) are secure.
 */
export function secureTransport(sourceIp: string | undefined): 'true' | 'false' {
  if (sourceIp === undefined) return 'true';
  const address = sourceIp.replace(/^::ffff:/, '');
  if (address === '::1' || address.startsWith('127.')) return 'true';
  const own = Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
  return own.includes(address) ? 'true' : 'false';
}

function header(request: AwsRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class LocalIam {
  readonly credentials: CredentialStore;
  readonly registry: IamRegistry;
  private readonly denials: DenialRecord[] = [];
  private deniedCount = 0;
  private readonly log: NonNullable<LocalIamOptions['log']>;

  constructor(readonly options: LocalIamOptions) {
    this.credentials = new CredentialStore(options.accountId);
    this.registry = new IamRegistry(options.accountId);
    this.log = options.log ?? (() => undefined);
    if (options.denialLog) mkdirSync(dirname(options.denialLog), { recursive: true });
  }

  get mode(): IamMode {
    return this.options.mode;
  }

  /** Credentials for a Lambda execution environment (or any in-process caller) acting as the role. */
  sessionForRole(roleArn: string, sessionName: string): IssuedSession {
    return this.credentials.issue(roleArn, sessionName.slice(0, 64));
  }

  /**
   * Identifies the caller and decides. Resolves when the call may proceed;
   * throws the protocol's AWS error otherwise (in `enforce` mode).
   */
  async authorize(edge: EdgeRequest): Promise<void> {
    if (this.mode === 'off') return;
    const { request } = edge;
    const keyId = signingKeyId({ headers: request.headers, rawUrl: edge.rawUrl });
    // Unsigned calls and the developer's own credentials: the local administrator.
    if (!keyId || !CredentialStore.isIssuedKey(keyId)) return;

    const session = this.credentials.lookup(keyId);
    if (!session) return this.refuse(tokenError(edge.protocol), { keyId, problem: 'unknown session (issued by an earlier run?)' });
    const verified = verifySignature({ method: request.method, rawUrl: edge.rawUrl, headers: request.headers, body: request.body, service: request.service }, session.secretAccessKey);
    if (!verified.ok) return this.refuse(signatureError(edge.protocol), { keyId, principal: principalArn(session.principal), problem: `signature ${verified.reason}` });
    const token = header(request, 'x-amz-security-token') ?? request.query.get('X-Amz-Security-Token') ?? undefined;
    if (token !== session.sessionToken) return this.refuse(tokenError(edge.protocol), { keyId, principal: principalArn(session.principal), problem: 'wrong or missing session token' });

    const needed = requiredPermissions(request);
    if (needed.kind === 'public') return;
    for (const permission of needed.permissions) {
      const { decision, context, resourcePolicy } = this.decide(session, permission, request, edge.sourceIp);
      if (decision.allowed) continue;
      const message = denialMessage(session.principal, permission, decision, new Set(resourcePolicy ? [resourcePolicy] : []));
      this.record(context, decision, request);
      if (this.mode === 'enforce') throw accessDenied(edge.protocol, message);
      this.log('iam: would deny (LOCAL_CLOUD_IAM=warn)', { message });
    }
  }

  private readonly resourcePolicyFinders = new Map<string, ResourcePolicyFinder>();

  /**
   * Lets the edge consult a service's resource policies (EventBridge bus policies, SQS queue policies, S3 bucket
   * policies, Lambda function policies), for callers of this account (a resource policy may allow alone, and its
   * `Deny` wins) and of other accounts (it must allow too).
   *
   * @example
   * iam.registerResourcePolicies('events', (arn) => { const bus = find(arn); return bus?.policy ? { name: `bus ${bus.name} (policy)`, text: bus.policy } : undefined; });
   */
  registerResourcePolicies(service: string, find: ResourcePolicyFinder): void {
    this.resourcePolicyFinders.set(service, find);
  }

  /** The resource's policy, compiled, when its service registered a finder and the resource has one. */
  private resourcePolicyOf(permission: RequiredPermission): ReturnType<typeof compilePolicy> | undefined {
    const found = this.resourcePolicyFinders.get(permission.action.split(':')[0] as string)?.(permission.resource);
    return found ? this.compiledResourcePolicy(found.text, found.name) : undefined;
  }

  /** One permission of a session, decided against its role's policies and the resource's policy. */
  decide(
    session: IssuedSession,
    permission: RequiredPermission,
    request: Pick<AwsRequest, 'region'>,
    sourceIp?: string,
  ): { decision: Decision; context: RequestContext; resourcePolicy?: string } {
    if (session.principal.accountId !== this.options.accountId) return this.decideForeign(session, permission, request, sourceIp);
    const now = new Date();
    const role = this.registry.role(session.principal.roleArn);
    const keys: Record<string, ContextValue> = {
      'aws:CurrentTime': now.toISOString(),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:SecureTransport': secureTransport(sourceIp),
      'aws:RequestedRegion': request.region,
      ...(sourceIp ? { 'aws:SourceIp': sourceIp } : {}),
      ...Object.fromEntries(Object.entries(role?.tags ?? {}).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
      ...Object.fromEntries(Object.entries(this.resourceTags.get(permission.resource) ?? {}).map(([key, value]) => [`aws:ResourceTag/${key}`, value])),
      ...permission.keys,
    };
    const context: RequestContext = { principal: session.principal, action: permission.action, resource: permission.resource, keys };
    const resource = this.resourcePolicyOf(permission);
    // An unknown role (destroyed, or never applied) has no policies: denied, never allowed (a resource policy naming it aside).
    const decision = evaluate(context, {
      ...(role ? this.registry.policiesOf(role) : {}),
      ...(session.sessionPolicy ? { session: [session.sessionPolicy] } : {}),
      ...(resource ? { resource } : {}),
    });
    return { decision, context, ...(resource ? { resourcePolicy: resource.name } : {}) };
  }

  /**
   * A session of another account (AssumeRole of a role ARN naming it): its own
   * policies are unknown here and stand as allowing anything (that account's
   * administrator), so, as AWS requires across accounts, the resource's policy
   * must allow too and any of its denies wins. A resource without a policy
   * (or of a service whose policies the edge does not consult) is denied.
   */
  private decideForeign(session: IssuedSession, permission: RequiredPermission, request: Pick<AwsRequest, 'region'>, sourceIp?: string): { decision: Decision; context: RequestContext; resourcePolicy?: string } {
    const keys: Record<string, ContextValue> = {
      'aws:SecureTransport': secureTransport(sourceIp),
      'aws:RequestedRegion': request.region,
      ...(sourceIp ? { 'aws:SourceIp': sourceIp } : {}),
      ...permission.keys,
    };
    const context: RequestContext = { principal: session.principal, action: permission.action, resource: permission.resource, resourceAccount: this.options.accountId, keys };
    const resource = this.resourcePolicyOf(permission);
    return { decision: evaluate(context, { identity: [FOREIGN_ACCOUNT_IDENTITY], ...(resource ? { resource } : {}) }), context, ...(resource ? { resourcePolicy: resource.name } : {}) };
  }

  private refuse(error: AwsServiceError, fields: Record<string, unknown>): void {
    this.log(`iam: refused ${error.code}${this.mode === 'warn' ? ' (LOCAL_CLOUD_IAM=warn: let through)' : ''}`, fields);
    if (this.mode === 'enforce') throw error;
  }

  private record(context: RequestContext, decision: Decision, request: Pick<AwsRequest, 'service' | 'operation'>): void {
    const statement = smallestAllowingStatement(context, decision);
    const record: DenialRecord = {
      time: new Date().toISOString(),
      mode: this.mode,
      principal: principalArn(context.principal),
      action: context.action,
      resource: context.resource,
      outcome: decision.outcome,
      reason: decision.reason,
      decidingStatements: decision.decidingStatements,
      ...(statement ? { smallestAllowingStatement: statement } : {}),
      service: request.service,
      ...(request.operation ? { operation: request.operation } : {}),
    };
    this.deniedCount += 1;
    this.denials.push(record);
    if (this.denials.length > KEPT_DENIALS) this.denials.shift();
    if (this.options.denialLog) appendFileSync(this.options.denialLog, `${JSON.stringify(record)}\n`);
    this.log(`iam: denied ${record.action} on ${record.resource} to ${record.principal}: ${record.reason}`, statement ? { wouldAllow: statement } : {});
  }

  /**
   * Whether an AWS service principal may act on a resource for one source (EventBridge sending a rule's event to a
   * queue): judged by the resource's policy alone, as AWS does. Records a denial like the edge; `warn` and `off` allow.
   *
   * @example
   * iam.serviceMayCall({ service: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queueArn,
   *   resourcePolicy: queue.attributes.Policy, policyName: 'queue orders (Policy)', sourceArn: ruleArn });
   */
  serviceMayCall(call: { service: string; action: string; resource: string; resourcePolicy?: string; policyName: string; sourceArn?: string }): boolean {
    if (this.mode === 'off') return true;
    const principal: Principal = { kind: 'service', service: call.service };
    const keys: Record<string, ContextValue> = {
      // AWS services call each other over TLS.
      'aws:SecureTransport': 'true',
      'aws:SourceAccount': this.options.accountId,
      ...(call.sourceArn ? { 'aws:SourceArn': call.sourceArn } : {}),
    };
    const context: RequestContext = { principal, action: call.action, resource: call.resource, keys };
    const policy = call.resourcePolicy ? this.compiledResourcePolicy(call.resourcePolicy, call.policyName) : undefined;
    const decision = evaluate(context, policy ? { resource: policy } : {});
    if (decision.allowed) return true;
    this.record(context, decision, { service: call.action.split(':')[0] as string });
    return this.mode === 'warn';
  }

  /**
   * Whether an AWS service acting as a configured role (a pipe's, a delivery stream's, a function's execution role
   * polling its queue) may make one call: judged by the role's identity policies as AWS does, with a session of the
   * service's own name. Records a denial like the edge. Answers the AWS refusal message when refused (`warn`: recorded,
   * answered as allowed; `off`: allowed).
   *
   * @example
   * iam.roleMayCall({ roleArn: pipe.roleArn, sessionName: 'pipes', service: 'pipes', permission: { action: 'dynamodb:GetRecords', resource: streamArn } })
   */
  roleMayCall(call: { roleArn: string | undefined; sessionName: string; service: string; permission: RequiredPermission }): { allowed: true } | { allowed: false; message: string } {
    if (this.mode === 'off') return { allowed: true };
    const principal: Extract<Principal, { kind: 'role-session' }> = { kind: 'role-session', accountId: this.options.accountId, roleArn: call.roleArn ?? `arn:aws:iam::${this.options.accountId}:role/(no role configured)`, sessionName: call.sessionName };
    const session = { principal } as IssuedSession;
    const { decision, context, resourcePolicy } = this.decide(session, call.permission, { region: this.options.region });
    if (decision.allowed) return { allowed: true };
    this.record(context, decision, { service: call.service });
    if (this.mode === 'warn') return { allowed: true };
    return { allowed: false, message: denialMessage(principal, call.permission, decision, new Set(resourcePolicy ? [resourcePolicy] : [])) };
  }

  /** `roleMayCall` as the refusal message, or undefined when the call may proceed (for emulations that fail with it). */
  refusalAsRole(call: Parameters<LocalIam['roleMayCall']>[0]): string | undefined {
    const decision = this.roleMayCall(call);
    return decision.allowed ? undefined : decision.message;
  }

  private readonly resourcePolicies = new Map<string, ReturnType<typeof compilePolicy> | undefined>();
  private readonly stackProviders = new Map<string, StackProvider>();

  /**
   * Notes a stack about to be applied: the account ids and region its provider names are read as the local ones in
   * the resource policies it creates (bus, queue, bucket policies), as in its IAM policies (`localize.ts`).
   */
  noteStack(stackDir: string): void {
    if (this.stackProviders.has(stackDir)) return;
    this.stackProviders.set(stackDir, providerOf(stackDir));
    this.resourcePolicies.clear();
  }

  private readonly resourceTags = new Map<string, Record<string, string>>();

  /**
   * Notes the resources a stack's apply made: each one's tags (the provider's `default_tags` and its own literal
   * `tags`) by its ARN, so `aws:ResourceTag/<key>` is known when a call names it (a boundary admitting the user pool
   * by its `service` tag).
   */
  noteAppliedResources(stackDir: string, resources: ReadonlyArray<{ address: string; attributes: Record<string, unknown> }>): void {
    const tags = providerOf(stackDir).tagsByAddress ?? {};
    for (const resource of resources) {
      const arn = resource.attributes.arn;
      const own = tags[resource.address];
      if (typeof arn === 'string' && own && Object.keys(own).length > 0) this.resourceTags.set(arn, own);
    }
  }

  /** Resource policies arrive as attribute text; compiled once per distinct text. A malformed one grants nothing. */
  private compiledResourcePolicy(text: string, name: string): ReturnType<typeof compilePolicy> | undefined {
    const key = `${name}\u0000${text}`;
    if (!this.resourcePolicies.has(key)) {
      const local = { region: this.options.region, accountId: this.options.accountId };
      const localized = [...this.stackProviders.values()].reduce((policy, provider) => localizeStackPolicy(policy, provider, local) as string, text);
      try {
        this.resourcePolicies.set(key, compilePolicy(localized, name, 'resource'));
      } catch (error) {
        this.log('iam: a resource policy is malformed and grants nothing', { policy: name, error: (error as Error).message });
        this.resourcePolicies.set(key, undefined);
      }
    }
    return this.resourcePolicies.get(key);
  }

  /** The kept denials (the last 500), oldest first. */
  denialRecords(): DenialRecord[] {
    return [...this.denials];
  }

  /** The `iam` part of `/_local/state`. */
  describe(): Record<string, unknown> {
    return {
      mode: this.mode,
      roles: this.registry.allRoles().map((role) => {
        const policies = this.registry.policiesOf(role);
        return {
          name: role.name,
          arn: role.arn,
          policies: policies.identity.map((policy) => policy.name),
          ...(policies.unknownManagedPolicies.length > 0 ? { unknownManagedPolicies: policies.unknownManagedPolicies } : {}),
          ...(role.permissionsBoundaryArn ? { permissionsBoundary: role.permissionsBoundaryArn } : {}),
          // A boundary no applied policy has (the service boundaries only bootstrap creates): not evaluated locally.
          ...(policies.unknownBoundary ? { unknownBoundary: policies.unknownBoundary } : {}),
        };
      }),
      sessions: this.credentials.size,
      deniedCount: this.deniedCount,
      denials: this.denials,
      denialLog: this.options.denialLog,
    };
  }
}
