import { describe, expect, it } from 'vitest';
import { patternMayMatchFormat, stackPolicies, stackPolicyFindings, validatePolicy } from '../../src';

const document = (statement: object) => ({ Version: '2012-10-17', Statement: [{ Sid: 'S', Effect: 'Allow', ...statement }] });
const problems = async (statement: object, kind: 'identity' | 'resource' | 'any' = 'any') => (await validatePolicy(document(statement), 'p', kind)).map((finding) => finding.problem);

describe('validatePolicy', () => {
  it('accepts correct policies', async () => {
    expect(await problems({ Action: ['sqs:SendMessage', 'sqs:Get*'], Resource: 'arn:aws:sqs:eu-west-1:111111111111:orders' })).toEqual([]);
    expect(await problems({ Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/orders:*' })).toEqual([]);
    expect(await problems({ Action: 'dynamodb:Query', Resource: ['arn:aws:dynamodb:eu-west-1:111111111111:table/orders', 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders/index/*'] })).toEqual([]);
    expect(await problems({ Action: 'events:PutEvents', Resource: '*', Condition: { StringEquals: { 'events:source': 'kestrel.orders' } } })).toEqual([]);
    expect(await problems({ Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com', 'aws:SourceAccount': '1' } } })).toEqual([]);
  });

  it('finds unknown services, actions and action patterns', async () => {
    expect(await problems({ Action: ['sqs:SendMessages', 'sqss:SendMessage', 'sqs:Nope*'], Resource: '*' })).toEqual([
      'action "sqs:SendMessages" does not exist in sqs',
      'action "sqss:SendMessage": there is no AWS service with the prefix "sqss"',
      'action pattern "sqs:Nope*" matches no sqs action',
    ]);
  });

  it('finds a resource of the wrong type for the action', async () => {
    expect(await problems({ Action: 'sqs:SendMessage', Resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/orders' })).toEqual([
      'no resource of the statement is of a type "sqs:SendMessage" acts on: arn:aws:dynamodb:eu-west-1:111111111111:table/orders is not queue (arn:${Partition}:sqs:${Region}:${Account}:${QueueName})',
    ]);
    const [problem] = await problems({ Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:eu-west-1:111111111111:log-group:/aws/lambda/orders' });
    expect(problem).toMatch(/^no resource of the statement is of a type "logs:PutLogEvents" acts on/);
  });

  it('finds an ARN for an action without resource-level permissions', async () => {
    expect(await problems({ Action: 'xray:PutTraceSegments', Resource: 'arn:aws:xray:eu-west-1:111111111111:group/x' })).toEqual([
      'action "xray:PutTraceSegments" does not support resource-level permissions: its Resource must be "*"',
    ]);
  });

  it('finds condition keys that do not exist or that no action of the statement supports', async () => {
    expect(await problems({ Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:SourceArnn': 'x', 'events:source': 'y', 'sqs:Nope': 'z' } } })).toEqual([
      'condition key "aws:SourceArnn" does not exist',
      'condition key "events:source" is not supported by sqs:SendMessage',
      'condition key "sqs:Nope" does not exist',
    ]);
  });

  it('matches templated condition keys (aws:PrincipalTag/…, kms:EncryptionContext:…)', async () => {
    expect(await problems({ Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a', 'kms:EncryptionContext:tenant': 'b' } } })).toEqual([]);
  });

  it('accepts identity provider keys on AssumeRoleWithWebIdentity only', async () => {
    const trust = { Action: 'sts:AssumeRoleWithWebIdentity', Principal: { Federated: 'arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com' }, Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:x/*' } } };
    expect(await problems(trust, 'resource')).toEqual([]);
    expect(await problems({ ...trust, Action: 'sts:AssumeRole' }, 'resource')).toEqual(['condition key "token.actions.githubusercontent.com:sub" does not exist']);
  });

  it('reports structural problems as findings of the whole document', async () => {
    expect(await validatePolicy('{"Statement": []', 'aws_sqs_queue_policy.q (policy)')).toEqual([
      { policy: 'aws_sqs_queue_policy.q (policy)', statement: '', problem: expect.stringMatching(/^not JSON: /) },
    ]);
  });
});

describe('patternMayMatchFormat', () => {
  const queue = 'arn:${Partition}:sqs:${Region}:${Account}:${QueueName}';
  const stream = 'arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}';
  it.each([
    ['arn:aws:sqs:eu-west-1:111111111111:orders', queue, true],
    ['arn:aws:sqs:*:*:*', queue, true],
    ['arn:aws:sqs:eu-west-?:111111111111:orders', queue, true],
    ['arn:aws:sns:eu-west-1:111111111111:orders', queue, false],
    ['arn:aws:sqs:eu-west-1:111111111111', queue, false],
    ['arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/x:*', stream, true],
    ['arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/x', stream, false],
    ['*', stream, true],
  ])('%s against %s: %s', (pattern, format, expected) => {
    expect(patternMayMatchFormat(pattern, format)).toBe(expected);
  });
});

describe('stackPolicies', () => {
  const stack = {
    resource: {
      aws_iam_role: {
        handler: {
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
          inline_policy: [{ name: 'x', policy: '${data.aws_iam_policy_document.doc.json}' }],
        },
      },
      aws_iam_role_policy: {
        grants: {
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'Send', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '${aws_dynamodb_table.orders.arn}' },
              { Sid: 'Mine', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/$${aws:username}/*' },
              { Sid: 'Opaque', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '${data.aws_ssm_parameter.queue.value}' },
            ],
          }),
        },
      },
      aws_lambda_permission: {
        invoke: { action: 'lambda:InvokeFunction', function_name: '${aws_lambda_function.f.function_name}', principal: 'events.amazonaws.com', source_arn: '${aws_cloudwatch_event_rule.r.arn}' },
      },
      aws_sqs_queue_policy: { dlq: { policy: '${jsonencode({"Statement" = []})}' } },
    },
    data: {
      aws_iam_policy_document: {
        doc: {
          statement: [
            { sid: 'Everyone', effect: 'Deny', actions: ['s3:*'], resources: ['*'], principals: [{ type: '*', identifiers: ['*'] }], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] },
          ],
        },
      },
    },
  };

  it('collects role, inline (by reference), identity, Lambda permission and policy-document policies', () => {
    expect(stackPolicies(stack).map((policy) => `${policy.location} ${policy.kind}`)).toEqual([
      'aws_iam_role.handler (assume_role_policy) resource',
      'aws_iam_role_policy.grants (policy) identity',
      'aws_lambda_permission.invoke resource',
      'aws_sqs_queue_policy.dlq (policy) resource',
      'data.aws_iam_policy_document.doc any',
    ]);
  });

  it('types references, keeps policy variables and leaves unknown references unchecked', async () => {
    expect(await stackPolicyFindings(stack)).toEqual([
      {
        policy: 'aws_iam_role_policy.grants (policy)',
        statement: 'Sid "Send"',
        problem: expect.stringMatching(/^no resource of the statement is of a type "sqs:SendMessage" acts on: arn:aws:dynamodb:eu-west-1:111111111111:table\/orders is not queue/),
      },
      { policy: 'aws_sqs_queue_policy.dlq (policy)', statement: '', problem: expect.stringMatching(/^not JSON/) },
    ]);
  });
});
