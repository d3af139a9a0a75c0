/**
 * The Pipes REST-JSON API (`/v1/pipes…`, SigV4 service `pipes`):
 * CreatePipe, DescribePipe, ListPipes, UpdatePipe, DeletePipe, StartPipe,
 * StopPipe. Timestamps are epoch seconds, as REST-JSON serializes them.
 */
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, ServiceHandler } from '../../core/types';
import { jsonResponse, parseJsonBody } from '../../core/protocol';
import { describeParameters, pipeFromApi, PipeValidationError } from './model';
import type { PipesService } from './pipes-service';

const seconds = (epochMs: number) => epochMs / 1000;

function validation(error: unknown): never {
  if (error instanceof PipeValidationError) {
    throw new AwsServiceError('ValidationException', error.message, 400, { fieldList: [{ name: error.field, message: error.message }] });
  }
  throw error;
}

export function createPipesApi(service: PipesService): ServiceHandler {
  const status = (name: string) => {
    const pipe = service.get(name);
    return {
      Arn: service.arnOf(name),
      Name: name,
      DesiredState: pipe.definition.desiredState,
      CurrentState: pipe.currentState,
      CreationTime: seconds(pipe.createdAt),
      LastModifiedTime: seconds(pipe.modifiedAt),
    };
  };

  const describe = (name: string) => {
    const pipe = service.get(name);
    const definition = pipe.definition;
    return {
      ...status(name),
      ...(definition.description ? { Description: definition.description } : {}),
      ...(pipe.stats.lastError ? { StateReason: pipe.stats.lastError.slice(0, 512) } : {}),
      Source: definition.source,
      Target: definition.target,
      ...(definition.roleArn ? { RoleArn: definition.roleArn } : {}),
      ...describeParameters(definition),
      Tags: definition.tags ?? {},
    };
  };

  return {
    serviceNames: ['pipes'],
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const ok = (body: unknown) => jsonResponse(body, { protocol: 'restJson1' });
      if (request.path === '/v1/pipes' && request.method === 'GET') {
        const query = request.query;
        const limit = Number(query.get('Limit') ?? 100);
        const offset = Number(query.get('NextToken') ?? 0) || 0;
        const matching = service
          .names()
          .map((name) => service.get(name))
          .filter(
            (pipe) =>
              pipe.definition.name.startsWith(query.get('NamePrefix') ?? '') &&
              pipe.definition.source.startsWith(query.get('SourcePrefix') ?? '') &&
              pipe.definition.target.startsWith(query.get('TargetPrefix') ?? '') &&
              (!query.get('DesiredState') || pipe.definition.desiredState === query.get('DesiredState')) &&
              (!query.get('CurrentState') || pipe.currentState === query.get('CurrentState')),
          );
        const page = matching.slice(offset, offset + limit);
        return ok({
          Pipes: page.map((pipe) => ({ ...status(pipe.definition.name), Source: pipe.definition.source, Target: pipe.definition.target })),
          ...(offset + limit < matching.length ? { NextToken: String(offset + limit) } : {}),
        });
      }
      const match = /^\/v1\/pipes\/([^/]+)(\/(start|stop))?$/.exec(request.path);
      if (!match) throw new AwsServiceError('UnknownOperationException', `The local Pipes does not implement ${request.method} ${request.path}`, 404);
      const name = decodeURIComponent(match[1] as string);
      const action = match[3];
      if (action && request.method === 'POST') {
        await service.setDesiredState(name, action === 'start' ? 'RUNNING' : 'STOPPED');
        return ok(status(name));
      }
      switch (request.method) {
        case 'GET':
          return ok(describe(name));
        case 'POST': {
          let definition;
          try {
            definition = pipeFromApi(name, parseJsonBody(request));
          } catch (error) {
            validation(error);
          }
          service.create(definition);
          return ok(status(name));
        }
        case 'PUT': {
          service.get(name);
          let definition;
          try {
            definition = pipeFromApi(name, { ...describeForUpdate(service, name), ...parseJsonBody(request) });
          } catch (error) {
            validation(error);
          }
          await service.update(definition);
          return ok(status(name));
        }
        case 'DELETE': {
          const before = status(name);
          await service.delete(name);
          return ok({ ...before, DesiredState: 'DELETED', CurrentState: 'DELETING' });
        }
      }
      throw new AwsServiceError('UnknownOperationException', `The local Pipes does not implement ${request.method} ${request.path}`, 404);
    },
  };
}

/** UpdatePipe leaves the source ARN alone (it cannot change); the rest comes from the request. */
function describeForUpdate(service: PipesService, name: string): Record<string, unknown> {
  const definition = service.get(name).definition;
  return { Source: definition.source, Target: definition.target, ...describeParameters(definition) };
}
