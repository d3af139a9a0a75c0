/**
 * Confirmation and one-time codes, locally. Cognito emails or texts them; cognito-local
 * instead logs a "Confirmation Code Delivery" box to its log file. This follows that
 * file and hands each delivery over (the module prints it on the local cloud's console
 * and lists the recent ones in `/_local/state` as `codeDeliveries`), so a developer
 * confirming a sign-up never digs through cognito-local's log.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export interface CodeDelivery {
  /** cognito-local's user name (a UUID when the pool signs in by email). */
  username: string;
  /** The email address or phone number the code would go to in AWS. */
  destination?: string;
  code: string;
  at: string;
}

const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;
const BOX = /Confirmation Code Delivery([\s\S]*?)╰/g;
const FIELD = /│\s+(Username|Destination|Code):\s+(\S+)\s*│/g;

/**
 * The code deliveries in a piece of cognito-local's log, and the text after the last
 * complete one (a box may be cut in half between two reads).
 *
 * @example
 * parseCodeDeliveries('… Confirmation Code Delivery\n│   Username:    u-1   │\n│   Code:        123456   │\n╰──╯')
 * // { deliveries: [{ username: 'u-1', code: '123456', at: … }], rest: '' }
 */
export function parseCodeDeliveries(colored: string, now = new Date()): { deliveries: CodeDelivery[]; rest: string } {
  // cognito-local colours its boxes when FORCE_COLOR reaches it (nx sets it for the tasks it runs): read the text alone.
  const text = colored.replace(ANSI_ESCAPE, '');
  const deliveries: CodeDelivery[] = [];
  let consumed = 0;
  for (const box of text.matchAll(BOX)) {
    const fields = Object.fromEntries([...(box[1] ?? '').matchAll(FIELD)].map((match) => [match[1], match[2]]));
    if (fields.Code && fields.Username) {
      deliveries.push({ username: fields.Username, ...(fields.Destination ? { destination: fields.Destination } : {}), code: fields.Code, at: now.toISOString() });
    }
    consumed = (box.index ?? 0) + box[0].length;
  }
  const rest = text.slice(consumed);
  // Keep only a possible box start: the rest of a long log without one is never needed again.
  const start = rest.lastIndexOf('Confirmation Code Delivery');
  return { deliveries, rest: start >= 0 ? rest.slice(start) : rest.slice(-64) };
}

/**
 * Follows `logFile` from its current end (earlier runs' codes are stale), polling its
 * size every `intervalMs`; returns the function that stops following.
 */
export function followCodeDeliveries(logFile: string, onDelivery: (delivery: CodeDelivery) => void, intervalMs = 200): () => void {
  let offset = existsSync(logFile) ? statSync(logFile).size : 0;
  let pending = '';
  const timer = setInterval(() => {
    if (!existsSync(logFile)) return;
    const size = statSync(logFile).size;
    if (size < offset) offset = 0; // truncated or replaced
    if (size === offset) return;
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(logFile, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    offset = size;
    const { deliveries, rest } = parseCodeDeliveries(pending + buffer.toString('utf8'));
    pending = rest;
    for (const delivery of deliveries) onDelivery(delivery);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
