/**
 * Amazon SES v2 `SendEmail` as an outbox: nothing leaves the machine. Each message is kept (last
 * 100) and listed in `/_local/state` under `sentEmails`, so a test can read what a handler mailed
 * (a one-time sign-in code, say) exactly as the recipient would. Only simple and raw content is
 * understood; templates, identities and sending quotas are not emulated.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../../core/types';
import type { AwsRequest, AwsResponse, LocalCloudContext, LocalServiceFactory, LocalServiceModule } from '../../core/types';
import { jsonResponse, parseJsonBody } from '../../core/protocol';

/** One message as the outbox keeps it. */
export interface SentEmail {
  messageId: string;
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject?: string;
  text?: string;
  html?: string;
  /** Base64 MIME of a raw message. */
  raw?: string;
  sentAt: string;
}

const KEPT = 100;
const SEND_EMAIL_PATH = '/v2/email/outbound-emails';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const addresses = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const dataOf = (value: unknown): string | undefined => (isRecord(value) && typeof value.Data === 'string' ? value.Data : undefined);

/** The outbox entry for a `SendEmail` body; field-level errors as SES words them. */
export function toSentEmail(body: Record<string, unknown>, messageId: string, now: Date): SentEmail {
  const destination = isRecord(body.Destination) ? body.Destination : {};
  const to = addresses(destination.ToAddresses);
  const cc = addresses(destination.CcAddresses);
  const bcc = addresses(destination.BccAddresses);
  const content = isRecord(body.Content) ? body.Content : undefined;
  if (!content) throw new AwsServiceError('BadRequestException', 'Content is required.');
  const simple = isRecord(content.Simple) ? content.Simple : undefined;
  const raw = isRecord(content.Raw) ? content.Raw : undefined;
  if (!simple && !raw) throw new AwsServiceError('BadRequestException', 'Content must contain Simple or Raw (Template is not emulated locally).');
  if (simple && to.length + cc.length + bcc.length === 0) throw new AwsServiceError('BadRequestException', 'Destination: at least one recipient is required.');
  const bodyPart = simple && isRecord(simple.Body) ? simple.Body : {};
  return {
    messageId,
    from: typeof body.FromEmailAddress === 'string' ? body.FromEmailAddress : undefined,
    to,
    cc,
    bcc,
    subject: simple ? dataOf(simple.Subject) : undefined,
    text: dataOf(bodyPart.Text),
    html: dataOf(bodyPart.Html),
    raw: raw && typeof raw.Data === 'string' ? raw.Data : undefined,
    sentAt: now.toISOString(),
  };
}

export const createSesModule: LocalServiceFactory = (context: LocalCloudContext): LocalServiceModule => {
  const outbox: SentEmail[] = [];

  async function handle(request: AwsRequest): Promise<AwsResponse> {
    if (request.method !== 'POST' || request.path !== SEND_EMAIL_PATH) {
      throw new AwsServiceError('UnsupportedOperationException', `SES ${request.method} ${request.path} is not emulated locally (only SES v2 SendEmail, kept in an outbox)`);
    }
    const sent = toSentEmail(parseJsonBody(request), `local-${randomUUID()}`, new Date());
    outbox.push(sent);
    if (outbox.length > KEPT) outbox.shift();
    context.log(`ses: kept email ${sent.messageId} to ${sent.to.join(', ')} (${sent.subject ?? 'raw'})`);
    return jsonResponse({ MessageId: sent.messageId }, { protocol: 'restJson1' });
  }

  return {
    name: 'ses',
    handlers: [{ serviceNames: ['ses'], handle }],
    provisioners: [],
    state: [{ stateKey: 'sentEmails', describe: () => outbox.slice() }],
    async stop() {},
  };
};
