/**
 * Resource-based policies of functions (`aws_lambda_permission`). The local
 * cloud records them and answers `isInvokeAllowed` for the emulations that
 * invoke functions on a service's behalf (EventBridge rules, API Gateway,
 * Cognito triggers), so a missing permission fails locally as it would in
 * AWS. Direct `Invoke` calls through the edge are judged by the caller's
 * identity policies at the edge (`src/iam`), not by these statements.
 */
import type { PermissionStatement } from './function-config';
import { parseFunctionReference } from './function-registry';

/** IAM `ArnLike`: `*` matches any run of characters, `?` one character. */
function arnLike(pattern: string, value: string): boolean {
  const expression = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${expression}$`).test(value);
}

export class PermissionStore {
  /** By resource address, so re-applying or destroying one statement touches only it. */
  private readonly statements = new Map<string, PermissionStatement>();

  put(address: string, statement: PermissionStatement): void {
    this.statements.set(address, statement);
  }

  remove(address: string): void {
    this.statements.delete(address);
  }

  /** The statements of one function. */
  forFunction(functionName: string): PermissionStatement[] {
    return [...this.statements.values()].filter((statement) => parseFunctionReference(statement.functionName)?.name === functionName);
  }

  /**
   * Whether a service principal may invoke a function, per its recorded
   * permissions: the action must be `lambda:InvokeFunction` (or a wildcard),
   * the principal equal (or `*`), and a statement's `source_arn`, when set,
   * must match `sourceArn` as IAM's `ArnLike` does.
   *
   * @example
   * store.isInvokeAllowed('arn:aws:lambda:us-east-1:000000000000:function:orders', 'events.amazonaws.com', 'arn:aws:events:us-east-1:000000000000:rule/platform/orders')
   */
  isInvokeAllowed(functionArnOrName: string, principal: string, sourceArn?: string): boolean {
    const reference = parseFunctionReference(functionArnOrName);
    if (!reference) return false;
    return this.forFunction(reference.name).some((statement) => {
      if (!['lambda:InvokeFunction', 'lambda:*', 'lambda:Invoke*'].includes(statement.action)) return false;
      if (statement.principal !== principal && statement.principal !== '*') return false;
      if (statement.qualifier && reference.qualifier && statement.qualifier !== reference.qualifier) return false;
      if (statement.sourceArn && !(sourceArn && arnLike(statement.sourceArn, sourceArn))) return false;
      return true;
    });
  }

  /** The function's policy document as `GetPolicy` returns it. */
  policyDocument(functionName: string, functionArn: string): { Version: string; Id: string; Statement: unknown[] } {
    return {
      Version: '2012-10-17',
      Id: 'default',
      Statement: this.forFunction(functionName).map((statement) => ({
        Sid: statement.statementId,
        Effect: 'Allow',
        Principal: statement.principal.includes('.') ? { Service: statement.principal } : { AWS: statement.principal },
        Action: statement.action,
        Resource: statement.qualifier ? `${functionArn}:${statement.qualifier}` : functionArn,
        ...(statement.sourceArn || statement.sourceAccount
          ? {
              Condition: {
                ...(statement.sourceArn ? { ArnLike: { 'AWS:SourceArn': statement.sourceArn } } : {}),
                ...(statement.sourceAccount ? { StringEquals: { 'AWS:SourceAccount': statement.sourceAccount } } : {}),
              },
            }
          : {}),
      })),
    };
  }
}
