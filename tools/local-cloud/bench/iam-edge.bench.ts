/**
 * What IAM enforcement costs per call through the edge: the same role session
 * calls SSM GetParameter (an in-process JSON service, so the call itself is
 * cheap and the IAM work shows) on two local clouds in one run, one with
 * `iam: 'enforce'` (signature verified, policies evaluated) and one with
 * `iam: 'off'`, interleaved in rounds so machine load hits both alike.
 * A second call, SQS SendMessage to a queue with a `Policy`, shows the resource-policy path (the queue's policy is
 * evaluated with the role's). Target: enforcement adds ≤ 1 ms p50.
 *
 * Run: npx tsx bench/iam-edge.bench.ts   (writes bench-results/iam-edge.json)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startLocalCloud } from '../src/cloud';
import type { LocalCloud } from '../src/cloud';
import type { IamMode } from '../src/iam/authorizer';
import { createSqsModule } from '../src/services/sqs';
import { createSsmModule } from '../src/services/ssm';
import { createStsModule } from '../src/services/sts';
import { argument, percentiles, round, writeBenchResult } from './support';

const CALLS_PER_ROUND = argument('calls', 200);
const ROUNDS = argument('rounds', 10);

/** A role allowed to read parameters under /bench, as a service stack would grant it (five statements, one condition). */
function writeStack(dir: string): void {
  const statement = (sid: string, action: string, resource: string) => ({ Sid: sid, Effect: 'Allow', Action: [action], Resource: [resource] });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      statement('Logs', 'logs:PutLogEvents', 'arn:aws:logs:*:*:log-group:/aws/lambda/bench:*'),
      statement('Table', 'dynamodb:GetItem', 'arn:aws:dynamodb:*:*:table/bench'),
      statement('Queue', 'sqs:SendMessage', 'arn:aws:sqs:*:*:bench'),
      { ...statement('Bus', 'events:PutEvents', '*'), Condition: { StringEquals: { 'events:source': 'kestrel.bench' } } },
      statement('Parameters', 'ssm:GetParameter', 'arn:aws:ssm:*:*:parameter/bench/*'),
    ],
  };
  const terraform = {
    resource: {
      aws_ssm_parameter: { value: { name: '/bench/value', type: 'String', value: 'x' } },
      aws_sqs_queue: { bench: { name: 'bench' } },
      // As the subscription queues write it: EventBridge may send for one rule, nothing over plain HTTP.
      aws_sqs_queue_policy: {
        bench: {
          queue_url: '${aws_sqs_queue.bench.url}',
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'OnlyItsRuleSends', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.bench.arn}', Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:000000000000:rule/bench' } } },
              { Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '${aws_sqs_queue.bench.arn}', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
            ],
          }),
        },
      },
      aws_iam_role: {
        bench: {
          name: 'bench',
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
        },
      },
      aws_iam_role_policy: { bench: { name: 'bench', role: '${aws_iam_role.bench.id}', policy: JSON.stringify(policy) } },
    },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(terraform));
}

async function roleClients(cloud: LocalCloud): Promise<{ ssm: SSMClient; sqs: SQSClient }> {
  const config = { endpoint: cloud.endpoint, region: 'eu-west-1', maxAttempts: 1 };
  const sts = new STSClient({ ...config, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const { Credentials: credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/bench', RoleSessionName: 'bench' }));
  sts.destroy();
  const session = { ...config, credentials: { accessKeyId: credentials!.AccessKeyId!, secretAccessKey: credentials!.SecretAccessKey!, sessionToken: credentials!.SessionToken! } };
  return { ssm: new SSMClient(session), sqs: new SQSClient(session) };
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), 'iam-bench-'));
  const stackDir = join(root, 'stacks', 'bench');
  writeStack(stackDir);
  const variants: Array<{ mode: IamMode; cloud: LocalCloud; ssm: SSMClient; sqs: SQSClient; latencies: number[]; queueLatencies: number[] }> = [];
  for (const mode of ['enforce', 'off'] as const) {
    const cloud = await startLocalCloud({ inMemory: true, dataDir: join(root, mode), iam: mode, modules: [createSsmModule, createSqsModule, createStsModule] });
    await cloud.applyStacks([stackDir]);
    variants.push({ mode, cloud, ...(await roleClients(cloud)), latencies: [], queueLatencies: [] });
  }
  const send = (variant: (typeof variants)[number]) => variant.sqs.send(new SendMessageCommand({ QueueUrl: `${variant.cloud.endpoint}/000000000000/bench`, MessageBody: 'x' }));
  // Warm-up: JIT, keep-alive sockets, the SDK's first-call work.
  for (const variant of variants) {
    for (let index = 0; index < 100; index++) {
      await variant.ssm.send(new GetParameterCommand({ Name: '/bench/value' }));
      await send(variant);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
      for (let index = 0; index < CALLS_PER_ROUND; index++) {
        let started = performance.now();
        await variant.ssm.send(new GetParameterCommand({ Name: '/bench/value' }));
        variant.latencies.push(performance.now() - started);
        started = performance.now();
        await send(variant);
        variant.queueLatencies.push(performance.now() - started);
      }
    }
  }
  const denied = variants.map((variant) => variant.cloud.iamDenials().length);
  const sorted = (values: number[]) => percentiles([...values].sort((a, b) => a - b), 3);
  const results = Object.fromEntries(variants.map((variant) => [variant.mode, sorted(variant.latencies)]));
  const queueResults = Object.fromEntries(variants.map((variant) => [variant.mode, sorted(variant.queueLatencies)]));
  const enforce = results.enforce as ReturnType<typeof percentiles>;
  const off = results.off as ReturnType<typeof percentiles>;
  const queueEnforce = queueResults.enforce as ReturnType<typeof percentiles>;
  const queueOff = queueResults.off as ReturnType<typeof percentiles>;
  const file = writeBenchResult('iam-edge', {
    target: 'enforcement adds <= 1 ms p50 per call through the edge',
    call: 'SSM GetParameter by an assumed role session (SigV4 signed), sequential, one SDK client per cloud',
    callsPerVariant: CALLS_PER_ROUND * ROUNDS,
    latencyMs: results,
    addedByEnforcementMs: { p50: round(enforce.p50 - off.p50, 3), p99: round(enforce.p99 - off.p99, 3) },
    withQueuePolicy: {
      call: 'SQS SendMessage by the same session to a queue whose Policy is evaluated with the role (two statements, one Deny)',
      latencyMs: queueResults,
      addedByEnforcementMs: { p50: round(queueEnforce.p50 - queueOff.p50, 3), p99: round(queueEnforce.p99 - queueOff.p99, 3) },
    },
    deniedDuringRun: denied,
  });
  console.log(JSON.stringify({ latencyMs: results, addedByEnforcementMs: { p50: round(enforce.p50 - off.p50, 3) }, withQueuePolicy: { p50: round(queueEnforce.p50 - queueOff.p50, 3) } }), '→', file);
  for (const variant of variants) {
    variant.ssm.destroy();
    variant.sqs.destroy();
    await variant.cloud.stop();
  }
  rmSync(root, { recursive: true, force: true });
}

await main();
