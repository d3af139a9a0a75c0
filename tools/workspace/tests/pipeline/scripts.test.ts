import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageDeployFailure, resolveDeployIncident } from '../../src/pipeline/pagerduty';
import { MAX_COMMENT_CHARS, renderPlanComment } from '../../src/pipeline/plan-comment';
import { missingRoleMessage, preflight, PreflightError, s3BucketProbe } from '../../src/pipeline/preflight';
import { stackTarget, toGithubOutput } from '../../src/pipeline/stack-target';

describe('stack target', () => {
  it('derives role, region, state and stack folder from the environment config', () => {
    // act
    const target = stackTarget({ project: 'customers', projectRoot: 'apps/customers', env: 'staging', role: 'plan' });

    // assess
    expect(target).toEqual({
      project: 'customers',
      env: 'staging',
      roleArn: 'arn:aws:iam::111111111111:role/kestrel-pipeline/kestrel-staging-customers-plan',
      region: 'eu-west-1',
      accountId: '111111111111',
      stateBucket: 'kestrel-terraform-state-111111111111',
      stateKey: 'staging/customers/terraform.tfstate',
      stackDir: 'apps/customers/cdktf.out/stacks/customers-staging',
    });
    expect(toGithubOutput(target)).toContain('role-arn=arn:aws:iam::111111111111:role/kestrel-pipeline/kestrel-staging-customers-plan\n');
  });

  it('refuses bad input, naming every field', () => {
    // act
    const attempt = () => stackTarget({ project: 'Customers', projectRoot: '../elsewhere', env: 'qa', role: 'admin' as 'plan' });

    // assess
    expect(attempt).toThrow(/project: "Customers"[\s\S]*env: "qa" must be one of staging, production[\s\S]*role: "admin"[\s\S]*project-root: "..\/elsewhere"/);
  });

  it('names the role and the bootstrap stack when the role cannot be assumed', () => {
    // act
    const message = missingRoleMessage(stackTarget({ project: 'catalog', projectRoot: 'apps/catalog', env: 'production', role: 'deploy' }));

    // assess
    expect(message).toContain('arn:aws:iam::222222222222:role/kestrel-pipeline/kestrel-production-catalog-deploy');
    expect(message).toContain('apply infra/bootstrap');
  });
});

describe('preflight', () => {
  const require = createRequire(import.meta.url);
  const S3rver = require('s3rver') as new (options: Record<string, unknown>) => { run(): Promise<AddressInfo>; close(): Promise<void> };
  let workspace: string;
  let s3: InstanceType<typeof S3rver>;
  let endpoint: string;
  const target = stackTarget({ project: 'orders', projectRoot: 'apps/orders', env: 'staging', role: 'plan' });

  function writeStack(backend: Record<string, unknown> | undefined) {
    const dir = join(workspace, target.stackDir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(backend ? { terraform: { backend: { s3: backend } } } : { terraform: {} }));
  }

  const goodBackend = { bucket: target.stateBucket, key: target.stateKey, region: target.region, encrypt: true, use_lockfile: true };

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kestrel-preflight-'));
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(workspace, 's3'), configureBuckets: [{ name: target.stateBucket }] });
    const address = await s3.run();
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await s3.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('passes when the backend follows the conventions and the bucket answers HeadBucket', async () => {
    // prepare
    writeStack(goodBackend);

    // act
    const run = preflight(target, workspace, s3BucketProbe(endpoint));

    // assess
    await expect(run).resolves.toBeUndefined();
  });

  it('fails naming the bucket and the bootstrap stack when the state bucket is missing', async () => {
    // prepare
    const otherAccount = { ...target, stateBucket: 'kestrel-terraform-state-999999999999' };
    writeStack({ ...goodBackend, bucket: otherAccount.stateBucket });

    // act
    const run = preflight(otherAccount, workspace, s3BucketProbe(endpoint));

    // assess
    await expect(run).rejects.toThrow(
      /state bucket "kestrel-terraform-state-999999999999" is not reachable with role arn:aws:iam::111111111111:role\/kestrel-pipeline\/kestrel-staging-orders-plan \(it does not exist\): apply infra\/bootstrap/,
    );
  });

  it('fails naming each backend variable that is missing or wrong', async () => {
    // prepare
    writeStack({ key: 'orders/terraform.tfstate', region: target.region, encrypt: true });

    // act
    const run = preflight(target, workspace, s3BucketProbe(endpoint));

    // assess
    await expect(run).rejects.toThrow(PreflightError);
    await expect(run).rejects.toThrow(/backend variable "bucket" is not set \(expected "kestrel-terraform-state-111111111111"\)/);
    await expect(run).rejects.toThrow(/backend variable "key" is "orders\/terraform.tfstate", expected "staging\/orders\/terraform.tfstate"/);
    await expect(run).rejects.toThrow(/backend variable "use_lockfile" is not set/);
  });

  it('fails with the synth command when the stack was not synthesized, or has no S3 backend', async () => {
    // prepare
    const unsynthesized = { ...target, stackDir: 'apps/none/cdktf.out/stacks/none-staging', project: 'none' };
    writeStack(undefined);

    // act
    const missing = preflight(unsynthesized, workspace, s3BucketProbe(endpoint));
    const noBackend = preflight(target, workspace, s3BucketProbe(endpoint));

    // assess
    await expect(missing).rejects.toThrow('apps/none/cdktf.out/stacks/none-staging/cdk.tf.json is missing: run npx nx run none:synth');
    await expect(noBackend).rejects.toThrow('terraform.backend.s3 is missing');
  });
});

describe('plan comment', () => {
  it('summarises each environment and opens the ones with changes or failures', () => {
    // prepare
    const plans = [
      { env: 'staging', text: 'aws_sqs_queue.q will be created\nPlan: 1 to add, 0 to change, 0 to destroy.\n', exitCode: 2 },
      { env: 'production', text: 'No changes. Your infrastructure matches the configuration.\n', exitCode: 0 },
    ];

    // act
    const body = renderPlanComment('customers', plans, 'https://github.com/o/r/actions/runs/1');

    // assess
    expect(body).toContain('### Terraform plan: `customers`');
    expect(body).toContain('<details open><summary><b>staging</b>: Plan: 1 to add, 0 to change, 0 to destroy.</summary>');
    expect(body).toContain('<details><summary><b>production</b>: no changes</summary>');
    expect(body).toContain('[workflow run](https://github.com/o/r/actions/runs/1)');
  });

  it('keeps the end of a huge plan within GitHub’s comment limit', () => {
    // prepare
    const huge = `${'~ resource changed\n'.repeat(10_000)}Plan: 0 to add, 10000 to change, 0 to destroy.\n`;

    // act
    const body = renderPlanComment('catalog', [{ env: 'staging', text: huge, exitCode: 2 }, { env: 'production', text: 'Error: boom', exitCode: 1 }]);

    // assess
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(body).toContain('characters cut');
    expect(body).toContain('Plan: 0 to add, 10000 to change, 0 to destroy.\n```');
    expect(body).toContain('<b>production</b>: plan failed');
  });
});

describe('paging on a failed production deploy (PagerDuty Events API v2 through @kestrel/observability)', () => {
  const failure = { project: 'customers', env: 'production', runUrl: 'https://github.com/o/r/actions/runs/42', commit: 'abcdef0123456789' };
  const routingKey = 'R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY12';

  async function eventsApi(status: number, answer: string) {
    const received: Array<{ url?: string; body: Record<string, unknown> }> = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ url: request.url, body: JSON.parse(body) as Record<string, unknown> });
        response.writeHead(status, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/v2/enqueue`, received, close: () => server.close() };
  }

  it('triggers one incident per project and environment, with the run and the commit', async () => {
    // prepare
    const api = await eventsApi(202, '{"status":"success","dedup_key":"deploy/customers/production"}');

    // act
    const result = await pageDeployFailure(routingKey, failure, { url: api.url });
    api.close();

    // assess
    expect(result).toEqual({ dedupKey: 'deploy/customers/production' });
    expect(api.received).toHaveLength(1);
    expect(api.received[0]?.url).toBe('/v2/enqueue');
    expect(api.received[0]?.body).toMatchObject({
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: 'deploy/customers/production',
      payload: {
        summary: 'Deploy of customers to production failed (abcdef012345)',
        source: 'github-actions',
        severity: 'critical',
        component: 'customers',
        group: 'production',
        custom_details: { commit: 'abcdef0123456789', run: failure.runUrl },
      },
      links: [{ href: failure.runUrl, text: 'Workflow run' }],
    });
  });

  it('resolves the incident after a successful deploy, and says so when there is no key', async () => {
    // prepare
    const api = await eventsApi(202, '{"status":"success","dedup_key":"deploy/customers/production"}');

    // act
    const resolved = await resolveDeployIncident(routingKey, 'customers', 'production', { url: api.url });
    const withoutKey = await resolveDeployIncident(undefined, 'customers', 'production', { url: api.url });
    api.close();

    // assess
    expect(resolved).toBe('resolved deploy/customers/production');
    expect(withoutKey).toBe('PAGERDUTY_ROUTING_KEY is not set: nothing to resolve');
    expect(api.received.map((event) => [event.body.event_action, event.body.dedup_key])).toEqual([['resolve', 'deploy/customers/production']]);
  });

  it('fails loudly when the routing key is missing or PagerDuty refuses the event', async () => {
    // prepare
    const api = await eventsApi(400, '{"status":"invalid event","message":"Event object is invalid","errors":["payload.summary is missing"]}');

    // act
    const noKey = pageDeployFailure(undefined, failure);
    const refused = pageDeployFailure(routingKey, failure, { url: api.url });

    // assess
    await expect(noKey).rejects.toThrow('PAGERDUTY_ROUTING_KEY is not set');
    await expect(refused).rejects.toThrow(/PagerDuty refused the trigger event \(HTTP 400/);
    api.close();
  });
});
