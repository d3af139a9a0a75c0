/**
 * Attributing a request that reached the single edge endpoint to an AWS
 * service. Signed calls name their service in the SigV4 credential scope;
 * unsigned ones (Cognito `SignUp`, `InitiateAuth`…) are recognised by their
 * `X-Amz-Target` prefix or, for Lambda, by the REST path.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../core/types';

export interface RouteInfo {
  /** SigV4 service name, or undefined when nothing identifies one. */
  service?: string;
  operation?: string;
  region: string;
  accountId: string;
  /** How the service was identified, for diagnostics. */
  via: 'credential-scope' | 'presigned-credential' | 'x-amz-target' | 'path' | 'none';
  /** The access key id, when the request is signed. */
  accessKeyId?: string;
}

/** `X-Amz-Target` prefixes (the part before the dot) of JSON-RPC services → SigV4 service name. */
export const TARGET_PREFIXES: Record<string, string> = {
  AWSCognitoIdentityProviderService: 'cognito-idp',
  DynamoDB_20120810: 'dynamodb',
  // Streams requests are signed as `dynamodb` too, so both land on the same handler.
  DynamoDBStreams_20120810: 'dynamodb',
  AWSEvents: 'events',
  Firehose_20150804: 'firehose',
  AmazonSQS: 'sqs',
  AmazonSSM: 'ssm',
  Logs_20140328: 'logs',
  TrentService: 'kms',
};

/** Lambda's REST API lives under dated prefixes (`/2015-03-31/functions`, `/2019-09-25/functions/…/event-invoke-config`…). */
const LAMBDA_PATH = /^\/20\d\d-\d\d-\d\d\/(functions|event-source-mappings|layers|tags|account-settings)(\/|$)/;

/** A user pool's public key set and discovery document, as token verifiers fetch them (`<issuer>/.well-known/jwks.json`). */
const COGNITO_WELL_KNOWN = /^\/[\w-]+_[A-Za-z0-9]+\/\.well-known\/(jwks\.json|openid-configuration)$/;

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

function parseScope(credential: string): { accessKeyId: string; region: string; service: string } | undefined {
  const match = SCOPE.exec(credential);
  if (!match) return undefined;
  return { accessKeyId: match[1] as string, region: match[3] as string, service: match[4] as string };
}

/**
 * Identifies the AWS service and operation of a request.
 *
 * @example
 * resolveRoute({ authorization: 'AWS4-HMAC-SHA256 Credential=AK/20260101/eu-west-1/sqs/aws4_request, …' }, '/', new URLSearchParams())
 * // → { service: 'sqs', region: 'eu-west-1', via: 'credential-scope', … }
 */
export function resolveRoute(headers: IncomingHttpHeaders, path: string, query: URLSearchParams): RouteInfo {
  const target = typeof headers['x-amz-target'] === 'string' ? headers['x-amz-target'] : undefined;
  const operation = target && target.includes('.') ? target.slice(target.lastIndexOf('.') + 1) : undefined;
  const base = { operation, accountId: LOCAL_ACCOUNT_ID };

  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  const signed = authorization ? parseScope(authorization) : undefined;
  if (signed) {
    return { ...base, service: signed.service, region: signed.region, accessKeyId: signed.accessKeyId, via: 'credential-scope' };
  }
  const presigned = query.get('X-Amz-Credential');
  if (presigned) {
    const parsed = parseScope(`Credential=${presigned}`);
    if (parsed) return { ...base, service: parsed.service, region: parsed.region, accessKeyId: parsed.accessKeyId, via: 'presigned-credential' };
  }
  if (target) {
    const prefix = target.slice(0, target.indexOf('.'));
    const service = TARGET_PREFIXES[prefix];
    if (service) return { ...base, service, region: LOCAL_REGION, via: 'x-amz-target' };
  }
  if (LAMBDA_PATH.test(path)) return { ...base, service: 'lambda', region: LOCAL_REGION, via: 'path' };
  if (COGNITO_WELL_KNOWN.test(path)) return { ...base, service: 'cognito-idp', region: LOCAL_REGION, via: 'path' };
  return { ...base, region: LOCAL_REGION, via: 'none' };
}
