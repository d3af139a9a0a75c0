/**
 * The AWS CLI from Debian's `awscli` package (v2.9), as a person runs it
 * against the local cloud. It predates `AWS_ENDPOINT_URL` (CLI 2.13), so the
 * endpoint goes in `--endpoint-url`; `AWS_ENDPOINT_URL` is set too for newer
 * CLIs. Config and credential files point into a scratch folder so the
 * machine's own profile cannot change the outcome.
 *
 * `/root/.pyenv/shims/aws` (pip's v1) may come first on PATH: always
 * `/usr/bin/aws`. When it is missing the CLI suites are skipped with a
 * message naming the package (`.ci/run` installs it, so CI runs them).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AWS_CLI = '/usr/bin/aws';
export const awsCliInstalled = existsSync(AWS_CLI);
export const AWS_CLI_SKIP_REASON = `skipped: ${AWS_CLI} is not installed (Debian package awscli; .ci/run installs it)`;

if (!awsCliInstalled) console.warn(`AWS CLI parity tests ${AWS_CLI_SKIP_REASON}`);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'aws-cli-'));

/**
 * Runs `/usr/bin/aws <args> --output json` (asynchronously: the local cloud
 * answering it runs in this same process).
 *
 * @example
 * const listed = await awsCli(cloud.endpoint, ['sqs', 'list-queues']);
 * JSON.parse(listed.stdout).QueueUrls
 */
export function awsCli(endpoint: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      AWS_CLI,
      [...args, '--endpoint-url', endpoint, '--output', 'json', '--no-cli-pager'],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: scratch,
          AWS_CONFIG_FILE: join(scratch, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_DEFAULT_REGION: 'eu-west-1',
          AWS_ENDPOINT_URL: endpoint,
          AWS_PAGER: '',
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Parses a successful CLI answer, or fails with what the CLI printed. */
export function cliJson<T = Record<string, unknown>>(result: CliResult): T {
  if (result.code !== 0) throw new Error(`aws exited ${result.code}: ${result.stderr.trim()}`);
  return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
}

/** Where Debian's awscli keeps its bundled service models. */
const DEBIAN_MODELS = '/usr/lib/python3/dist-packages/awscli/botocore/data';

/**
 * An `AWS_DATA_PATH` folder whose SQS model is Debian's plus the three
 * message-move operations (added to SQS in June 2023, after CLI 2.9), in the
 * query protocol that model speaks. botocore reads models from
 * `AWS_DATA_PATH` first, so `aws sqs start-message-move-task` then exists.
 * Undefined when Debian's model is not where the package puts it.
 */
export function sqsModelWithMoveTasks(): string | undefined {
  const source = join(DEBIAN_MODELS, 'sqs', '2012-11-05', 'service-2.json');
  if (!existsSync(source)) return undefined;
  const model = JSON.parse(readFileSync(source, 'utf8')) as {
    operations: Record<string, unknown>;
    shapes: Record<string, unknown>;
  };
  const operation = (name: string, input: Record<string, string>, output: Record<string, string>, required: string[]) => {
    model.operations[name] = {
      name,
      http: { method: 'POST', requestUri: '/' },
      input: { shape: `${name}Request` },
      output: { shape: `${name}Result`, resultWrapper: `${name}Result` },
    };
    const members = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).map(([field, shape]) => [field, { shape }]));
    model.shapes[`${name}Request`] = { type: 'structure', required, members: members(input) };
    model.shapes[`${name}Result`] = { type: 'structure', members: members(output) };
  };
  model.shapes.Long = { type: 'long' };
  model.shapes.ListMessageMoveTasksResultEntry = {
    type: 'structure',
    members: Object.fromEntries(
      Object.entries({
        TaskHandle: 'String',
        Status: 'String',
        SourceArn: 'String',
        DestinationArn: 'String',
        MaxNumberOfMessagesPerSecond: 'BoxedInteger',
        ApproximateNumberOfMessagesMoved: 'Long',
        ApproximateNumberOfMessagesToMove: 'Long',
        FailureReason: 'String',
        StartedTimestamp: 'Long',
      }).map(([field, shape]) => [field, { shape }]),
    ),
  };
  model.shapes.ListMessageMoveTasksResultEntryList = {
    type: 'list',
    member: { shape: 'ListMessageMoveTasksResultEntry', locationName: 'ListMessageMoveTasksResultEntry' },
    flattened: true,
  };
  operation('StartMessageMoveTask', { SourceArn: 'String', DestinationArn: 'String', MaxNumberOfMessagesPerSecond: 'BoxedInteger' }, { TaskHandle: 'String' }, ['SourceArn']);
  operation('ListMessageMoveTasks', { SourceArn: 'String', MaxResults: 'BoxedInteger' }, { Results: 'ListMessageMoveTasksResultEntryList' }, ['SourceArn']);
  operation('CancelMessageMoveTask', { TaskHandle: 'String' }, { ApproximateNumberOfMessagesMoved: 'Long' }, ['TaskHandle']);
  const dataPath = join(scratch, 'models');
  mkdirSync(join(dataPath, 'sqs', '2012-11-05'), { recursive: true });
  writeFileSync(join(dataPath, 'sqs', '2012-11-05', 'service-2.json'), JSON.stringify(model));
  return dataPath;
}
