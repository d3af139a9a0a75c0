import { describe, expect, it } from 'vitest';
import { checkMessage, languageOf, MESSAGE_LIMITS, MessageTemplateError, renderMessage, SUPPORTED_LANGUAGES } from '../../src/domain/messages';
import type { MessageKind } from '../../src/domain/messages';

const KINDS: MessageKind[] = ['sign-up', 'forgot-password', 'verify-attribute', 'invitation', 'sign-in-code'];

describe('custom messages', () => {
  it.each(SUPPORTED_LANGUAGES.flatMap((language) => KINDS.map((kind) => [language, kind] as const)))('%s %s follows Cognito’s placeholder and length rules', (language, kind) => {
    // act
    const message = renderMessage({ kind, locale: language, givenName: 'Zoë', code: '{####}', username: '{username}' });
    // assess
    expect(message.language).toBe(language);
    expect(message.emailMessage.split('{####}')).toHaveLength(2);
    expect(message.smsMessage.split('{####}')).toHaveLength(2);
    if (kind === 'invitation') {
      expect(message.emailMessage).toContain('{username}');
      expect(message.smsMessage).toContain('{username}');
    }
    expect(message.emailSubject.length).toBeLessThanOrEqual(MESSAGE_LIMITS.subject);
    expect(message.smsMessage.length).toBeLessThanOrEqual(MESSAGE_LIMITS.sms);
    expect(message.emailMessage).toContain(`lang="${language}"`);
  });

  it('picks the language from the locale and falls back to English', () => {
    expect(languageOf('de-AT')).toBe('de');
    expect(languageOf('fr')).toBe('fr');
    expect(languageOf('pt-BR')).toBe('en');
    expect(languageOf(undefined)).toBe('en');
    expect(renderMessage({ kind: 'forgot-password', locale: 'es-MX', code: '{####}' }).emailSubject).toBe('Restablece tu contraseña de Kestrel');
  });

  it('escapes the name it greets', () => {
    const message = renderMessage({ kind: 'sign-up', locale: 'en', givenName: '<b>Ada</b> & "Bob"', code: '{####}' });
    expect(message.emailMessage).toContain('Hello &#60;b&#62;Ada&#60;/b&#62; &#38; &#34;Bob&#34;,');
    expect(message.emailMessage).not.toContain('<b>Ada');
  });

  it('greets neutrally without a name', () => {
    expect(renderMessage({ kind: 'sign-up', locale: 'de', code: '{####}' }).emailMessage).toContain('<p>Hallo,</p>');
  });

  it('refuses a message that loses the code placeholder or an invitation without the user name', () => {
    const broken = { language: 'en' as const, emailSubject: 'Hi', emailMessage: '<p>no code</p>', smsMessage: 'code {####}' };
    expect(() => checkMessage(broken, { kind: 'sign-up', code: '{####}' })).toThrow(MessageTemplateError);
    expect(() => checkMessage(broken, { kind: 'sign-up', code: '{####}' })).toThrow(/email must contain the code placeholder \{####\} exactly once/);
    const noUser = { language: 'en' as const, emailSubject: 'Hi', emailMessage: '{####}', smsMessage: '{####}' };
    expect(() => checkMessage(noUser, { kind: 'invitation', code: '{####}', username: '{username}' })).toThrow(/username placeholder/);
  });
});
