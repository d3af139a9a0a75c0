import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Construct } from 'constructs';
import { createKestrelApp, TERRAFORM_TARGET_VERSIONS } from '../../src/app';
import { environment } from '../../src/environments';
import { KestrelStack } from '../../src/kestrel-stack';

const outdirs: string[] = [];
function freshOutdir() {
  const outdir = mkdtempSync(join(tmpdir(), 'kestrel-app-test-'));
  outdirs.push(outdir);
  return outdir;
}
afterEach(() => outdirs.splice(0).forEach((outdir) => rmSync(outdir, { recursive: true, force: true })));

describe('createKestrelApp', () => {
  it('declares Terraform targets that admit S3 native locking', () => {
    // act
    const app = createKestrelApp({ outdir: freshOutdir() });

    // assess
    expect(app.node.tryGetContext('targetVersions')).toEqual(TERRAFORM_TARGET_VERSIONS);
  });

  it('synthesizes every stack to stacks/<stack-id>/cdk.tf.json', () => {
    // prepare
    const outdir = freshOutdir();
    const app = createKestrelApp({ outdir });
    new KestrelStack(app, { stackName: 'catalog', env: environment('staging'), service: 'catalog', owner: 'team-catalog' });

    // act
    app.synth();

    // assess
    const file = join(outdir, 'stacks', 'catalog-staging', 'cdk.tf.json');
    expect(existsSync(file)).toBe(true);
    const json = JSON.parse(readFileSync(file, 'utf8')) as { terraform: { backend: { s3: { use_lockfile: boolean } } } };
    expect(json.terraform.backend.s3.use_lockfile).toBe(true);
  });

  it('refuses to synthesize a construct placed outside any stack', () => {
    // prepare
    const app = createKestrelApp({ outdir: freshOutdir() });
    new Construct(app, 'stray');

    // act / assess
    expect(() => app.synth()).toThrowError(/stray/);
  });
});
