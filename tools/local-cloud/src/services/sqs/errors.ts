/**
 * SQS errors as the JSON protocol carries them. SQS is "query compatible":
 * besides `__type`, it sends `x-amzn-query-error: <legacy code>;Sender`, and
 * SDK v3 reads the legacy code from that header first to pick the modelled
 * exception (`AWS.SimpleQueueService.NonExistentQueue` → `QueueDoesNotExist`).
 */
import { AwsServiceError } from '../../core/types';

function sqsError(code: string, queryCode: string, message: string, status = 400): AwsServiceError {
  return new AwsServiceError(code, message, status, {}, { 'x-amzn-query-error': `${queryCode};Sender` });
}

export const SqsErrors = {
  nonExistentQueue: () =>
    sqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'),
  queueAlreadyExists: (name: string) =>
    sqsError('QueueNameExists', 'QueueAlreadyExists', `A queue already exists with the same name and a different value for attribute(s) of ${name}`),
  invalidParameterValue: (message: string) => sqsError('InvalidParameterValue', 'InvalidParameterValue', message),
  missingParameter: (name: string) =>
    sqsError('MissingParameter', 'MissingParameter', `The request must contain the parameter ${name}.`),
  invalidAttributeName: (name: string) =>
    sqsError('InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidAttributeValue: (name: string, reason: string) =>
    sqsError('InvalidAttributeValue', 'InvalidAttributeValue', `Invalid value for the parameter ${name}. Reason: ${reason}`),
  receiptHandleIsInvalid: (handle: string) =>
    sqsError('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404),
  messageNotInflight: () => sqsError('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 'The message referred to is not in flight.'),
  invalidMessageContents: () =>
    sqsError('InvalidMessageContents', 'InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF'),
  purgeQueueInProgress: (name: string) =>
    sqsError('PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', `Only one PurgeQueue operation on ${name} is allowed every 60 seconds.`, 403),
  emptyBatchRequest: () =>
    sqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.'),
  tooManyEntriesInBatchRequest: (count: number) =>
    sqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${count}.`),
  batchEntryIdsNotDistinct: (id: string) =>
    sqsError('BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', `Id ${id} repeated.`),
  invalidBatchEntryId: () =>
    sqsError('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.'),
  batchRequestTooLong: (size: number, limit: number) =>
    sqsError('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong', `Batch requests cannot be longer than ${limit} bytes. You have sent ${size} bytes.`),
  unsupportedOperation: (message: string) =>
    sqsError('UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', message),
  resourceNotFound: (message: string) => sqsError('ResourceNotFoundException', 'ResourceNotFoundException', message),
  invalidAction: (operation: string) =>
    new AwsServiceError('InvalidAction', `The action ${operation} is not valid for this endpoint.`, 400, {}, { 'x-amzn-query-error': 'InvalidAction;Sender' }),
};
