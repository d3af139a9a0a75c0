/**
 * Custom message: the branded, localised words of every code Cognito sends.
 * The language comes from the user's `locale` attribute (default English);
 * the code stays Cognito's placeholder, which Cognito fills in after we answer.
 */
import { withObservability } from '@kestrel/observability';
import { renderMessage } from '../domain/messages';
import type { MessageKind } from '../domain/messages';
import { TriggerRejection } from '../domain/rejection';
import { personName } from '../domain/text-rules';
import { customMessageEvent } from '../adapters/cognito-events';
import type { CustomMessageEvent } from '../adapters/cognito-events';
import { cognitoTrigger } from '../adapters/trigger-runtime';
import type { TriggerOptions } from '../adapters/trigger-runtime';

const KINDS = {
  CustomMessage_SignUp: 'sign-up',
  CustomMessage_ResendCode: 'sign-up',
  CustomMessage_ForgotPassword: 'forgot-password',
  CustomMessage_UpdateUserAttribute: 'verify-attribute',
  CustomMessage_VerifyUserAttribute: 'verify-attribute',
  CustomMessage_AdminCreateUser: 'invitation',
  CustomMessage_Authentication: 'sign-in-code',
} as const satisfies Record<CustomMessageEvent['triggerSource'], MessageKind>;

/** A greeting name only when it is a clean name; otherwise the neutral greeting. */
function greetingName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    return personName('given_name', raw);
  } catch {
    return undefined;
  }
}

export function createHandler(options: TriggerOptions = {}) {
  return cognitoTrigger('CustomMessage', customMessageEvent, (event) => {
    const kind = KINDS[event.triggerSource];
    const { codeParameter, usernameParameter, userAttributes } = event.request;
    if (kind === 'invitation' && !usernameParameter) throw new TriggerRejection('The invitation cannot be sent without a user name.');
    const message = renderMessage({
      kind,
      locale: userAttributes.locale,
      givenName: greetingName(userAttributes.given_name),
      code: codeParameter,
      ...(usernameParameter ? { username: usernameParameter } : {}),
    });
    return { emailSubject: message.emailSubject, emailMessage: message.emailMessage, smsMessage: message.smsMessage };
  }, options);
}

export const handler = withObservability(createHandler(), { service: 'identity', functionName: 'cognito-custom-message' });
