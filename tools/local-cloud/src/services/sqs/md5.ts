/**
 * The digests SQS returns with every message. SDK v3 recomputes
 * `MD5OfMessageBody` on SendMessage(Batch) and ReceiveMessage and throws on a
 * mismatch, so these must be exact.
 */
import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from '../../core/types';

/** MD5 hex digest of a message body's UTF-8 bytes. */
export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/**
 * MD5 of message attributes, the way SQS documents it: attributes sorted by
 * name; for each, the length-prefixed name, length-prefixed data type, one
 * transport byte (1 = string/number, 2 = binary) and the length-prefixed value.
 *
 * @example
 * md5OfMessageAttributes({ kind: { DataType: 'String', StringValue: 'a' } }) // 32 hex chars
 */
export function md5OfMessageAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name] as MessageAttributeValue;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(attribute.BinaryValue));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
