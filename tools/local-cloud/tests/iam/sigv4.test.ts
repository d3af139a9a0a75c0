import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signingKeyId, verifySignature } from '../../src/iam/sigv4';
import { sign } from './support';

// AWS's published SigV4 example ("Create a signed AWS API request", IAM ListUsers, GET with query):
// secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1, iam.
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const exampleHeaders = {
  host: 'iam.amazonaws.com',
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  'x-amz-date': '20150830T123600Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
};
const example = { method: 'GET', rawUrl: '/?Action=ListUsers&Version=2010-05-08', headers: exampleHeaders, body: Buffer.alloc(0), service: 'iam' };

describe('verifySignature', () => {
  it("accepts AWS's published example and refuses it with another secret", () => {
    expect(verifySignature(example, SECRET)).toEqual({ ok: true });
    expect(verifySignature(example, `${SECRET}x`)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses a changed query, header or method', () => {
    expect(verifySignature({ ...example, rawUrl: '/?Action=ListRoles&Version=2010-05-08' }, SECRET).ok).toBe(false);
    expect(verifySignature({ ...example, headers: { ...exampleHeaders, 'x-amz-date': '20150830T123601Z' } }, SECRET).ok).toBe(false);
    expect(verifySignature({ ...example, method: 'POST' }, SECRET).ok).toBe(false);
  });

  it('checks the body through its hash, and a declared hash against the body', () => {
    const body = '{"TableName":"orders"}';
    const headers = sign('ASIALCTEST', 's3cret', body);
    const request = { method: 'POST', rawUrl: '/', headers, body: Buffer.from(body), service: 'dynamodb' };
    expect(verifySignature(request, 's3cret')).toEqual({ ok: true });
    expect(verifySignature({ ...request, body: Buffer.from(body.replace('orders', 'others')) }, 's3cret').ok).toBe(false);
    const declared = { ...request, headers: { ...headers, 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') } };
    expect(verifySignature(declared, 's3cret').ok).toBe(false);
  });

  it('calls a request without a signature malformed', () => {
    expect(verifySignature({ ...example, headers: { host: 'x' } }, SECRET)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('signingKeyId', () => {
  it('reads the key from the Authorization header or a presigned URL', () => {
    expect(signingKeyId({ headers: exampleHeaders, rawUrl: '/' })).toBe('AKIDEXAMPLE');
    expect(signingKeyId({ headers: {}, rawUrl: '/b/k?X-Amz-Credential=ASIALCX%2F20261207%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=ab' })).toBe('ASIALCX');
    expect(signingKeyId({ headers: {}, rawUrl: '/' })).toBeUndefined();
  });
});
