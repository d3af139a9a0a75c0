/** Sends the one-time sign-in code by email through Amazon SES (the role may send only from the configured identity). */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { RenderedMessage } from '../domain/messages';
import { SDK_RETRY } from './aws-clients';

export interface CodeMailer {
  send(to: string, message: RenderedMessage): Promise<void>;
}

export class SesCodeMailer implements CodeMailer {
  constructor(
    private readonly from: string,
    private readonly client: SESv2Client = new SESv2Client({ ...SDK_RETRY }),
  ) {}

  async send(to: string, message: RenderedMessage): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [to] },
        Content: {
          Simple: {
            Subject: { Data: message.emailSubject, Charset: 'UTF-8' },
            Body: { Html: { Data: message.emailMessage, Charset: 'UTF-8' }, Text: { Data: message.smsMessage, Charset: 'UTF-8' } },
          },
        },
      }),
    );
  }
}
