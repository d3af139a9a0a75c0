import { describe, expect, it } from 'vitest';
import { parseTemplate, references } from '../../src/terraform/hcl';
import { evaluate } from '../../src/terraform/evaluate';
import type { Scope } from '../../src/terraform/evaluate';
import { renderPolicyDocument } from '../../src/terraform/builtin-data-sources';

/** A scope over a fixed set of values keyed by their address (`aws_x.y`, `data.t.n`, `var.v`). */
function scopeOf(values: Record<string, unknown>): Scope {
  return {
    stackDir: import.meta.dirname,
    lookupRoot(root, path) {
      const depth = root === 'data' ? 3 : 2;
      let value: unknown = values[path.slice(0, depth).join('.')];
      for (const name of path.slice(depth)) value = (value as Record<string, unknown>)[name];
      return value;
    },
  };
}

const values = {
  'aws_sqs_queue.q': { arn: 'arn:aws:sqs:eu-west-1:000000000000:q', name: 'q', tags: { team: 'orders' }, list: [{ id: 'a' }, { id: 'b' }] },
  'data.aws_region.current': { name: 'eu-west-1' },
  'var.count': 3,
};
const run = (text: string) => evaluate(parseTemplate(text), scopeOf(values));

describe('HCL templates as cdktn emits them', () => {
  it('keeps the type of a lone interpolation and concatenates mixed templates', () => {
    // act + assess
    expect(run('${aws_sqs_queue.q.tags}')).toEqual({ team: 'orders' });
    expect(run('q-${data.aws_region.current.name}-${var.count}')).toBe('q-eu-west-1-3');
    expect(run('plain text')).toBe('plain text');
    expect(run('literal $${not.a.ref}')).toBe('literal ${not.a.ref}');
  });

  it('evaluates jsonencode of HCL objects with nested templates, sorting keys like Terraform', () => {
    // act
    const json = run('${jsonencode({"maxReceiveCount" = 5, deadLetterTargetArn = aws_sqs_queue.q.arn, "name" = "x-${aws_sqs_queue.q.name}", nested = [1, true, null]})}');
    // assess
    expect(json).toBe('{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:000000000000:q","maxReceiveCount":5,"name":"x-q","nested":[1,true,null]}');
  });

  it('supports indexes, splats, operators, conditionals and function calls', () => {
    // act + assess
    expect(run('${aws_sqs_queue.q.list[1].id}')).toBe('b');
    expect(run('${aws_sqs_queue.q.list[*].id}')).toEqual(['a', 'b']);
    expect(run('${aws_sqs_queue.q.tags["team"]}')).toBe('orders');
    expect(run('${var.count * 2 + 1 >= 7 && !false ? "big" : "small"}')).toBe('big');
    expect(run('${element(split(",", "a,b,c"), 1)}')).toBe('b');
    expect(run('${join("-", [aws_sqs_queue.q.name, "x"])}')).toBe('q-x');
    expect(run('${format("%s has %d items", aws_sqs_queue.q.name, length(aws_sqs_queue.q.list))}')).toBe('q has 2 items');
    expect(run('${merge({a = 1}, {b = 2})}')).toEqual({ a: 1, b: 2 });
    expect(run('${base64encode("hi")}')).toBe('aGk=');
    expect(run('${lookup({a = "x"}, "b", "fallback")}')).toBe('fallback');
  });

  it('hashes files relative to the stack folder like filebase64sha256', () => {
    // act
    const hash = run('${filebase64sha256("fixtures/platform/cdk.tf.json")}');
    // assess
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('lists the references a template makes for the dependency graph', () => {
    // act
    const found = references(parseTemplate('${jsonencode({a = aws_sqs_queue.q.arn, b = data.aws_region.current.name, c = local.x[var.i]})}'));
    // assess
    expect(found).toEqual([['aws_sqs_queue', 'q', 'arn'], ['data', 'aws_region', 'current', 'name'], ['var', 'i'], ['local', 'x']]);
  });

  it('refuses syntax the interpreter does not implement, saying so', () => {
    // act + assess
    expect(() => parseTemplate('${[for q in var.queues : q.arn]}')).toThrow('for-expressions are not supported');
    expect(() => parseTemplate('%{ if var.on }x%{ endif }')).toThrow('template directives');
    expect(() => parseTemplate('${aws_sqs_queue.q.arn')).toThrow("expected '}'");
  });
});

describe('aws_iam_policy_document rendering', () => {
  it('renders statements like the AWS provider, merging source and override documents by Sid', () => {
    // prepare
    const source = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Base', Effect: 'Allow', Action: 'logs:*', Resource: '*' }, { Sid: 'Old', Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const override = JSON.stringify({ Statement: [{ Sid: 'Old', Effect: 'Deny', Action: 's3:*', Resource: '*' }] });
    // act
    const document = renderPolicyDocument({
      source_policy_documents: [source],
      override_policy_documents: [override],
      statement: [
        {
          sid: 'Send',
          actions: ['sqs:SendMessage', 'sqs:GetQueueUrl'],
          resources: ['arn:aws:sqs:eu-west-1:000000000000:q'],
          principals: [
            { type: 'Service', identifiers: ['events.amazonaws.com'] },
            { type: 'AWS', identifiers: ['arn:aws:iam::000000000000:root'] },
          ],
          condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['000000000000'] }],
        },
        { effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: '*', identifiers: ['*'] }] },
      ],
    });
    // assess
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Base', Effect: 'Allow', Action: 'logs:*', Resource: '*' },
        { Sid: 'Old', Effect: 'Deny', Action: 's3:*', Resource: '*' },
        {
          Sid: 'Send',
          Effect: 'Allow',
          Action: ['sqs:GetQueueUrl', 'sqs:SendMessage'],
          Resource: 'arn:aws:sqs:eu-west-1:000000000000:q',
          Principal: { Service: 'events.amazonaws.com', AWS: 'arn:aws:iam::000000000000:root' },
          Condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } },
        },
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' },
      ],
    });
  });
});
