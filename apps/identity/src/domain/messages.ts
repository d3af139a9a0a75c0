/**
 * The words Cognito sends: branded, localised, with the code placeholder
 * exactly where Cognito will put the code. Cognito's rules for a custom
 * message response: the email body must contain the `codeParameter` it gave
 * (`{####}`), an invitation must also contain the `usernameParameter`
 * (`{username}`), the subject is at most 140 characters, the email at most
 * 20,000, an SMS at most 140. `renderMessage` checks all of them, so a bad
 * translation fails in tests rather than in a user's inbox.
 */
export const BRAND = 'Kestrel';

export type MessageKind = 'sign-up' | 'forgot-password' | 'verify-attribute' | 'invitation' | 'sign-in-code';

export const SUPPORTED_LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

export const MESSAGE_LIMITS = { subject: 140, email: 20_000, sms: 140 } as const;

interface Template {
  subject: string;
  /** One or more paragraphs; `{code}`, `{username}`, `{greeting}` are filled in. */
  paragraphs: string[];
  sms: string;
}

interface LanguageFrame {
  greeting: (name: string | undefined) => string;
  footer: string;
}

/** One message kind in every supported language. */
export type LocalisedTemplates = Record<Language, Template>;

// The greeting and footer every email of a language shares.
const FRAMES: Record<Language, LanguageFrame> = {
  en: {
    greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
    footer: 'If you did not ask for this, you can ignore this email.',
  },
  de: {
    greeting: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
    footer: 'Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  },
  fr: {
    greeting: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
    footer: "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail.",
  },
  es: {
    greeting: (name) => (name ? `Hola ${name}:` : 'Hola:'),
    footer: 'Si no lo solicitaste, puedes ignorar este correo.',
  },
};

// One constant per kind, so a handler that sends one kind bundles only its words
// (create-auth-challenge mails sign-in codes only). Plain string literals, the brand as `{brand}`:
// esbuild drops an unused object only when it can prove building it has no side effects, which an
// interpolated `${BRAND}` prevents.
export const SIGN_UP_TEMPLATES: LocalisedTemplates = {
  en: {
    subject: 'Your {brand} verification code',
    paragraphs: ['Welcome to {brand}! Your verification code is:', '{code}', 'It expires in 24 hours.'],
    sms: 'Your {brand} verification code is {code}',
  },
  de: {
    subject: 'Ihr {brand}-Bestätigungscode',
    paragraphs: ['Willkommen bei {brand}! Ihr Bestätigungscode lautet:', '{code}', 'Er ist 24 Stunden gültig.'],
    sms: 'Ihr {brand}-Bestätigungscode: {code}',
  },
  fr: {
    subject: 'Votre code de vérification {brand}',
    paragraphs: ['Bienvenue sur {brand} ! Votre code de vérification est :', '{code}', 'Il expire dans 24 heures.'],
    sms: 'Votre code de vérification {brand} : {code}',
  },
  es: {
    subject: 'Tu código de verificación de {brand}',
    paragraphs: ['¡Te damos la bienvenida a {brand}! Tu código de verificación es:', '{code}', 'Caduca en 24 horas.'],
    sms: 'Tu código de verificación de {brand}: {code}',
  },
};

export const FORGOT_PASSWORD_TEMPLATES: LocalisedTemplates = {
  en: {
    subject: 'Reset your {brand} password',
    paragraphs: ['We received a request to reset your password. Your code is:', '{code}', 'It expires in 1 hour.'],
    sms: 'Your {brand} password reset code is {code}',
  },
  de: {
    subject: 'Ihr {brand}-Passwort zurücksetzen',
    paragraphs: ['Wir haben eine Anfrage zum Zurücksetzen Ihres Passworts erhalten. Ihr Code lautet:', '{code}', 'Er ist 1 Stunde gültig.'],
    sms: 'Ihr {brand}-Code zum Zurücksetzen: {code}',
  },
  fr: {
    subject: 'Réinitialiser votre mot de passe {brand}',
    paragraphs: ['Nous avons reçu une demande de réinitialisation de votre mot de passe. Votre code est :', '{code}', 'Il expire dans 1 heure.'],
    sms: 'Votre code de réinitialisation {brand} : {code}',
  },
  es: {
    subject: 'Restablece tu contraseña de {brand}',
    paragraphs: ['Hemos recibido una solicitud para restablecer tu contraseña. Tu código es:', '{code}', 'Caduca en 1 hora.'],
    sms: 'Tu código para restablecer la contraseña de {brand}: {code}',
  },
};

export const VERIFY_ATTRIBUTE_TEMPLATES: LocalisedTemplates = {
  en: {
    subject: 'Confirm your new {brand} contact details',
    paragraphs: ['Please confirm this address with the code:', '{code}'],
    sms: 'Your {brand} confirmation code is {code}',
  },
  de: {
    subject: 'Bestätigen Sie Ihre neuen {brand}-Kontaktdaten',
    paragraphs: ['Bitte bestätigen Sie diese Adresse mit dem Code:', '{code}'],
    sms: 'Ihr {brand}-Bestätigungscode: {code}',
  },
  fr: {
    subject: 'Confirmez vos nouvelles coordonnées {brand}',
    paragraphs: ['Veuillez confirmer cette adresse avec le code :', '{code}'],
    sms: 'Votre code de confirmation {brand} : {code}',
  },
  es: {
    subject: 'Confirma tus nuevos datos de contacto de {brand}',
    paragraphs: ['Confirma esta dirección con el código:', '{code}'],
    sms: 'Tu código de confirmación de {brand}: {code}',
  },
};

export const INVITATION_TEMPLATES: LocalisedTemplates = {
  en: {
    subject: 'You are invited to {brand}',
    paragraphs: ['An account was created for you. Sign in with the user name {username} and this temporary password:', '{code}', 'You will choose your own password when you first sign in.'],
    sms: '{brand}: user {username}, temporary password {code}',
  },
  de: {
    subject: 'Ihre Einladung zu {brand}',
    paragraphs: ['Für Sie wurde ein Konto angelegt. Melden Sie sich mit dem Benutzernamen {username} und diesem vorläufigen Passwort an:', '{code}', 'Bei der ersten Anmeldung wählen Sie Ihr eigenes Passwort.'],
    sms: '{brand}: Benutzer {username}, vorläufiges Passwort {code}',
  },
  fr: {
    subject: 'Votre invitation à {brand}',
    paragraphs: ["Un compte a été créé pour vous. Connectez-vous avec l'identifiant {username} et ce mot de passe temporaire :", '{code}', 'Vous choisirez votre propre mot de passe lors de la première connexion.'],
    sms: '{brand} : identifiant {username}, mot de passe temporaire {code}',
  },
  es: {
    subject: 'Tu invitación a {brand}',
    paragraphs: ['Hemos creado una cuenta para ti. Inicia sesión con el usuario {username} y esta contraseña temporal:', '{code}', 'Elegirás tu propia contraseña la primera vez que inicies sesión.'],
    sms: '{brand}: usuario {username}, contraseña temporal {code}',
  },
};

export const SIGN_IN_CODE_TEMPLATES: LocalisedTemplates = {
  en: {
    subject: 'Your {brand} sign-in code',
    paragraphs: ['Your sign-in code is:', '{code}', 'It expires in a few minutes. Never share it with anyone.'],
    sms: 'Your {brand} sign-in code is {code}',
  },
  de: {
    subject: 'Ihr {brand}-Anmeldecode',
    paragraphs: ['Ihr Anmeldecode lautet:', '{code}', 'Er ist nur wenige Minuten gültig. Geben Sie ihn niemals weiter.'],
    sms: 'Ihr {brand}-Anmeldecode: {code}',
  },
  fr: {
    subject: 'Votre code de connexion {brand}',
    paragraphs: ['Votre code de connexion est :', '{code}', 'Il expire dans quelques minutes. Ne le partagez jamais.'],
    sms: 'Votre code de connexion {brand} : {code}',
  },
  es: {
    subject: 'Tu código de inicio de sesión de {brand}',
    paragraphs: ['Tu código de inicio de sesión es:', '{code}', 'Caduca en unos minutos. No lo compartas nunca.'],
    sms: 'Tu código de inicio de sesión de {brand}: {code}',
  },
};

const TEMPLATES: Record<MessageKind, LocalisedTemplates> = {
  'sign-up': SIGN_UP_TEMPLATES,
  'forgot-password': FORGOT_PASSWORD_TEMPLATES,
  'verify-attribute': VERIFY_ATTRIBUTE_TEMPLATES,
  'invitation': INVITATION_TEMPLATES,
  'sign-in-code': SIGN_IN_CODE_TEMPLATES,
};

/**
 * The supported language for a BCP 47 locale: its primary language if we
 * have it, otherwise English.
 *
 * @example
 * languageOf('de-AT'); // 'de'
 * languageOf('pt-BR'); // 'en'
 */
export function languageOf(locale: string | undefined): Language {
  const primary = (locale ?? '').split('-')[0]?.toLowerCase() ?? '';
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : 'en';
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

export interface MessageInput {
  kind: MessageKind;
  locale: string | undefined;
  /** The recipient's first name, if known and clean; escaped here. */
  givenName?: string;
  /** What Cognito will replace with the code (`{####}`), or the code itself for our own emails. */
  code: string;
  /** For invitations: what Cognito will replace with the user name (`{username}`). */
  username?: string;
}

export interface RenderedMessage {
  language: Language;
  emailSubject: string;
  emailMessage: string;
  smsMessage: string;
}

/** A message broke one of Cognito's rules: a bug in a template, not the user's fault. */
export class MessageTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessageTemplateError';
  }
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(code|username|brand)\}/g, (_, key: string) => values[key] ?? '');
}

/**
 * Renders the subject, HTML email and SMS for one message kind, then checks
 * Cognito's placeholder and length rules.
 *
 * @example
 * renderMessage({ kind: 'sign-up', locale: 'de-DE', givenName: 'Zoë', code: '{####}' }).emailSubject;
 * // 'Ihr Kestrel-Bestätigungscode'
 */
export function renderMessage(input: MessageInput): RenderedMessage {
  return renderTemplates(TEMPLATES[input.kind], input);
}

/**
 * {@link renderMessage} with the kind's templates passed in, for a handler that sends one kind:
 * its bundle then holds that kind's words only.
 *
 * @example
 * renderTemplates(SIGN_IN_CODE_TEMPLATES, { kind: 'sign-in-code', locale: 'fr', code: '482913' }).emailSubject;
 * // 'Votre code de connexion Kestrel'
 */
export function renderTemplates(templates: LocalisedTemplates, input: MessageInput): RenderedMessage {
  const language = languageOf(input.locale);
  const frame = FRAMES[language];
  const template = templates[language];
  const values = { code: input.code, username: input.username ?? '', brand: BRAND };
  const paragraphs = template.paragraphs.map((paragraph) =>
    paragraph === '{code}'
      ? `<p style="font-size:24px;font-weight:bold;letter-spacing:4px">${fill(paragraph, values)}</p>`
      : `<p>${fill(escapeHtml(paragraph), values)}</p>`,
  );
  const greeting = escapeHtml(frame.greeting(input.givenName));
  const emailMessage = [
    `<!doctype html><html lang="${language}"><body style="font-family:sans-serif">`,
    `<p>${greeting}</p>`,
    ...paragraphs,
    `<p style="color:#666">${escapeHtml(frame.footer)}</p>`,
    `<p>— ${BRAND}</p></body></html>`,
  ].join('');
  const rendered: RenderedMessage = {
    language,
    emailSubject: fill(template.subject, values),
    emailMessage,
    smsMessage: fill(template.sms, values),
  };
  checkMessage(rendered, input);
  return rendered;
}

function occurrences(text: string, part: string): number {
  return part === '' ? 0 : text.split(part).length - 1;
}

/** Cognito's rules for a custom message response; throws naming the broken one. */
export function checkMessage(message: RenderedMessage, input: Pick<MessageInput, 'kind' | 'code' | 'username'>): void {
  const problems: string[] = [];
  if (occurrences(message.emailMessage, input.code) !== 1) problems.push(`email must contain the code placeholder ${input.code} exactly once`);
  if (occurrences(message.smsMessage, input.code) !== 1) problems.push(`SMS must contain the code placeholder ${input.code} exactly once`);
  if (input.kind === 'invitation') {
    if (!input.username || occurrences(message.emailMessage, input.username) < 1) problems.push('an invitation email must contain the username placeholder');
    if (!input.username || occurrences(message.smsMessage, input.username) < 1) problems.push('an invitation SMS must contain the username placeholder');
  }
  if (message.emailSubject.length > MESSAGE_LIMITS.subject) problems.push(`subject is over ${MESSAGE_LIMITS.subject} characters`);
  if (message.emailMessage.length > MESSAGE_LIMITS.email) problems.push(`email is over ${MESSAGE_LIMITS.email} characters`);
  if (message.smsMessage.length > MESSAGE_LIMITS.sms) problems.push(`SMS is over ${MESSAGE_LIMITS.sms} characters`);
  if (problems.length > 0) throw new MessageTemplateError(`The ${input.kind} message (${message.language}) breaks Cognito's rules: ${problems.join('; ')}`);
}
