import { compilePolicy } from '../../src';
import type { CompiledPolicy, Principal } from '../../src';

export const ACCOUNT = '111111111111';
export const OTHER_ACCOUNT = '222222222222';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/orders-handler`;
export const QUEUE_ARN = `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`;
export const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`;

export const roleSession = (roleArn = ROLE_ARN, accountId = ACCOUNT, sessionName = 'orders-handler'): Principal => ({
  kind: 'role-session',
  accountId,
  roleArn,
  sessionName,
});

export const eventsService: Principal = { kind: 'service', service: 'events.amazonaws.com' };

let counter = 0;
/** An identity or resource policy from statements (Version 2012-10-17). */
export function policy(statements: object | object[], kind: 'identity' | 'resource' | 'any' = 'any', name = `policy-${++counter}`): CompiledPolicy {
  return compilePolicy({ Version: '2012-10-17', Statement: statements }, name, kind);
}

export const allow = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
export const deny = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({ Effect: 'Deny', Action: action, Resource: resource, ...extra });
