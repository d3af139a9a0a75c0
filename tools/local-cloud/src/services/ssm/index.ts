/**
 * SSM Parameter Store module: the `ssm` API (awsJson1_1), the
 * `aws_ssm_parameter` resource and the `aws_ssm_parameter` data source —
 * the last is how a service stack reads platform values (the bus name) at
 * apply time without a cross-stack reference.
 */
import { offsetOf, pageFrom } from '../../core/paging';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { OPERATOR_SECRETS_OUTPUT } from '@kestrel/service-manifest';
import { AwsServiceError } from '../../core/types';
import type {
  AwsRequest,
  AwsResponse,
  DataSourceReader,
  LocalCloudContext,
  LocalServiceFactory,
  LocalServiceModule,
  ResolvedResource,
  ResourceProvisioner,
} from '../../core/types';
import { jsonResponse, parseJsonBody } from '../../core/protocol';
import { ParameterStore, validateName } from './parameter-store';
import type { ParameterType, StoredParameter } from './parameter-store';

/**
 * A local stand-in for a secret an operator generates in AWS: 32 cryptographically random bytes,
 * base64 (what `openssl rand -base64 32` gives, the form runbooks ask for).
 */
export function generateLocalSecret(): string {
  return randomBytes(32).toString('base64');
}

function parameterArn(context: { region: string; accountId: string }, name: string): string {
  return `arn:aws:ssm:${context.region}:${context.accountId}:parameter/${name.replace(/^\//, '')}`;
}

function toApi(parameter: StoredParameter, context: { region: string; accountId: string }) {
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: parameter.value,
    Version: parameter.version,
    // awsJson timestamps are epoch seconds.
    LastModifiedDate: parameter.lastModified / 1000,
    ARN: parameterArn(context, parameter.name),
    DataType: parameter.dataType,
  };
}

function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') throw new AwsServiceError('ValidationException', `${field} is required and must be a string`);
  return value;
}

function pageOf<T>(items: T[], input: Record<string, unknown>, maxAllowed: number): { page: T[]; NextToken?: string } {
  const max = input.MaxResults === undefined ? maxAllowed : Number(input.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > maxAllowed) {
    throw new AwsServiceError('ValidationException', `MaxResults must be an integer between 1 and ${maxAllowed}`);
  }
  const start = input.NextToken === undefined ? 0 : offsetOf(String(input.NextToken));
  if (start === undefined) throw new AwsServiceError('InvalidNextToken', 'The NextToken is not valid');
  const { items: page, nextToken } = pageFrom(items, start, max);
  return nextToken ? { page, NextToken: nextToken } : { page };
}

/**
 * @example
 * const ssm = createSsmModule(context);
 * // SSMClient({ endpoint }) → PutParameter / GetParameter / GetParametersByPath …
 */
export const createSsmModule: LocalServiceFactory = (context: LocalCloudContext): LocalServiceModule => {
  const store = new ParameterStore(context.inMemory ? undefined : join(context.dataDir, 'ssm', 'parameters.json'));

  const operations: Record<string, (input: Record<string, unknown>, request: AwsRequest) => unknown> = {
    PutParameter(input) {
      const Version = store.put({
        name: requireString(input, 'Name'),
        value: requireString(input, 'Value'),
        type: input.Type as ParameterType | undefined,
        overwrite: input.Overwrite === true,
        description: input.Description as string | undefined,
        dataType: input.DataType as string | undefined,
      });
      return { Version, Tier: 'Standard' };
    },
    GetParameter(input, request) {
      return { Parameter: toApi(store.require(requireString(input, 'Name')), request) };
    },
    GetParameters(input, request) {
      const names = input.Names;
      if (!Array.isArray(names) || names.length === 0 || names.length > 10) {
        throw new AwsServiceError('ValidationException', 'Names must be a list of 1 to 10 parameter names');
      }
      const Parameters = [];
      const InvalidParameters: string[] = [];
      for (const name of names as string[]) {
        try {
          Parameters.push(toApi(store.require(name), request));
        } catch {
          InvalidParameters.push(name);
        }
      }
      return { Parameters, InvalidParameters };
    },
    GetParametersByPath(input, request) {
      const all = store.byPath(requireString(input, 'Path'), input.Recursive === true);
      const { page, NextToken } = pageOf(all, input, 10);
      return { Parameters: page.map((parameter) => toApi(parameter, request)), NextToken };
    },
    DescribeParameters(input) {
      const { page, NextToken } = pageOf(store.list(), input, 50);
      return {
        Parameters: page.map((parameter) => ({
          Name: parameter.name,
          Type: parameter.type,
          Version: parameter.version,
          Description: parameter.description,
          LastModifiedDate: parameter.lastModified / 1000,
          DataType: parameter.dataType,
          Tier: 'Standard',
        })),
        NextToken,
      };
    },
    DeleteParameter(input) {
      store.delete(requireString(input, 'Name'));
      return {};
    },
    DeleteParameters(input) {
      const names = input.Names;
      if (!Array.isArray(names) || names.length === 0 || names.length > 10) {
        throw new AwsServiceError('ValidationException', 'Names must be a list of 1 to 10 parameter names');
      }
      const DeletedParameters: string[] = [];
      const InvalidParameters: string[] = [];
      for (const name of names as string[]) {
        if (store.get(name)) {
          store.delete(name);
          DeletedParameters.push(name);
        } else {
          InvalidParameters.push(name);
        }
      }
      return { DeletedParameters, InvalidParameters };
    },
    AddTagsToResource() {
      // Tags have no local effect; accepting them keeps Terraform-style tagging calls working.
      return {};
    },
  };

  const handler = {
    serviceNames: ['ssm'],
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const operation = request.operation && operations[request.operation];
      if (!operation) {
        throw new AwsServiceError(
          'UnknownOperationException',
          `SSM operation '${request.operation ?? '(no X-Amz-Target)'}' is not emulated locally; supported: ${Object.keys(operations).join(', ')}`,
        );
      }
      return jsonResponse(operation(parseJsonBody(request), request), { protocol: 'awsJson1_1' });
    },
  };

  /**
   * The value to store for a parameter resource. A SecureString whose `value` Terraform ignores
   * (`lifecycle.ignore_changes`) is a secret that a person puts by hand in AWS, Terraform only
   * seeding a placeholder; locally that person is missing, so the first apply generates the
   * secret (see {@link generateLocalSecret}) and every later apply keeps whatever the parameter
   * holds (generated, or put by hand with PutParameter).
   */
  function valueToStore(resource: ResolvedResource, type: ParameterType, name: string, configured: string): string {
    const ignored = resource.ignoreChanges;
    const setByHand = type === 'SecureString' && (ignored === 'all' || (ignored?.includes('value') ?? false));
    if (!setByHand) return configured;
    const existing = store.get(name);
    const seed = (resource.declared ?? resource.config).value;
    if (existing && existing.value !== seed) return existing.value;
    context.log(`ssm: ${name} is a secret set by hand in AWS (SecureString, value in lifecycle.ignore_changes): generated a random local value, kept across restarts`);
    return generateLocalSecret();
  }

  const provisioner: ResourceProvisioner = {
    type: 'aws_ssm_parameter',
    async apply(resource: ResolvedResource) {
      const config = resource.config;
      const name = validateName(config.name, `${resource.address}.name`);
      const configured = config.value ?? config.insecure_value;
      if (typeof configured !== 'string') throw new Error(`${resource.address}: 'value' (or 'insecure_value') must be a string`);
      const type = (config.type as ParameterType | undefined) ?? 'String';
      const value = valueToStore(resource, type, name, configured);
      const existing = store.get(name);
      // Re-applying the same value must not bump the version (idempotent apply).
      const version =
        existing && existing.value === value && existing.type === type
          ? existing.version
          : store.put({ name, value, type, overwrite: true, description: config.description as string | undefined });
      return { id: name, name, arn: parameterArn(context, name), type, value, insecure_value: type === 'SecureString' ? undefined : value, version };
    },
    async refresh(_resource, previous) {
      // A value put since the last apply (PutParameter by hand) is the parameter's current value.
      const current = typeof previous.name === 'string' ? store.get(previous.name) : undefined;
      if (!current) return previous;
      return { ...previous, value: current.value, insecure_value: current.type === 'SecureString' ? undefined : current.value, version: current.version, type: current.type };
    },
    async destroy(_resource, attributes) {
      if (typeof attributes.name === 'string' && store.get(attributes.name)) store.delete(attributes.name);
    },
  };

  const dataSource: DataSourceReader = {
    type: 'aws_ssm_parameter',
    async read(resource: ResolvedResource) {
      const name = resource.config.name;
      if (typeof name !== 'string') throw new Error(`data.${resource.address}: 'name' must be a string`);
      const parameter = store.get(name);
      if (!parameter) {
        throw new Error(
          `data.${resource.address} (stack ${resource.stack}): SSM parameter '${name}' does not exist — apply the stack that creates it (the platform stack) first`,
        );
      }
      return {
        id: name,
        name,
        arn: parameterArn(context, name),
        type: parameter.type,
        value: parameter.value,
        insecure_value: parameter.value,
        version: parameter.version,
      };
    },
  };

  return {
    name: 'ssm',
    handlers: [handler],
    provisioners: [provisioner],
    dataSources: [dataSource],
    state: [
      {
        stateKey: 'parameters',
        describe: () => store.list().map((parameter) => ({ name: parameter.name, type: parameter.type, version: parameter.version, value: parameter.type === 'SecureString' ? '(secure)' : parameter.value })),
      },
    ],
    /**
     * A stack's `operator-secrets` output names SecureStrings an operator creates by hand in AWS
     * (Terraform never sees their values). Offline nobody is there to do it, so the first apply
     * generates each missing one (32 random bytes, base64: what `openssl rand -base64 32` gives)
     * and every later start keeps it, like the operator's value; one put by hand wins.
     */
    afterStackApplied(stack) {
      const names = stack.outputs[OPERATOR_SECRETS_OUTPUT];
      if (!Array.isArray(names)) return;
      for (const name of names) {
        if (typeof name !== 'string' || store.get(name)) continue;
        store.put({ name, value: generateLocalSecret(), type: 'SecureString', overwrite: false, description: `generated by the local cloud for ${stack.name} (an operator's secret in AWS)` });
        context.log(`ssm: ${name} is an operator's secret (${stack.name} output ${OPERATOR_SECRETS_OUTPUT}): generated a random local value, kept across restarts`);
      }
    },
    async stop() {},
  };
};
