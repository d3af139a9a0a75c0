/**
 * Delivery stream configuration from its two sources — the API's
 * `ExtendedS3DestinationConfiguration` and Terraform's
 * `aws_kinesis_firehose_delivery_stream` — into one model, and back out as
 * `DescribeDeliveryStream` answers it.
 */
import { AwsServiceError } from '../../core/types';
import { blocks, bool, num, str } from '../../core/config';
import type { DeliveryStreamConfig, S3DestinationConfig } from './delivery-stream';
import type { ProcessorConfig } from './processing';

const DEFAULT_BUFFER_MIB = 5;
const DEFAULT_BUFFER_SECONDS = 300;

function compression(value: unknown, where: string): S3DestinationConfig['compressionFormat'] {
  const format = value === undefined || value === null || value === '' ? 'UNCOMPRESSED' : String(value);
  if (format !== 'UNCOMPRESSED' && format !== 'GZIP') {
    throw new Error(`${where}: compression format '${format}' is not emulated locally (UNCOMPRESSED or GZIP)`);
  }
  return format;
}

function bufferingHints(sizeMiB: number | undefined, intervalSeconds: number | undefined, where: string): Pick<S3DestinationConfig, 'bufferingSizeMiB' | 'bufferingIntervalSeconds'> {
  const size = sizeMiB ?? DEFAULT_BUFFER_MIB;
  const interval = intervalSeconds ?? DEFAULT_BUFFER_SECONDS;
  if (!(size >= 1 && size <= 128)) throw new Error(`${where}: buffering size must be 1–128 MiB, got ${size}`);
  if (!(interval >= 0 && interval <= 900)) throw new Error(`${where}: buffering interval must be 0–900 seconds, got ${interval}`);
  return { bufferingSizeMiB: size, bufferingIntervalSeconds: interval };
}

interface ApiProcessor {
  Type?: string;
  Parameters?: Array<{ ParameterName?: string; ParameterValue?: string }>;
}

interface ApiExtendedS3 {
  BucketARN?: string;
  Prefix?: string;
  ErrorOutputPrefix?: string;
  BufferingHints?: { SizeInMBs?: number; IntervalInSeconds?: number };
  CompressionFormat?: string;
  FileExtension?: string;
  CustomTimeZone?: string;
  DynamicPartitioningConfiguration?: { Enabled?: boolean };
  ProcessingConfiguration?: { Enabled?: boolean; Processors?: ApiProcessor[] };
  DataFormatConversionConfiguration?: { Enabled?: boolean };
}

/**
 * `CreateDeliveryStream` input → model.
 *
 * @throws AwsServiceError (`InvalidArgumentException`) for destinations the local Firehose does not emulate.
 */
export function configFromApi(input: Record<string, unknown>): DeliveryStreamConfig {
  const name = input.DeliveryStreamName;
  if (typeof name !== 'string' || name === '') {
    throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null");
  }
  const type = (input.DeliveryStreamType as string | undefined) ?? 'DirectPut';
  if (type !== 'DirectPut') throw new AwsServiceError('InvalidArgumentException', `DeliveryStreamType '${type}' is not emulated locally (DirectPut only)`);
  const extended = (input.ExtendedS3DestinationConfiguration ?? input.S3DestinationConfiguration) as ApiExtendedS3 | undefined;
  if (!extended) {
    const given = Object.keys(input).filter((key) => key.endsWith('DestinationConfiguration'));
    throw new AwsServiceError('InvalidArgumentException', `Only S3 destinations are emulated locally; got ${given.join(', ') || 'no destination configuration'}`);
  }
  if (!extended.BucketARN) throw new AwsServiceError('InvalidArgumentException', 'ExtendedS3DestinationConfiguration.BucketARN is required');
  if (extended.DataFormatConversionConfiguration?.Enabled) throw new AwsServiceError('InvalidArgumentException', 'Record format conversion (Parquet/ORC) is not emulated locally');
  try {
    const processors: ProcessorConfig[] = (extended.ProcessingConfiguration?.Processors ?? []).map((processor) => ({
      type: String(processor.Type),
      parameters: Object.fromEntries((processor.Parameters ?? []).map((parameter) => [String(parameter.ParameterName), String(parameter.ParameterValue)])),
    }));
    const tags = Array.isArray(input.Tags) ? Object.fromEntries((input.Tags as Array<{ Key: string; Value?: string }>).map((tag) => [tag.Key, tag.Value ?? ''])) : undefined;
    return {
      name,
      type: 'DirectPut',
      tags,
      destination: {
        bucketArn: extended.BucketARN,
        prefix: extended.Prefix || undefined,
        errorOutputPrefix: extended.ErrorOutputPrefix || undefined,
        ...bufferingHints(extended.BufferingHints?.SizeInMBs, extended.BufferingHints?.IntervalInSeconds, 'BufferingHints'),
        compressionFormat: compression(extended.CompressionFormat, 'CompressionFormat'),
        fileExtension: extended.FileExtension || undefined,
        customTimeZone: extended.CustomTimeZone || undefined,
        dynamicPartitioning: extended.DynamicPartitioningConfiguration?.Enabled === true,
        processingEnabled: extended.ProcessingConfiguration?.Enabled === true,
        processors,
      },
    };
  } catch (error) {
    if (error instanceof AwsServiceError) throw error;
    throw new AwsServiceError('InvalidArgumentException', (error as Error).message);
  }
}

/**
 * `aws_kinesis_firehose_delivery_stream` configuration → model.
 *
 * @throws Error naming the resource address and attribute.
 * @example
 * configFromTerraform({ name: 'events', destination: 'extended_s3', extended_s3_configuration: { bucket_arn: 'arn:aws:s3:::raw', role_arn: '…' } }, 'aws_kinesis_firehose_delivery_stream.events')
 */
export function configFromTerraform(config: Record<string, unknown>, address: string): DeliveryStreamConfig {
  const name = str(config, 'name', address);
  const destination = str(config, 'destination', address);
  if (destination !== 'extended_s3') {
    throw new Error(`${address}: destination '${destination}' is not emulated by the local Firehose (only extended_s3)`);
  }
  const where = `${address}.extended_s3_configuration`;
  const s3 = blocks(config.extended_s3_configuration)[0];
  if (!s3) throw new Error(`${address}: destination is extended_s3 but there is no extended_s3_configuration block`);
  if (blocks(s3.data_format_conversion_configuration).some((block) => bool(block.enabled, true))) {
    throw new Error(`${where}.data_format_conversion_configuration: record format conversion is not emulated locally`);
  }
  const processing = blocks(s3.processing_configuration)[0];
  const processors: ProcessorConfig[] = blocks(processing?.processors).map((processor, index) => ({
    type: str(processor, 'type', `${where}.processing_configuration.processors[${index}]`),
    parameters: Object.fromEntries(
      blocks(processor.parameters).map((parameter) => [
        str(parameter, 'parameter_name', `${where}.processing_configuration.processors[${index}].parameters`),
        str(parameter, 'parameter_value', `${where}.processing_configuration.processors[${index}].parameters`),
      ]),
    ),
  }));
  const dynamic = blocks(s3.dynamic_partitioning_configuration)[0];
  return {
    name,
    type: 'DirectPut',
    tags: (config.tags as Record<string, string> | undefined) ?? undefined,
    destination: {
      bucketArn: str(s3, 'bucket_arn', where),
      roleArn: str(s3, 'role_arn', where, true) || undefined,
      prefix: str(s3, 'prefix', where, true) || undefined,
      errorOutputPrefix: str(s3, 'error_output_prefix', where, true) || undefined,
      ...bufferingHints(num(s3.buffering_size), num(s3.buffering_interval), where),
      compressionFormat: compression(s3.compression_format, `${where}.compression_format`),
      fileExtension: str(s3, 'file_extension', where, true) || undefined,
      customTimeZone: str(s3, 'custom_time_zone', where, true) || undefined,
      dynamicPartitioning: dynamic ? bool(dynamic.enabled) : false,
      processingEnabled: processing ? bool(processing.enabled) : false,
      processors,
    },
  };
}

/** Model → `DeliveryStreamDescription` (JSON 1.1 timestamps are epoch seconds). */
export function describeStream(config: DeliveryStreamConfig, arn: string, version: number, createdAt: Date): Record<string, unknown> {
  const destination = config.destination;
  return {
    DeliveryStreamName: config.name,
    DeliveryStreamARN: arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: config.type,
    DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
    VersionId: String(version),
    CreateTimestamp: createdAt.getTime() / 1000,
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        ExtendedS3DestinationDescription: {
          RoleARN: destination.roleArn ?? `arn:aws:iam::000000000000:role/firehose-local`,
          BucketARN: destination.bucketArn,
          ...(destination.prefix ? { Prefix: destination.prefix } : {}),
          ...(destination.errorOutputPrefix ? { ErrorOutputPrefix: destination.errorOutputPrefix } : {}),
          BufferingHints: { SizeInMBs: destination.bufferingSizeMiB, IntervalInSeconds: destination.bufferingIntervalSeconds },
          CompressionFormat: destination.compressionFormat,
          EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
          ProcessingConfiguration: {
            Enabled: destination.processingEnabled,
            Processors: destination.processors.map((processor) => ({
              Type: processor.type,
              Parameters: Object.entries(processor.parameters).map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue })),
            })),
          },
          DynamicPartitioningConfiguration: { Enabled: destination.dynamicPartitioning },
          ...(destination.fileExtension ? { FileExtension: destination.fileExtension } : {}),
          ...(destination.customTimeZone ? { CustomTimeZone: destination.customTimeZone } : {}),
        },
      },
    ],
    HasMoreDestinations: false,
  };
}
