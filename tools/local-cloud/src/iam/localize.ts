/**
 * Policies spell ARNs and account ids in the stack's own region and account
 * (`arn:aws:ssm:eu-west-1:111111111111:parameter/…`, `"aws:PrincipalAccount": "111111111111"`), while every resource
 * lives in the local cloud's account. Such ARNs and ids are read as the local ones, so a grant (or a deny) means
 * locally what it means in AWS. Only the stack's `allowed_account_ids` (with its provider region) are translated;
 * any other account stays as written (a caller of another account is still another account).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StackProvider {
  region?: string;
  /** The provider's `allowed_account_ids`. */
  accounts: string[];
  /** Each resource's tags (`<type>.<name>` → the provider's `default_tags` with the resource's own literal `tags` over them). */
  tagsByAddress?: Record<string, Record<string, string>>;
}

const literal = (tags: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(tags && typeof tags === 'object' ? tags : {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !entry[1].includes('${')));

const providers = new Map<string, StackProvider>();

/** The AWS provider's region and `allowed_account_ids` of a synthesized stack (read once per stack folder). */
export function providerOf(stackDir: string): StackProvider {
  let provider = providers.get(stackDir);
  if (!provider) {
    provider = { accounts: [] };
    try {
      const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { provider?: { aws?: unknown }; resource?: Record<string, Record<string, { tags?: unknown }>> };
      const aws = (Array.isArray(json.provider?.aws) ? json.provider?.aws[0] : json.provider?.aws) as { region?: unknown; allowed_account_ids?: unknown; default_tags?: unknown } | undefined;
      const defaultTags = literal((Array.isArray(aws?.default_tags) ? aws.default_tags[0] : aws?.default_tags)?.tags);
      const tagsByAddress = Object.fromEntries(
        Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.entries(byName).map(([name, config]) => [`${type}.${name}`, { ...defaultTags, ...literal(config.tags) }])),
      );
      provider = {
        ...(typeof aws?.region === 'string' ? { region: aws.region } : {}),
        accounts: Array.isArray(aws?.allowed_account_ids) ? aws.allowed_account_ids.map(String) : [],
        tagsByAddress,
      };
    } catch {
      // A stack folder without cdk.tf.json (a resource applied by hand): nothing to translate.
    }
    providers.set(stackDir, provider);
  }
  return provider;
}

/**
 * A policy's text with the stack's ARNs and account ids read as the local ones; anything but a string is returned as is.
 *
 * @example
 * localizeStackPolicy('{"Resource":"arn:aws:sqs:eu-west-1:111111111111:q"}', { region: 'eu-west-1', accounts: ['111111111111'] }, { region: 'eu-west-1', accountId: '000000000000' })
 * // → '{"Resource":"arn:aws:sqs:eu-west-1:000000000000:q"}'
 */
export function localizeStackPolicy(policy: unknown, provider: StackProvider, local: { region: string; accountId: string }): unknown {
  if (typeof policy !== 'string') return policy;
  let text = policy;
  for (const account of provider.accounts) {
    if (provider.region) text = text.replaceAll(`:${provider.region}:${account}:`, `:${local.region}:${local.accountId}:`);
    text = text
      .replaceAll(`:iam::${account}:`, `:iam::${local.accountId}:`)
      .replaceAll(`:sts::${account}:`, `:sts::${local.accountId}:`)
      // A bare account id as a JSON string (`aws:PrincipalAccount`, `aws:SourceAccount`, a Principal).
      .replaceAll(`"${account}"`, `"${local.accountId}"`);
  }
  return text;
}
