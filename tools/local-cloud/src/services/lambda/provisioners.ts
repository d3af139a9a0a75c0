/**
 * Terraform resources of the Lambda service: `aws_lambda_function`,
 * `aws_lambda_permission` and `aws_lambda_function_event_invoke_config`.
 * (`aws_lambda_event_source_mapping` with an SQS source: `sqs-event-source.ts`.)
 */
import { join } from 'node:path';
import type { ResolvedResource, ResourceAttributes, ResourceProvisioner } from '../../core/types';
import { prepareCode } from './code-assets';
import { parseEventInvokeSettings, parseFunctionSettings, parsePermission } from './function-config';
import { parseFunctionReference } from './function-registry';
import { LocalFunction } from './local-function';
import { lambdaTimestamp } from './lambda-service';
import type { LambdaService } from './lambda-service';
import { resolveNodeRuntime } from './node-runtimes';
import type { ResolvedNodeRuntime } from './node-runtimes';

function functionNameOf(reference: string, address: string): string {
  const parsed = parseFunctionReference(reference);
  if (!parsed) throw new Error(`${address}: function_name: '${reference}' is neither a function name nor a Lambda function ARN`);
  return parsed.name;
}

export function createLambdaProvisioners(service: LambdaService): ResourceProvisioner[] {
  const runtimes = new Map<string, Promise<ResolvedNodeRuntime>>();
  const namesByAddress = new Map<string, string>();
  const fingerprints = new Map<string, string>();

  function runtimeFor(runtime: string): Promise<ResolvedNodeRuntime> {
    let resolved = runtimes.get(runtime);
    if (!resolved) {
      resolved = resolveNodeRuntime(runtime, service.options.runtimes).then((node) => {
        if (node.warning) service.context.log(`lambda: ${node.warning}`, { runtime });
        else service.context.log('lambda: runtime ready', { runtime, node: node.version, binary: node.binary });
        return node;
      });
      runtimes.set(runtime, resolved);
      resolved.catch(() => runtimes.delete(runtime));
    }
    return resolved;
  }

  function attributes(fn: LocalFunction): ResourceAttributes {
    const version = fn.latestPublishedVersion ?? '$LATEST';
    const qualifiedArn = `${fn.arn}:${version}`;
    const invokeArn = (arn: string) => `arn:aws:apigateway:${service.context.region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
    return {
      id: fn.name,
      arn: fn.arn,
      function_name: fn.name,
      invoke_arn: invokeArn(fn.arn),
      qualified_arn: qualifiedArn,
      qualified_invoke_arn: invokeArn(qualifiedArn),
      version,
      handler: fn.settings.handler,
      runtime: fn.settings.runtime,
      timeout: fn.settings.timeoutSeconds,
      memory_size: fn.settings.memorySizeMb,
      reserved_concurrent_executions: fn.settings.reservedConcurrency ?? -1,
      role: fn.settings.role ?? '',
      source_code_hash: fn.code.codeSha256,
      code_sha256: fn.code.codeSha256,
      source_code_size: fn.code.codeSize,
      last_modified: service.lastModified.get(fn.name) ?? lambdaTimestamp(),
      environment: [{ variables: fn.settings.environment }],
    };
  }

  const functions: ResourceProvisioner = {
    type: 'aws_lambda_function',
    async apply(resource: ResolvedResource) {
      const settings = parseFunctionSettings(resource);
      const node = await runtimeFor(settings.runtime);
      const code = prepareCode(resource.stackDir, settings.filename, service.codeRoot);
      const fingerprint = JSON.stringify({ settings, code: code.codeSha256, taskRoot: code.taskRoot, binary: node.binary });

      const previousName = namesByAddress.get(resource.address);
      if (previousName && previousName !== settings.name) {
        await service.registry.get(previousName)?.shutdown();
        service.registry.delete(previousName);
      }
      namesByAddress.set(resource.address, settings.name);

      const existing = service.registry.get(settings.name);
      const changed = fingerprints.get(settings.name) !== fingerprint;
      const redirect = settings.local.redirect;
      if (redirect && changed) {
        service.context.log(`lambda: ${redirect.vendor} handler redirect: running ${redirect.runs}; layers are not loaded locally`, {
          function: settings.name,
          handler: redirect.layerHandler,
          [redirect.variable]: redirect.runs,
        });
      }
      if (existing) {
        if (changed) {
          existing.update(settings, code, node);
          service.lastModified.set(settings.name, lambdaTimestamp());
          service.context.log('lambda: function updated', { function: settings.name });
        }
      } else {
        const fn = new LocalFunction(settings, code, node, {
          accountId: service.context.accountId,
          region: service.context.region,
          endpoint: () => service.context.endpoint,
          logPath: join(service.logDir, `${settings.name}.log`),
          enforceMemoryLimit: service.enforceMemoryLimit,
          initTimeoutMs: service.initTimeoutMs,
          asyncScaleOut: service.asyncScaleOut,
          ...(service.context.iam ? { credentials: service.context.iam.sessionForRole.bind(service.context.iam) } : {}),
          ...(service.context.telemetry ? { telemetry: service.context.telemetry } : {}),
        });
        service.registry.set(fn);
        service.lastModified.set(settings.name, lambdaTimestamp());
        service.context.log('lambda: function created', { function: settings.name, runtime: settings.runtime, node: node.version, taskRoot: code.taskRoot });
      }
      fingerprints.set(settings.name, fingerprint);
      return attributes(service.registry.get(settings.name) as LocalFunction);
    },
    async destroy(resource: ResolvedResource) {
      const name = namesByAddress.get(resource.address) ?? String(resource.config.function_name ?? '');
      await service.registry.get(name)?.shutdown();
      service.registry.delete(name);
      fingerprints.delete(name);
      namesByAddress.delete(resource.address);
    },
  };

  const permissions: ResourceProvisioner = {
    type: 'aws_lambda_permission',
    async apply(resource: ResolvedResource) {
      const statement = parsePermission(resource);
      const name = functionNameOf(statement.functionName, resource.address);
      service.permissions.put(resource.address, statement);
      return { id: statement.statementId, statement_id: statement.statementId, function_name: name };
    },
    async destroy(resource: ResolvedResource) {
      service.permissions.remove(resource.address);
    },
  };

  const eventInvokeConfigs: ResourceProvisioner = {
    type: 'aws_lambda_function_event_invoke_config',
    async apply(resource: ResolvedResource) {
      const settings = parseEventInvokeSettings(resource);
      const name = functionNameOf(settings.functionName, resource.address);
      service.eventInvokeConfigs.set(name, settings);
      return { id: settings.qualifier ? `${name}:${settings.qualifier}` : name, function_name: name };
    },
    async destroy(resource: ResolvedResource) {
      const reference = String(resource.config.function_name ?? '');
      const parsed = parseFunctionReference(reference);
      if (parsed) service.eventInvokeConfigs.delete(parsed.name);
    },
  };

  return [functions, permissions, eventInvokeConfigs];
}
