import { describe, expect, it } from 'vitest';
import { parseJsonBody } from '../../src/core/protocol';
import { AwsServiceError } from '../../src/core/types';

const request = (text: string) => ({ body: Buffer.from(text, 'utf8') });

function errorOf(run: () => unknown): AwsServiceError {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AwsServiceError');
}

describe('parseJsonBody', () => {
  it('reads a JSON object and treats an empty body as {}', () => {
    // prepare
    const body = request('{"Name":"orders","Limit":5}');

    // act
    const parsed = parseJsonBody(body);
    const empty = parseJsonBody(request('  '));

    // assess
    expect(parsed).toEqual({ Name: 'orders', Limit: 5 });
    expect(empty).toEqual({});
  });

  it('says what is wrong with a malformed body by default', () => {
    // prepare
    const notJson = request('{"Name":');
    const notAnObject = request('[1,2]');

    // act
    const notJsonError = errorOf(() => parseJsonBody(notJson));
    const notAnObjectError = errorOf(() => parseJsonBody(notAnObject));

    // assess
    expect(notJsonError.code).toBe('SerializationException');
    expect(notJsonError.message).toMatch(/^Request body is not valid JSON: /);
    expect(notAnObjectError.code).toBe('SerializationException');
    expect(notAnObjectError.message).toBe('Request body must be a JSON object');
  });

  it('uses the one given message for every malformed body', () => {
    // prepare
    const options = { errorMessage: 'The request body is not a JSON object.' };

    // act
    const errors = ['{"Name":', 'null', '"text"', '[1]'].map((text) => errorOf(() => parseJsonBody(request(text), options)));

    // assess
    expect(errors.map((error) => [error.code, error.message])).toEqual(Array.from({ length: 4 }, () => ['SerializationException', options.errorMessage]));
  });
});
