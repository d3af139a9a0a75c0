/**
 * Secrets a person sets by hand in AWS, which a stack only names: a function's IAM policy lets it
 * read an SSM parameter (`ssm:GetParameter*` on `arn:aws:ssm:…:parameter/<name>`) and decrypt
 * through SSM (`kms:Decrypt` with `kms:ViaService` `ssm.<region>.amazonaws.com`), so the parameter
 * is a SecureString; no stack creates it (Terraform would keep its value in the state), an operator
 * does, once (e.g. analytics-ingest's pseudonymisation key). Locally nobody does: the local cloud
 * generates such a parameter when it does not exist, and keeps it.
 */

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The parameter names one policy document lets its holder read and decrypt as SecureStrings. */
export function secretParametersIn(policy: string): string[] {
  let statements: Statement[];
  try {
    const document = JSON.parse(policy) as { Statement?: Statement | Statement[] };
    statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  } catch {
    return [];
  }
  const allowed = statements.filter((statement) => statement.Effect === 'Allow');
  const decryptsThroughSsm = allowed.some(
    (statement) =>
      list(statement.Action).some((action) => /^kms:(Decrypt|\*)$/i.test(action)) &&
      Object.values(statement.Condition ?? {}).some((operator) => list(operator['kms:ViaService']).some((service) => /^ssm\./.test(service))),
  );
  if (!decryptsThroughSsm) return [];
  return allowed
    .filter((statement) => list(statement.Action).some((action) => /^ssm:GetParameters?$/i.test(action)))
    .flatMap((statement) => list(statement.Resource))
    .flatMap((arn) => {
      const match = /^arn:aws[\w-]*:ssm:[^:]*:[^:]*:parameter(\/.+)$/.exec(arn);
      return match && !match[1]!.includes('*') ? [match[1]!] : [];
    });
}

/**
 * Every such parameter in the IAM policies of applied resources (`aws_iam_role_policy`,
 * `aws_iam_policy`, a role's `inline_policy`).
 *
 * @example
 * secretParametersReadBy(report.resources) // ['/kestrel/staging/analytics-ingest/pseudonymisation-key']
 */
export function secretParametersReadBy(resources: ReadonlyArray<{ type: string; attributes: Record<string, unknown> }>): string[] {
  const policies = resources.flatMap((resource) => {
    if (resource.type === 'aws_iam_role_policy' || resource.type === 'aws_iam_policy') return [resource.attributes.policy];
    if (resource.type === 'aws_iam_role') {
      const inline = resource.attributes.inline_policy;
      return (Array.isArray(inline) ? inline : inline ? [inline] : []).map((block) => (block as { policy?: unknown }).policy);
    }
    return [];
  });
  return [...new Set(policies.filter((policy): policy is string => typeof policy === 'string').flatMap(secretParametersIn))].sort();
}
