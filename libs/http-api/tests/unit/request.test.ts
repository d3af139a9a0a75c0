import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../../src/field-errors';
import { HttpProblem } from '../../src/problem';
import { DEFAULT_MAX_BODY_BYTES, headerValue, readJsonBody, readParameters, readRequest } from '../../src/request';
import { httpEvent } from '../support/events';

/** The problem a call throws (fails the test when it throws nothing or something else). */
function problemOf(act: () => unknown): HttpProblem {
  try {
    act();
  } catch (error) {
    if (error instanceof HttpProblem) return error;
    throw error;
  }
  throw new Error('expected an HttpProblem');
}

const thing = z.strictObject({ name: z.string().min(1, 'must not be empty'), size: z.int().optional() });

describe('readJsonBody', () => {
  it('parses JSON, base64-encoded bodies included', () => {
    expect(readJsonBody(httpEvent({ body: '{"name":"a"}' }))).toEqual({ name: 'a' });
    expect(readJsonBody(httpEvent({ body: '{"name":"é"}', base64: true }))).toEqual({ name: 'é' });
  });

  it('gives undefined for an absent or blank body', () => {
    expect(readJsonBody(httpEvent())).toBeUndefined();
    expect(readJsonBody(httpEvent({ body: '  \n' }))).toBeUndefined();
  });

  it('answers 413 above the limit before parsing, naming the limit', () => {
    // Prepare
    const event = httpEvent({ body: `"${'x'.repeat(DEFAULT_MAX_BODY_BYTES)}"` });

    // Act
    const problem = problemOf(() => readJsonBody(event));
    const larger = readJsonBody(event, { maxBytes: 2 * DEFAULT_MAX_BODY_BYTES });

    // Assess
    expect(problem).toMatchObject({ status: 413, code: 'body-too-large', extensions: { maxBytes: DEFAULT_MAX_BODY_BYTES } });
    expect(typeof larger).toBe('string');
  });

  it('answers 400 malformed-json for broken JSON and for bytes that are not UTF-8', () => {
    const broken = problemOf(() => readJsonBody(httpEvent({ body: '{"name":' })));
    const latin1 = httpEvent({ body: Buffer.from([0x22, 0xe9, 0x22]).toString('base64') });
    (latin1 as { isBase64Encoded: boolean }).isBase64Encoded = true;

    expect(broken).toMatchObject({ status: 400, code: 'malformed-json' });
    expect(problemOf(() => readJsonBody(latin1))).toMatchObject({ status: 400, code: 'malformed-json' });
  });

  it('answers 415 for a body that is not JSON, accepting +json media types', () => {
    const text = problemOf(() => readJsonBody(httpEvent({ body: 'name=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } })));

    expect(text).toMatchObject({ status: 415, code: 'unsupported-media-type' });
    expect(readJsonBody(httpEvent({ body: '{}', headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' } }))).toEqual({});
  });
});

// Path, query and header rules shared by the readRequest and readParameters cases, and what they report for bad values.
const parameterSpec = {
  path: { thingId: z.string().regex(/^\d+$/, 'must be a number').transform(Number) },
  query: z.strictObject({ verbose: z.literal('yes', { message: 'must be yes' }).optional() }),
  headers: { 'if-match': z.string().regex(/^"\d+"$/, 'must be an ETag').optional() },
};
const parameterErrors = [
  { field: 'path.thingId', message: 'must be a number' },
  { field: 'query.verbose', message: 'must be yes' },
  { field: 'query.sort', message: 'is not a known field' },
  { field: 'header.if-match', message: 'must be an ETag' },
];

describe('readRequest', () => {
  it('returns path, query, headers and body parsed by their schemas', () => {
    // Prepare
    const event = httpEvent({
      pathParameters: { thingId: '42' },
      query: { verbose: 'yes' },
      headers: { 'if-match': '"3"' },
      body: '{"name":"lamp","size":2}',
    });

    // Act
    const request = readRequest(event, {
      path: { thingId: z.string().regex(/^\d+$/).transform(Number) },
      query: z.strictObject({ verbose: z.literal('yes').optional() }),
      headers: { 'if-match': z.string().optional() },
      body: thing,
    });

    // Assess
    expect(request).toEqual({ path: { thingId: 42 }, query: { verbose: 'yes' }, headers: { 'if-match': '"3"' }, body: { name: 'lamp', size: 2 } });
  });

  it('lists every invalid field at once: path, query, header, then body; unknown fields by name', () => {
    // Prepare
    const event = httpEvent({
      pathParameters: { thingId: 'abc' },
      query: { verbose: 'no', sort: 'asc' },
      headers: { 'if-match': 'nope' },
      body: '{"name":"","colour":"red","shape":"round"}',
    });

    // Act
    const problem = problemOf(() => readRequest(event, { ...parameterSpec, body: thing }));

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.extensions.errors).toEqual([
      ...parameterErrors,
      { field: 'body.name', message: 'must not be empty' },
      { field: 'body.colour', message: 'is not a known field' },
      { field: 'body.shape', message: 'is not a known field' },
    ]);
  });

  it('requires a body unless it is optional, where nothing stands for {}', () => {
    const missing = problemOf(() => readRequest(httpEvent(), { body: thing }));
    const optional = readRequest(httpEvent(), { body: z.strictObject({}), optionalBody: true });

    expect(missing.extensions.errors).toEqual([{ field: 'body', message: 'is required (a JSON object)' }]);
    expect(optional.body).toEqual({});
  });

  it('applies the route\'s own body limit', () => {
    const event = httpEvent({ body: JSON.stringify({ name: 'x'.repeat(200) }) });

    expect(problemOf(() => readRequest(event, { body: thing, maxBodyBytes: 100 }))).toMatchObject({ status: 413, extensions: { maxBytes: 100 } });
  });

  it('reads headers case-insensitively (payload 2.0 lower-cases names)', () => {
    expect(headerValue(httpEvent({ headers: { 'x-thing': 'a' } }), 'X-Thing')).toBe('a');
  });
});

describe('readParameters', () => {
  const spec = parameterSpec;

  it('returns what readRequest returns for a route without a body, and ignores a body sent anyway', () => {
    // Prepare
    const event = httpEvent({ pathParameters: { thingId: '42' }, query: { verbose: 'yes' }, headers: { 'if-match': '"3"' }, body: 'not json' });

    // Act
    const parameters = readParameters(event, spec);

    // Assess
    expect(parameters).toEqual({ path: { thingId: 42 }, query: { verbose: 'yes' }, headers: { 'if-match': '"3"' } });
    expect(readRequest(event, spec)).toEqual({ ...parameters, body: undefined });
  });

  it('answers the same 400 as readRequest, every invalid parameter listed', () => {
    // Prepare
    const event = httpEvent({ pathParameters: { thingId: 'abc' }, query: { verbose: 'no', sort: 'asc' }, headers: { 'if-match': 'nope' } });

    // Act
    const problem = problemOf(() => readParameters(event, spec));

    // Assess
    expect(problem.status).toBe(400);
    expect(problem.extensions.errors).toEqual(parameterErrors);
    expect(problemOf(() => readRequest(event, spec)).extensions).toEqual(problem.extensions);
  });
});

describe('fieldErrors', () => {
  it('names every unknown field, says "is required" for missing ones, keeps other messages and indexes arrays', () => {
    // Prepare
    const schema = z.strictObject({
      locale: z.string(),
      tags: z.array(z.string().min(2, 'too short')),
      address: z.strictObject({ city: z.string().min(1, 'must not be empty') }),
    });
    const input = { nickname: 'x', tags: ['ok', 'x'], address: { city: '' } };

    // Act
    const result = schema.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
    expect(fieldErrors('body', result.error!.issues, input)).toEqual(
      expect.arrayContaining([
        { field: 'body.nickname', message: 'is not a known field' },
        { field: 'body.locale', message: 'is required' },
        { field: 'body.tags[1]', message: 'too short' },
        { field: 'body.address.city', message: 'must not be empty' },
      ]),
    );
  });
});
