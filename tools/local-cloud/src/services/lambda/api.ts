/**
 * Lambda's REST-JSON API as the SDK and CLI call it: `Invoke` (all three
 * invocation types, `Tail` logs, client context), the deprecated
 * `InvokeAsync`, `GetFunction`, `GetFunctionConfiguration`, `ListFunctions`,
 * `GetPolicy`, `GetFunctionConcurrency` and `GetFunctionEventInvokeConfig`.
 * Functions are created by `terraform apply` only, not through the API.
 */
import { offsetOf, pageFrom } from '../../core/paging';
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, ServiceHandler } from '../../core/types';
import { jsonResponse } from '../../core/protocol';
import type { LambdaService } from './lambda-service';
import type { LocalFunction } from './local-function';

const TAIL_BYTES = 4096;

const routes = {
  invoke: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/,
  invokeAsync: /^\/2014-11-13\/functions\/([^/]+)\/invoke-async\/?$/,
  configuration: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/,
  policy: /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/,
  function: /^\/2015-03-31\/functions\/([^/]+)\/?$/,
  list: /^\/2015-03-31\/functions\/?$/,
  concurrency: /^\/2019-09-30\/functions\/([^/]+)\/concurrency\/?$/,
  eventInvokeConfig: /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/,
};

function header(request: AwsRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function rest(body: unknown, status = 200, headers: Record<string, string> = {}): AwsResponse {
  return jsonResponse(body, { protocol: 'restJson1', status, headers });
}

function configuration(service: LambdaService, fn: LocalFunction) {
  const { settings } = fn;
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: settings.runtime,
    Role: settings.role ?? `arn:aws:iam::${service.context.accountId}:role/local-cloud`,
    Handler: settings.handler,
    CodeSize: fn.code.codeSize,
    Description: settings.description ?? '',
    Timeout: settings.timeoutSeconds,
    MemorySize: settings.memorySizeMb,
    LastModified: service.lastModified.get(fn.name),
    CodeSha256: fn.code.codeSha256,
    Version: '$LATEST',
    Environment: { Variables: settings.environment },
    TracingConfig: { Mode: settings.tracingMode },
    ...(settings.deadLetterTargetArn ? { DeadLetterConfig: { TargetArn: settings.deadLetterTargetArn } } : {}),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: settings.architectures,
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'JSON', LogGroup: settings.logGroupName },
  };
}

function decodeClientContext(encoded: string | undefined): unknown {
  if (!encoded) return undefined;
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as unknown;
  } catch {
    throw new AwsServiceError('InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.', 400, { Type: 'User' });
  }
}

function tailOf(lines: string[] | undefined): string | undefined {
  if (!lines) return undefined;
  const text = Buffer.from(lines.map((line) => `${line}\n`).join(''));
  return text.subarray(Math.max(0, text.length - TAIL_BYTES)).toString('base64');
}

async function invoke(service: LambdaService, request: AwsRequest, reference: string): Promise<AwsResponse> {
  const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  const qualifier = request.query.get('Qualifier') ?? undefined;
  const payload = request.body.toString('utf8');
  switch (invocationType) {
    case 'Event': {
      const requestId = service.invokeAsync(reference, payload, { qualifier });
      await service.asyncDurable();
      return { status: 202, headers: { 'x-amzn-requestid': requestId }, body: '' };
    }
    case 'DryRun': {
      service.resolve(reference, qualifier);
      return { status: 204, body: '' };
    }
    case 'RequestResponse': {
      const result = await service.invokeSync(reference, payload, {
        qualifier,
        tail: header(request, 'x-amz-log-type') === 'Tail',
        clientContext: decodeClientContext(header(request, 'x-amz-client-context')),
      });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-amzn-requestid': result.requestId,
        'x-amz-executed-version': result.executedVersion,
      };
      if (result.functionError) headers['x-amz-function-error'] = result.functionError;
      const tail = tailOf(result.logLines);
      if (tail !== undefined) headers['x-amz-log-result'] = tail;
      return { status: 200, headers, body: result.payload };
    }
    default:
      throw new AwsServiceError(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
        400,
        { Type: 'User' },
      );
  }
}

function list(service: LambdaService, request: AwsRequest): AwsResponse {
  const maxItems = Number(request.query.get('MaxItems') ?? 50);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10000) {
    throw new AwsServiceError('InvalidParameterValueException', 'MaxItems must be an integer between 1 and 10000', 400, { Type: 'User' });
  }
  const marker = request.query.get('Marker');
  const start = marker ? offsetOf(marker) : 0;
  if (start === undefined) throw new AwsServiceError('InvalidParameterValueException', 'Invalid Marker', 400, { Type: 'User' });
  const { items: page, nextToken } = pageFrom(service.registry.all(), start, maxItems);
  return rest({ Functions: page.map((fn) => configuration(service, fn)), ...(nextToken ? { NextMarker: nextToken } : {}) });
}

/**
 * @example
 * const handler = createLambdaApi(service); // serviceNames: ['lambda']
 */
export function createLambdaApi(service: LambdaService): ServiceHandler {
  return {
    serviceNames: ['lambda'],
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const { method, path } = request;
      const match = (pattern: RegExp) => {
        const found = pattern.exec(path);
        return found ? decodeURIComponent(found[1] ?? '') : undefined;
      };
      let name: string | undefined;
      if (method === 'POST' && (name = match(routes.invoke)) !== undefined) return invoke(service, request, name);
      if (method === 'POST' && (name = match(routes.invokeAsync)) !== undefined) {
        service.invokeAsync(name, request.body.toString('utf8'));
        await service.asyncDurable();
        return rest({ Status: 202 }, 202);
      }
      if (method === 'GET') {
        const qualifier = request.query.get('Qualifier') ?? undefined;
        if ((name = match(routes.configuration)) !== undefined) return rest(configuration(service, service.resolve(name, qualifier).fn));
        if ((name = match(routes.policy)) !== undefined) {
          const { fn } = service.resolve(name, qualifier);
          const document = service.permissions.policyDocument(fn.name, fn.arn);
          if (document.Statement.length === 0) {
            throw new AwsServiceError('ResourceNotFoundException', 'The resource you requested does not exist.', 404, { Type: 'User' });
          }
          return rest({ Policy: JSON.stringify(document), RevisionId: fn.code.codeSha256 });
        }
        if ((name = match(routes.concurrency)) !== undefined) {
          const { fn } = service.resolve(name);
          const reserved = fn.settings.reservedConcurrency;
          return rest(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
        }
        if ((name = match(routes.eventInvokeConfig)) !== undefined) {
          const { fn } = service.resolve(name, qualifier);
          const config = service.eventInvokeConfigs.get(fn.name);
          if (!config) {
            throw new AwsServiceError('ResourceNotFoundException', `The function ${fn.arn} doesn't have an EventInvokeConfig`, 404, { Type: 'User' });
          }
          return rest({
            FunctionArn: `${fn.arn}:${config.qualifier ?? '$LATEST'}`,
            MaximumRetryAttempts: config.maximumRetryAttempts,
            MaximumEventAgeInSeconds: config.maximumEventAgeSeconds,
            DestinationConfig: {
              ...(config.onFailure ? { OnFailure: { Destination: config.onFailure } } : {}),
              ...(config.onSuccess ? { OnSuccess: { Destination: config.onSuccess } } : {}),
            },
            LastModified: Date.now() / 1000,
          });
        }
        if ((name = match(routes.function)) !== undefined) {
          const { fn } = service.resolve(name, qualifier);
          const reserved = fn.settings.reservedConcurrency;
          return rest({
            Configuration: configuration(service, fn),
            Code: { RepositoryType: 'S3', Location: `file://${fn.code.assetPath}` },
            ...(reserved === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: reserved } }),
          });
        }
        if (routes.list.test(path)) return list(service, request);
      }
      throw new AwsServiceError(
        'UnknownOperationException',
        `The local cloud's Lambda does not emulate ${method} ${path} (functions are deployed by terraform apply; Invoke, GetFunction, ListFunctions and friends are available)`,
        400,
        { Type: 'User' },
      );
    },
  };
}
