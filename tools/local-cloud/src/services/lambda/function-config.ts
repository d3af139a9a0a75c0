/**
 * Reading the resolved Terraform configuration of the Lambda resources into
 * typed settings, with Lambda's defaults and limits and field-level errors.
 * Terraform JSON allows a nested block as an object or as a one-element list;
 * both are accepted.
 */
import * as z from 'zod';
import { AwsServiceError } from '../../core/types';
import type { ResolvedResource } from '../../core/types';
import { resolveLocalHandler } from './handler-redirect';
import type { LocalHandler } from './handler-redirect';

/** A block that may come as `{…}` or `[{…}]`; an empty list means absent. */
function block<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (Array.isArray(value) ? value[0] : value), schema.optional());
}

/** Keys Lambda refuses in `environment.variables` (it sets them itself). */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
];

const functionSchema = z.object({
  function_name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, hyphens or underscores'),
  handler: z.string().regex(/^[^\s]+\.[^\s.]+/, "must name a file and an export, e.g. 'index.handler'"),
  runtime: z.string().regex(/^nodejs\d+\.x$/, "must be a Node.js runtime such as 'nodejs22.x' (the only kind the local cloud runs)"),
  filename: z.string({ error: 'is required locally (a .zip archive or a bundle directory; s3_key and image_uri are not emulated)' }).min(1),
  timeout: z.number().int().min(1).max(900).default(3),
  memory_size: z.number().int().min(128).max(10240).default(128),
  reserved_concurrent_executions: z.number().int().min(-1).default(-1),
  publish: z.boolean().default(false),
  description: z.string().optional(),
  role: z.string().optional(),
  architectures: z.array(z.string()).optional(),
  source_code_hash: z.string().optional(),
  environment: block(z.object({ variables: z.record(z.string(), z.string()).default({}) })),
  dead_letter_config: block(z.object({ target_arn: z.string().regex(/^arn:aws[\w-]*:(sqs|sns):/, 'must be an SQS queue or SNS topic ARN') })),
  tracing_config: block(z.object({ mode: z.enum(['Active', 'PassThrough']) })),
  logging_config: block(
    z.object({
      log_format: z.enum(['Text', 'JSON']).optional(),
      log_group: z.string().optional(),
      application_log_level: z.string().optional(),
      system_log_level: z.string().optional(),
    }),
  ),
});

export type FunctionSettings = {
  name: string;
  /** As configured (what AWS and Terraform see). */
  handler: string;
  /** What runs locally: the handler, or the bundle handler a known layer wrapper redirects to. */
  local: LocalHandler;
  runtime: string;
  /** Path as written in the stack (relative to the stack folder). */
  filename: string;
  timeoutSeconds: number;
  memorySizeMb: number;
  /** Undefined when unreserved (Terraform's -1). */
  reservedConcurrency?: number;
  publish: boolean;
  environment: Record<string, string>;
  deadLetterTargetArn?: string;
  tracingMode: 'Active' | 'PassThrough';
  logGroupName: string;
  description?: string;
  role?: string;
  architectures: string[];
};

function invalid(resource: ResolvedResource, error: z.ZodError): AwsServiceError {
  const fields = error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`).join('; ');
  return new AwsServiceError('InvalidParameterValueException', `${resource.address}: ${fields}`);
}

/**
 * Parses an `aws_lambda_function` resource.
 *
 * @example
 * parseFunctionSettings({ address: 'aws_lambda_function.fn', config: { function_name: 'f', handler: 'index.handler', runtime: 'nodejs22.x', filename: 'assets/fn/abc/archive.zip' }, … })
 * // → { name: 'f', timeoutSeconds: 3, memorySizeMb: 128, … }
 */
export function parseFunctionSettings(resource: ResolvedResource): FunctionSettings {
  const parsed = functionSchema.safeParse(resource.config);
  if (!parsed.success) throw invalid(resource, parsed.error);
  const config = parsed.data;
  const environment = config.environment?.variables ?? {};
  const reserved = Object.keys(environment).filter((key) => RESERVED_ENVIRONMENT_KEYS.includes(key));
  if (reserved.length > 0) {
    throw new AwsServiceError(
      'InvalidParameterValueException',
      `${resource.address}: environment.variables: Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  }
  return {
    name: config.function_name,
    handler: config.handler,
    local: resolveLocalHandler(resource.address, config.function_name, config.handler, environment),
    runtime: config.runtime,
    filename: config.filename,
    timeoutSeconds: config.timeout,
    memorySizeMb: config.memory_size,
    reservedConcurrency: config.reserved_concurrent_executions >= 0 ? config.reserved_concurrent_executions : undefined,
    publish: config.publish,
    environment,
    deadLetterTargetArn: config.dead_letter_config?.target_arn,
    tracingMode: config.tracing_config?.mode ?? 'PassThrough',
    logGroupName: config.logging_config?.log_group ?? `/aws/lambda/${config.function_name}`,
    description: config.description,
    role: config.role,
    architectures: config.architectures ?? ['x86_64'],
  };
}

const destinationSchema = block(z.object({ destination: z.string().regex(/^arn:aws[\w-]*:(sqs|sns|lambda|events|s3):/, 'must be an SQS, SNS, Lambda, EventBridge or S3 ARN') }));

const eventInvokeConfigSchema = z.object({
  function_name: z.string().min(1),
  qualifier: z.string().optional(),
  maximum_retry_attempts: z.number().int().min(0).max(2).default(2),
  maximum_event_age_in_seconds: z.number().int().min(60).max(21600).default(21600),
  destination_config: block(z.object({ on_failure: destinationSchema, on_success: destinationSchema })),
});

export interface EventInvokeSettings {
  /** Name or ARN as written; resolved against the registry when used. */
  functionName: string;
  qualifier?: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  onFailure?: string;
  onSuccess?: string;
}

/** The async invocation settings Lambda uses when a function has no `aws_lambda_function_event_invoke_config`. */
export const DEFAULT_EVENT_INVOKE_SETTINGS = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 } as const;

/**
 * Parses an `aws_lambda_function_event_invoke_config` resource.
 *
 * @example
 * parseEventInvokeSettings(resource) // → { functionName: 'f', maximumRetryAttempts: 0, onFailure: 'arn:aws:sqs:…' }
 */
export function parseEventInvokeSettings(resource: ResolvedResource): EventInvokeSettings {
  const parsed = eventInvokeConfigSchema.safeParse(resource.config);
  if (!parsed.success) throw invalid(resource, parsed.error);
  const config = parsed.data;
  return {
    functionName: config.function_name,
    qualifier: config.qualifier,
    maximumRetryAttempts: config.maximum_retry_attempts,
    maximumEventAgeSeconds: config.maximum_event_age_in_seconds,
    onFailure: config.destination_config?.on_failure?.destination,
    onSuccess: config.destination_config?.on_success?.destination,
  };
}

const permissionSchema = z.object({
  function_name: z.string().min(1),
  action: z.string().regex(/^lambda:[A-Za-z*]+$/, "must be a Lambda action such as 'lambda:InvokeFunction'"),
  principal: z.string().min(1),
  statement_id: z.string().optional(),
  statement_id_prefix: z.string().optional(),
  source_arn: z.string().optional(),
  source_account: z.string().optional(),
  qualifier: z.string().optional(),
  function_url_auth_type: z.string().optional(),
});

export interface PermissionStatement {
  statementId: string;
  functionName: string;
  action: string;
  principal: string;
  sourceArn?: string;
  sourceAccount?: string;
  qualifier?: string;
}

/**
 * Parses an `aws_lambda_permission` resource.
 *
 * @example
 * parsePermission(resource) // → { statementId: 'AllowEventBridge', principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:…:rule/…' }
 */
export function parsePermission(resource: ResolvedResource): PermissionStatement {
  const parsed = permissionSchema.safeParse(resource.config);
  if (!parsed.success) throw invalid(resource, parsed.error);
  const config = parsed.data;
  return {
    statementId: config.statement_id ?? `${config.statement_id_prefix ?? 'terraform-'}${resource.name}`,
    functionName: config.function_name,
    action: config.action,
    principal: config.principal,
    sourceArn: config.source_arn,
    sourceAccount: config.source_account,
    qualifier: config.qualifier,
  };
}
