import { describe, expect, it } from 'vitest';
import { compilePolicy, parsePolicy, PolicyError } from '../../src';

function problems(source: unknown, kind: 'identity' | 'resource' | 'any' = 'any'): readonly string[] {
  try {
    compilePolicy(source, 'queue/orders', kind);
  } catch (error) {
    if (error instanceof PolicyError) return error.problems;
    throw error;
  }
  return [];
}

describe('parsePolicy', () => {
  it('normalises single values and a single statement to lists', () => {
    const document = parsePolicy('{"Version":"2012-10-17","Statement":{"Sid":"One","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Principal":{"Service":"events.amazonaws.com"},"Condition":{"NumericLessThan":{"k":5}}}}', 'p');
    expect(document.Statement).toEqual([
      {
        index: 0,
        Sid: 'One',
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: ['*'],
        Principal: { Service: ['events.amazonaws.com'] },
        Condition: { NumericLessThan: { k: ['5'] } },
      },
    ]);
  });

  it('names every problem by statement and field', () => {
    expect(
      problems({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'A', Effect: 'allow', Action: 'sqs:SendMessage', NotAction: 'sqs:*', Resource: '*' },
          { Effect: 'Deny', Action: 'SendMessage', Resource: [], Principal: { Lambda: 'x' }, Extra: 1 },
          { Sid: 'A', Effect: 'Allow', Action: 'sqs:*', Resource: '*', Condition: { StringEquals: 'x' } },
        ],
      }),
    ).toEqual([
      'Statement[0] (A).Effect must be "Allow" or "Deny"',
      'Statement[0] (A) needs exactly one of Action or NotAction',
      'Statement[1]: unknown element Extra',
      'Statement[1].Resource must be a non-empty string or a non-empty list of non-empty strings',
      'Statement[1]: action "SendMessage" is not of the form service:Action',
      'Statement[1].Principal.Lambda is not a principal kind (AWS, Service, Federated, CanonicalUser)',
      'Statement[2] (A).Condition.StringEquals must be a non-empty object of condition keys',
      'Sid "A" is used by more than one statement',
    ]);
  });

  it('applies the rules of the policy kind', () => {
    expect(problems({ Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*', Principal: '*' }] }, 'identity')).toEqual([
      'Statement[0]: an identity-based policy may not name a Principal',
    ]);
    expect(problems({ Statement: [{ Effect: 'Allow', Action: 'sqs:*' }] }, 'identity')).toEqual(['Statement[0] needs Resource or NotResource']);
    expect(problems({ Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] }, 'resource')).toEqual([
      'Statement[0]: a resource-based policy needs Principal or NotPrincipal',
    ]);
  });

  it('refuses text that is not JSON, a missing Statement, a wrong Version and unknown operators', () => {
    expect(problems('{')[0]).toMatch(/^not JSON: /);
    expect(problems({ Version: '2012-10-17' })).toEqual(['Statement is missing']);
    expect(problems({ Version: '2020-01-01', Statement: [] })).toEqual(['Version must be "2012-10-17" or "2008-10-17" (got "2020-01-01")']);
    expect(problems({ Statement: [{ Sid: 'C', Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { k: 'v' } } }] })).toEqual([
      'Sid "C".Condition: unknown condition operator "StringEqualz"',
    ]);
  });

  it('the error message names the policy', () => {
    expect(() => compilePolicy({}, 'aws_sqs_queue_policy.orders')).toThrow(/^Policy aws_sqs_queue_policy\.orders is malformed:\n {2}- Statement is missing$/);
  });
});
