/**
 * Firehose's JSON 1.1 API (`X-Amz-Target: Firehose_20150804.<Operation>`),
 * plus two local-only operations on the same endpoint for tests in other
 * processes: `LocalFlush` (deliver buffers now) and `LocalSetFaultInjection`
 * (make a fraction of records fail).
 */
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, ServiceHandler } from '../../core/types';
import { jsonResponse, parseJsonBody } from '../../core/protocol';
import { configFromApi, describeStream } from './config';
import type { FirehoseService } from './firehose-service';

function decodeData(value: unknown, where: string): Buffer {
  if (typeof value !== 'string') throw new AwsServiceError('SerializationException', `${where}.Data must be a base64-encoded string`);
  return Buffer.from(value, 'base64');
}

function streamName(input: Record<string, unknown>): string {
  const name = input.DeliveryStreamName;
  if (typeof name !== 'string' || name === '') {
    throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null");
  }
  return name;
}

export function createFirehoseApi(service: FirehoseService): ServiceHandler {
  const operations: Record<string, (input: Record<string, unknown>) => Promise<unknown> | unknown> = {
    CreateDeliveryStream: (input) => ({ DeliveryStreamARN: service.create(configFromApi(input)) }),
    DescribeDeliveryStream: (input) => {
      const { stream, arn } = service.describe(streamName(input));
      return { DeliveryStreamDescription: describeStream(stream.config, arn, stream.version, stream.createdAt) };
    },
    ListDeliveryStreams: (input) => {
      const limit = typeof input.Limit === 'number' ? input.Limit : 10;
      if (!(limit >= 1 && limit <= 10000)) throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`);
      const type = input.DeliveryStreamType as string | undefined;
      const start = input.ExclusiveStartDeliveryStreamName as string | undefined;
      const names = service.names().filter((name) => (type === undefined || type === 'DirectPut') && (start === undefined || name > start));
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    },
    DeleteDeliveryStream: async (input) => {
      await service.delete(streamName(input));
      return {};
    },
    PutRecord: (input) => {
      const record = input.Record as Record<string, unknown> | undefined;
      if (!record) throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'record' failed to satisfy constraint: Member must not be null");
      return service.putRecord(streamName(input), decodeData(record.Data, 'Record'));
    },
    PutRecordBatch: (input) => {
      const records = input.Records;
      if (!Array.isArray(records)) throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not be null");
      return service.putRecords(
        streamName(input),
        records.map((record, index) => decodeData((record as Record<string, unknown> | null)?.Data, `Records[${index}]`)),
      );
    },
    LocalFlush: async (input) => {
      await service.flush(typeof input.DeliveryStreamName === 'string' ? input.DeliveryStreamName : undefined);
      return { DeliveryStreams: service.summaries() };
    },
    LocalSetFaultInjection: (input) => {
      const rate = input.FailureRate;
      if (typeof rate !== 'number') throw new AwsServiceError('ValidationException', 'FailureRate (a number between 0 and 1) is required; 0 turns fault injection off');
      service.setFaults({ failureRate: rate, errorCode: input.ErrorCode as string | undefined, errorMessage: input.ErrorMessage as string | undefined });
      return { FailureRate: rate };
    },
  };

  return {
    serviceNames: ['firehose'],
    async handle(request: AwsRequest): Promise<AwsResponse> {
      const operation = request.operation;
      const run = operation ? operations[operation] : undefined;
      if (!run) {
        throw new AwsServiceError('UnknownOperationException', `The local Firehose does not implement ${operation ?? '(no X-Amz-Target)'}; implemented: ${Object.keys(operations).join(', ')}`);
      }
      return jsonResponse(await run(parseJsonBody(request)), { protocol: 'awsJson1_1' });
    },
  };
}
