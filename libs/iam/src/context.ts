import { parseArn } from './arn';

/**
 * Who makes a request. Role sessions are what Lambda functions, Pipes and
 * EventBridge targets with a role act as; service principals are AWS services
 * acting for a resource (EventBridge delivering to a queue).
 */
export type Principal =
  | { kind: 'role-session'; accountId: string; roleArn: string; sessionName: string }
  | { kind: 'user'; accountId: string; userArn: string }
  | { kind: 'service'; service: string };

/** A context key's value: one string or a set of strings (`aws:TagKeys`). */
export type ContextValue = string | readonly string[];

/** What a decision is about: the principal, the action as IAM spells it, the resource ARN and the condition keys. */
export interface RequestContext {
  principal: Principal;
  /** `sqs:SendMessage` */
  action: string;
  /** The resource's ARN, or `*` for actions without resource-level permissions. */
  resource: string;
  /** Account that owns the resource; read from the ARN when it has one (S3 bucket ARNs do not). */
  resourceAccount?: string;
  /** Condition keys of the request (`aws:SourceArn`, `events:source`…); names are case-insensitive. */
  keys?: Record<string, ContextValue | undefined>;
}

/** `arn:aws:sts::<account>:assumed-role/<role name>/<session>` for a role session. */
export function principalArn(principal: Principal): string {
  switch (principal.kind) {
    case 'role-session': {
      const roleName = principal.roleArn.slice(principal.roleArn.lastIndexOf('/') + 1);
      return `arn:aws:sts::${principal.accountId}:assumed-role/${roleName}/${principal.sessionName}`;
    }
    case 'user':
      return principal.userArn;
    case 'service':
      return principal.service;
  }
}

export function principalAccount(principal: Principal): string | undefined {
  return principal.kind === 'service' ? undefined : principal.accountId;
}

/**
 * Condition keys lower-cased, with the keys AWS derives from the principal
 * (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:userid`,
 * `aws:username`, `aws:PrincipalServiceName`) filled in unless the caller set them.
 */
export function contextKeys(request: RequestContext): Map<string, ContextValue> {
  const keys = new Map<string, ContextValue>();
  const principal = request.principal;
  if (principal.kind === 'role-session') {
    keys.set('aws:principalarn', principal.roleArn);
    keys.set('aws:principalaccount', principal.accountId);
    keys.set('aws:principaltype', 'AssumedRole');
    keys.set('aws:userid', `${roleName(principal.roleArn)}:${principal.sessionName}`);
  } else if (principal.kind === 'user') {
    keys.set('aws:principalarn', principal.userArn);
    keys.set('aws:principalaccount', principal.accountId);
    keys.set('aws:principaltype', 'User');
    keys.set('aws:username', principal.userArn.slice(principal.userArn.lastIndexOf('/') + 1));
    keys.set('aws:userid', principal.userArn);
  } else {
    keys.set('aws:principalservicename', principal.service);
  }
  for (const [name, value] of Object.entries(request.keys ?? {})) {
    if (value !== undefined) keys.set(name.toLowerCase(), value);
  }
  return keys;
}

function roleName(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** The account that owns the resource: explicit, else the ARN's account, else the caller's (same-account rules). */
export function resourceAccountOf(request: RequestContext): string | undefined {
  if (request.resourceAccount) return request.resourceAccount;
  const account = parseArn(request.resource)?.accountId;
  return account ? account : principalAccount(request.principal);
}
