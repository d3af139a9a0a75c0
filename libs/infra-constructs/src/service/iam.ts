import { Lazy } from 'cdktn';

/** One statement of an IAM policy document, as AWS reads it. */
export interface PolicyStatement {
  /** What the statement is for (`ReadOrdersTable`); unique in its policy. */
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** A resource-based policy statement (key, queue and lambda policies name a principal). */
export interface ResourcePolicyStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  Principal: { Service: string } | { AWS: string };
  Action: string[];
  Resource: string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The trust policy that lets one AWS service assume a role. */
export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/**
 * A policy that grows while the stack is being built (triggers add what they
 * need to the function that serves them) and renders once, at synth, as the
 * literal JSON the guards read. Statement ids must be unique: two constructs
 * asking for the same grant under one id is a bug worth failing on.
 *
 * @example
 * ```ts
 * const policy = new PolicyBuilder();
 * policy.add({ Sid: 'ReadOrders', Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [table.arn] });
 * new IamRolePolicy(this, 'policy', { role: role.id, policy: policy.render() });
 * ```
 */
export class PolicyBuilder {
  private readonly statements: PolicyStatement[] = [];

  add(statement: PolicyStatement): void {
    if (this.statements.some((existing) => existing.Sid === statement.Sid)) {
      throw new Error(`Policy statement "${statement.Sid}" is added twice`);
    }
    this.statements.push(statement);
  }

  /** The statements so far, in the order they were added. */
  get all(): readonly PolicyStatement[] {
    return this.statements;
  }

  /** The document as a JSON token resolved at synth, after every construct has added its part. */
  render(): string {
    return Lazy.stringValue({ produce: () => JSON.stringify(this.document()) });
  }

  document(): PolicyDocument {
    return { Version: '2012-10-17', Statement: this.statements };
  }
}

/** `Read`/`Write` + the table name in PascalCase: statement ids allow only [A-Za-z0-9]. */
export function sid(...parts: string[]): string {
  return parts
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
