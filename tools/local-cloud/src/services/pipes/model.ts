/**
 * A pipe's definition — from Terraform's `aws_pipes_pipe` or the CreatePipe
 * API — validated the way EventBridge Pipes validates it, for the one
 * combination the local cloud runs: a DynamoDB stream source (with filters)
 * and an EventBridge event bus target (with an input template).
 */
import { blocks, num, str } from '../../core/config';
import { validateEventPattern } from '../../eventbridge/pattern';
import { JsonPathError, parseJsonPath } from './json-path';
import { unknownPlaceholders } from './input-template';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

export interface DynamoDbSourceParameters {
  startingPosition: StartingPosition;
  /** Records per batch (1–10000; default 1, as the Pipes DynamoDB source defaults). */
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** -1 retries until the record expires, as in AWS. */
  maximumRetryAttempts: number;
  maximumRecordAgeInSeconds: number;
  onPartialBatchItemFailure?: 'AUTOMATIC_BISECT';
  parallelizationFactor: number;
  deadLetterArn?: string;
}

export interface EventBusTargetParameters {
  source?: string;
  detailType?: string;
  resources?: string[];
  time?: string;
  endpointId?: string;
}

export interface PipeDefinition {
  name: string;
  description?: string;
  roleArn?: string;
  source: string;
  sourceParameters: DynamoDbSourceParameters;
  /** Event patterns (JSON text); a record passes when any matches. */
  filters: string[];
  target: string;
  inputTemplate?: string;
  eventBus: EventBusTargetParameters;
  desiredState: 'RUNNING' | 'STOPPED';
  tags?: Record<string, string>;
}

/** A problem with one field, as Pipes' `ValidationException.fieldList` reports it. */
export class PipeValidationError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const STREAM_ARN = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]+\/stream\/.+$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/.+$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:.+$/;

function inRange(field: string, value: number, min: number, max: number, allowMinusOne = false): number {
  if (!Number.isInteger(value) || ((value < min || value > max) && !(allowMinusOne && value === -1))) {
    throw new PipeValidationError(field, `must be an integer between ${allowMinusOne ? '-1' : min} and ${max}, got ${value}`);
  }
  return value;
}

/**
 * Checks a definition; the first problem is thrown.
 *
 * @throws PipeValidationError naming the field.
 */
export function validatePipe(pipe: PipeDefinition): PipeDefinition {
  if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(pipe.name)) throw new PipeValidationError('name', `must match [.\\-_A-Za-z0-9]+ and be 1–64 characters, got '${pipe.name}'`);
  if (!STREAM_ARN.test(pipe.source)) {
    throw new PipeValidationError('source', `the local Pipes emulates DynamoDB stream sources only (arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>), got '${pipe.source}'`);
  }
  if (!BUS_ARN.test(pipe.target)) {
    throw new PipeValidationError('target', `the local Pipes emulates event bus targets only (arn:aws:events:<region>:<account>:event-bus/<name>), got '${pipe.target}'`);
  }
  const parameters = pipe.sourceParameters;
  if (parameters.startingPosition !== 'TRIM_HORIZON' && parameters.startingPosition !== 'LATEST') {
    throw new PipeValidationError('source_parameters.dynamodb_stream_parameters.starting_position', `must be TRIM_HORIZON or LATEST, got '${String(parameters.startingPosition)}'`);
  }
  inRange('source_parameters.dynamodb_stream_parameters.batch_size', parameters.batchSize, 1, 10_000);
  inRange('source_parameters.dynamodb_stream_parameters.maximum_batching_window_in_seconds', parameters.maximumBatchingWindowInSeconds, 0, 300);
  inRange('source_parameters.dynamodb_stream_parameters.maximum_retry_attempts', parameters.maximumRetryAttempts, 0, 10_000, true);
  if (parameters.maximumRecordAgeInSeconds !== -1) inRange('source_parameters.dynamodb_stream_parameters.maximum_record_age_in_seconds', parameters.maximumRecordAgeInSeconds, 60, 604_800);
  inRange('source_parameters.dynamodb_stream_parameters.parallelization_factor', parameters.parallelizationFactor, 1, 10);
  if (parameters.onPartialBatchItemFailure !== undefined && parameters.onPartialBatchItemFailure !== 'AUTOMATIC_BISECT') {
    throw new PipeValidationError('source_parameters.dynamodb_stream_parameters.on_partial_batch_item_failure', `must be AUTOMATIC_BISECT, got '${String(parameters.onPartialBatchItemFailure)}'`);
  }
  if (parameters.deadLetterArn !== undefined && !QUEUE_ARN.test(parameters.deadLetterArn)) {
    throw new PipeValidationError('source_parameters.dynamodb_stream_parameters.dead_letter_config.arn', `the local Pipes sends dead letters to SQS queues only, got '${parameters.deadLetterArn}'`);
  }
  if (pipe.filters.length > 5) throw new PipeValidationError('source_parameters.filter_criteria.filter', `at most 5 filters are allowed, got ${pipe.filters.length}`);
  pipe.filters.forEach((pattern, index) => {
    const result = validateEventPattern(pattern);
    if (!result.valid) throw new PipeValidationError(`source_parameters.filter_criteria.filter[${index}].pattern`, result.error.message);
  });
  if (pipe.inputTemplate !== undefined) {
    if (pipe.inputTemplate.length > 8192) throw new PipeValidationError('target_parameters.input_template', 'must be at most 8192 characters');
    const unknown = unknownPlaceholders(pipe.inputTemplate);
    if (unknown.length) throw new PipeValidationError('target_parameters.input_template', `unknown variable(s) ${unknown.map((name) => `<${name}>`).join(', ')}: use <$.json.path> or <aws.pipes.…> reserved variables`);
    for (const match of pipe.inputTemplate.matchAll(/<(\$[^<>\s]*)>/g)) checkPath('target_parameters.input_template', match[1] as string);
  }
  for (const [field, value] of Object.entries({ source: pipe.eventBus.source, detail_type: pipe.eventBus.detailType, time: pipe.eventBus.time })) {
    if (value?.startsWith('$')) checkPath(`target_parameters.eventbridge_event_bus_parameters.${field}`, value);
  }
  return pipe;
}

function checkPath(field: string, path: string): void {
  try {
    parseJsonPath(path);
  } catch (error) {
    if (error instanceof JsonPathError) throw new PipeValidationError(field, error.message);
    throw error;
  }
}

function patternText(value: unknown, field: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return JSON.stringify(value);
  throw new PipeValidationError(field, 'each filter needs a pattern');
}

/**
 * `aws_pipes_pipe` configuration → definition.
 *
 * @throws Error naming the resource address and field.
 */
export function pipeFromTerraform(config: Record<string, unknown>, address: string): PipeDefinition {
  const name = str(config, 'name', address);
  const sourceParameters = blocks(config.source_parameters)[0] ?? {};
  const stream = blocks(sourceParameters.dynamodb_stream_parameters)[0];
  if (!stream) throw new Error(`${address}: source_parameters.dynamodb_stream_parameters is required for a DynamoDB stream source`);
  const deadLetter = blocks(stream.dead_letter_config)[0];
  const filters = blocks(blocks(sourceParameters.filter_criteria)[0]?.filter).map((filter, index) => patternText(filter.pattern, `source_parameters.filter_criteria.filter[${index}].pattern`));
  const targetParameters = blocks(config.target_parameters)[0] ?? {};
  const bus = blocks(targetParameters.eventbridge_event_bus_parameters)[0] ?? {};
  const where = `${address}.source_parameters.dynamodb_stream_parameters`;
  const definition: PipeDefinition = {
    name,
    description: str(config, 'description', address, true),
    roleArn: str(config, 'role_arn', address, true),
    source: str(config, 'source', address),
    sourceParameters: {
      startingPosition: str(stream, 'starting_position', where) as StartingPosition,
      batchSize: num(stream.batch_size) ?? 1,
      maximumBatchingWindowInSeconds: num(stream.maximum_batching_window_in_seconds) ?? 0,
      maximumRetryAttempts: num(stream.maximum_retry_attempts) ?? -1,
      maximumRecordAgeInSeconds: num(stream.maximum_record_age_in_seconds) ?? -1,
      onPartialBatchItemFailure: (str(stream, 'on_partial_batch_item_failure', where, true) || undefined) as DynamoDbSourceParameters['onPartialBatchItemFailure'],
      parallelizationFactor: num(stream.parallelization_factor) ?? 1,
      deadLetterArn: deadLetter ? str(deadLetter, 'arn', `${where}.dead_letter_config`, true) || undefined : undefined,
    },
    filters,
    target: str(config, 'target', address),
    inputTemplate: str(targetParameters, 'input_template', `${address}.target_parameters`, true) || undefined,
    eventBus: {
      source: str(bus, 'source', `${address}.target_parameters.eventbridge_event_bus_parameters`, true) || undefined,
      detailType: str(bus, 'detail_type', `${address}.target_parameters.eventbridge_event_bus_parameters`, true) || undefined,
      resources: Array.isArray(bus.resources) ? bus.resources.map(String) : undefined,
      time: str(bus, 'time', `${address}.target_parameters.eventbridge_event_bus_parameters`, true) || undefined,
      endpointId: str(bus, 'endpoint_id', `${address}.target_parameters.eventbridge_event_bus_parameters`, true) || undefined,
    },
    desiredState: ((str(config, 'desired_state', address, true) || 'RUNNING') as string).toUpperCase() === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    tags: (config.tags as Record<string, string> | undefined) ?? undefined,
  };
  if (config.enrichment) throw new Error(`${address}: enrichment is not emulated by the local Pipes`);
  try {
    return validatePipe(definition);
  } catch (error) {
    throw new Error(`${address}: ${(error as Error).message}`);
  }
}

interface ApiPipeInput {
  Description?: string;
  RoleArn?: string;
  Source?: string;
  SourceParameters?: {
    DynamoDBStreamParameters?: {
      StartingPosition?: string;
      BatchSize?: number;
      MaximumBatchingWindowInSeconds?: number;
      MaximumRetryAttempts?: number;
      MaximumRecordAgeInSeconds?: number;
      OnPartialBatchItemFailure?: string;
      ParallelizationFactor?: number;
      DeadLetterConfig?: { Arn?: string };
    };
    FilterCriteria?: { Filters?: Array<{ Pattern?: string }> };
  };
  Enrichment?: string;
  Target?: string;
  TargetParameters?: { InputTemplate?: string; EventBridgeEventBusParameters?: { Source?: string; DetailType?: string; Resources?: string[]; Time?: string; EndpointId?: string } };
  DesiredState?: string;
  Tags?: Record<string, string>;
}

/** A Terraform-style field path as the API names it (`source_parameters.filter_criteria.filter[0]` → `sourceParameters.filterCriteria.filters[0]`). */
export function apiFieldName(field: string): string {
  const special: Record<string, string> = { dynamodb_stream_parameters: 'dynamoDBStreamParameters', eventbridge_event_bus_parameters: 'eventBridgeEventBusParameters', filter: 'filters' };
  return field
    .split('.')
    .map((segment) => {
      const [name, index] = segment.split('[') as [string, string | undefined];
      const converted = special[name] ?? name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
      return index === undefined ? converted : `${converted}[${index}`;
    })
    .join('.');
}

/** CreatePipe/UpdatePipe body → definition (validated; field names in errors as the API spells them). */
export function pipeFromApi(name: string, input: ApiPipeInput): PipeDefinition {
  try {
    return pipeFromApiUnchecked(name, input);
  } catch (error) {
    if (error instanceof PipeValidationError) throw new PipeValidationError(apiFieldName(error.field), error.message.slice(error.field.length + 2));
    throw error;
  }
}

function pipeFromApiUnchecked(name: string, input: ApiPipeInput): PipeDefinition {
  const stream = input.SourceParameters?.DynamoDBStreamParameters;
  if (!stream) throw new PipeValidationError('sourceParameters.dynamoDBStreamParameters', 'is required for a DynamoDB stream source');
  if (input.Enrichment) throw new PipeValidationError('enrichment', 'enrichment is not emulated by the local Pipes');
  const bus = input.TargetParameters?.EventBridgeEventBusParameters ?? {};
  return validatePipe({
    name,
    description: input.Description,
    roleArn: input.RoleArn,
    source: input.Source ?? '',
    sourceParameters: {
      startingPosition: stream.StartingPosition as StartingPosition,
      batchSize: stream.BatchSize ?? 1,
      maximumBatchingWindowInSeconds: stream.MaximumBatchingWindowInSeconds ?? 0,
      maximumRetryAttempts: stream.MaximumRetryAttempts ?? -1,
      maximumRecordAgeInSeconds: stream.MaximumRecordAgeInSeconds ?? -1,
      onPartialBatchItemFailure: stream.OnPartialBatchItemFailure as DynamoDbSourceParameters['onPartialBatchItemFailure'],
      parallelizationFactor: stream.ParallelizationFactor ?? 1,
      deadLetterArn: stream.DeadLetterConfig?.Arn,
    },
    filters: (input.SourceParameters?.FilterCriteria?.Filters ?? []).map((filter, index) => patternText(filter.Pattern, `sourceParameters.filterCriteria.filters[${index}].pattern`)),
    target: input.Target ?? '',
    inputTemplate: input.TargetParameters?.InputTemplate || undefined,
    eventBus: { source: bus.Source, detailType: bus.DetailType, resources: bus.Resources, time: bus.Time, endpointId: bus.EndpointId },
    desiredState: input.DesiredState === 'STOPPED' ? 'STOPPED' : 'RUNNING',
    tags: input.Tags,
  });
}

/** Definition → the parameter shapes DescribePipe returns. */
export function describeParameters(pipe: PipeDefinition): { SourceParameters: Record<string, unknown>; TargetParameters: Record<string, unknown> } {
  const parameters = pipe.sourceParameters;
  const bus = pipe.eventBus;
  return {
    SourceParameters: {
      DynamoDBStreamParameters: {
        StartingPosition: parameters.startingPosition,
        BatchSize: parameters.batchSize,
        MaximumBatchingWindowInSeconds: parameters.maximumBatchingWindowInSeconds,
        MaximumRetryAttempts: parameters.maximumRetryAttempts,
        MaximumRecordAgeInSeconds: parameters.maximumRecordAgeInSeconds,
        ParallelizationFactor: parameters.parallelizationFactor,
        ...(parameters.onPartialBatchItemFailure ? { OnPartialBatchItemFailure: parameters.onPartialBatchItemFailure } : {}),
        ...(parameters.deadLetterArn ? { DeadLetterConfig: { Arn: parameters.deadLetterArn } } : {}),
      },
      ...(pipe.filters.length ? { FilterCriteria: { Filters: pipe.filters.map((Pattern) => ({ Pattern })) } } : {}),
    },
    TargetParameters: {
      ...(pipe.inputTemplate ? { InputTemplate: pipe.inputTemplate } : {}),
      EventBridgeEventBusParameters: Object.fromEntries(
        Object.entries({ Source: bus.source, DetailType: bus.detailType, Resources: bus.resources, Time: bus.time, EndpointId: bus.endpointId }).filter(([, value]) => value !== undefined),
      ),
    },
  };
}
