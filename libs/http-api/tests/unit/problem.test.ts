import { describe, expect, it } from 'vitest';
import { fieldErrorsOf, HttpProblem, validationProblem } from '../../src/problem';

describe('HttpProblem', () => {
  it('renders an RFC 9457 document: type URN, title, status, detail, instance and extension members', () => {
    // Prepare
    const problem = new HttpProblem(412, 'precondition-failed', 'The customer has changed', 'Read it again.', { currentVersion: 3 }, { etag: '"3"' });

    // Act
    const body = problem.body('/customers/1');

    // Assess
    expect(body).toEqual({
      type: 'urn:kestrel:problem:precondition-failed',
      title: 'The customer has changed',
      status: 412,
      detail: 'Read it again.',
      instance: '/customers/1',
      currentVersion: 3,
    });
    expect(problem.headers).toEqual({ etag: '"3"' });
    expect(problem.message).toBe('Read it again.');
  });

  it('leaves detail out when there is none', () => {
    const body = new HttpProblem(403, 'forbidden', 'Not allowed').body('/x');

    expect(body).not.toHaveProperty('detail');
  });
});

describe('validationProblem', () => {
  it('is a 400 listing every invalid field, counted in the detail', () => {
    // Prepare
    const errors = [
      { field: 'body.email', message: 'is required' },
      { field: 'query.limit', message: 'must be at most 100' },
    ];

    // Act
    const problem = validationProblem(errors);

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.body('/x')).toMatchObject({ type: 'urn:kestrel:problem:validation-failed', detail: '2 invalid fields', errors });
    expect(fieldErrorsOf(problem)).toEqual(errors);
    expect(validationProblem([errors[0]!]).detail).toBe('1 invalid field');
  });

  it('has no field errors to give when the problem is not a validation problem', () => {
    expect(fieldErrorsOf(new HttpProblem(404, 'not-found', 'No such thing'))).toEqual([]);
  });
});
