import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackTarget } from './stack-target';

/** What the preflight found wrong, each line naming the variable, bucket or role. */
export class PreflightError extends Error {
  constructor(readonly problems: string[]) {
    super(`Preflight failed:\n  ${problems.join('\n  ')}`);
    this.name = 'PreflightError';
  }
}

/** Answers whether a bucket exists and is reachable with the current credentials. */
export type BucketProbe = (bucket: string, region: string) => Promise<{ ok: true } | { ok: false; reason: string }>;

const BOOTSTRAP_HINT = 'apply infra/bootstrap to this account first (docs/delivery.md#bootstrapping-an-aws-account)';

/**
 * Checks, before `terraform init`, what would otherwise fail later with a
 * vaguer message: the synthesized stack exists; its S3 backend names the
 * bucket and key the conventions expect, with `use_lockfile`; the bucket
 * exists and the assumed role can reach it. Every problem names the value
 * and how to fix it.
 *
 * @example
 * ```ts
 * await preflight(target, workspaceRoot, s3BucketProbe());
 * ```
 */
export async function preflight(target: StackTarget, workspaceRoot: string, probe: BucketProbe): Promise<void> {
  const file = join(workspaceRoot, target.stackDir, 'cdk.tf.json');
  if (!existsSync(file)) {
    throw new PreflightError([`${target.stackDir}/cdk.tf.json is missing: run npx nx run ${target.project}:synth`]);
  }
  const json = JSON.parse(readFileSync(file, 'utf8')) as { terraform?: { backend?: { s3?: Record<string, unknown> } } };
  const backend = json.terraform?.backend?.s3;
  if (backend === undefined) {
    throw new PreflightError([`${target.stackDir}: terraform.backend.s3 is missing (every stack extends KestrelStack, which sets it)`]);
  }
  const problems: string[] = [];
  const expect = (variable: string, actual: unknown, wanted: unknown) => {
    if (actual === undefined || actual === '') problems.push(`backend variable "${variable}" is not set (expected ${JSON.stringify(wanted)})`);
    else if (actual !== wanted) problems.push(`backend variable "${variable}" is ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  expect('bucket', backend.bucket, target.stateBucket);
  expect('key', backend.key, target.stateKey);
  expect('region', backend.region, target.region);
  expect('use_lockfile', backend.use_lockfile, true);
  expect('encrypt', backend.encrypt, true);
  if (problems.length > 0) throw new PreflightError(problems);

  const reached = await probe(target.stateBucket, target.region);
  if (!reached.ok) {
    throw new PreflightError([
      `state bucket "${target.stateBucket}" is not reachable with role ${target.roleArn} (${reached.reason}): ${BOOTSTRAP_HINT}`,
    ]);
  }
}

/** A {@link BucketProbe} using S3 HeadBucket with the ambient credentials. */
export function s3BucketProbe(endpoint?: string): BucketProbe {
  return async (bucket, region) => {
    const { S3Client, HeadBucketCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return { ok: true };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const name = (error as Error).name;
      return { ok: false, reason: status === 404 ? 'it does not exist' : status === 403 ? 'access denied' : `${name}${status ? ` ${status}` : ''}` };
    } finally {
      client.destroy();
    }
  };
}

/** The hint printed when configure-aws-credentials cannot assume the role. */
export function missingRoleMessage(target: StackTarget): string {
  return `Could not assume role ${target.roleArn} for ${target.project} in ${target.env}: ${BOOTSTRAP_HINT}; it creates kestrel-${target.env}-${target.project}-{plan,deploy} for every service with a manifest.`;
}
