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

interface LanguagePack {
  greeting: (name: string | undefined) => string;
  footer: string;
  templates: Record<MessageKind, Template>;
}

const en: LanguagePack = {
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  footer: 'If you did not ask for this, you can ignore this email.',
  templates: {
    'sign-up': {
      subject: `Your ${BRAND} verification code`,
      paragraphs: ['Welcome to {brand}! Your verification code is:', '{code}', 'It expires in 24 hours.'],
      sms: `Your ${BRAND} verification code is {code}`,
    },
    'forgot-password': {
      subject: `Reset your ${BRAND} password`,
      paragraphs: ['We received a request to reset your password. Your code is:', '{code}', 'It expires in 1 hour.'],
      sms: `Your ${BRAND} password reset code is {code}`,
    },
    'verify-attribute': {
      subject: `Confirm your new ${BRAND} contact details`,
      paragraphs: ['Please confirm this address with the code:', '{code}'],
      sms: `Your ${BRAND} confirmation code is {code}`,
    },
    invitation: {
      subject: `You are invited to ${BRAND}`,
      paragraphs: ['An account was created for you. Sign in with the user name {username} and this temporary password:', '{code}', 'You will choose your own password when you first sign in.'],
      sms: `${BRAND}: user {username}, temporary password {code}`,
    },
    'sign-in-code': {
      subject: `Your ${BRAND} sign-in code`,
      paragraphs: ['Your sign-in code is:', '{code}', 'It expires in a few minutes. Never share it with anyone.'],
      sms: `Your ${BRAND} sign-in code is {code}`,
    },
  },
};

const de: LanguagePack = {
  greeting: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
  footer: 'Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.',
  templates: {
    'sign-up': {
      subject: `Ihr ${BRAND}-Bestätigungscode`,
      paragraphs: ['Willkommen bei {brand}! Ihr Bestätigungscode lautet:', '{code}', 'Er ist 24 Stunden gültig.'],
      sms: `Ihr ${BRAND}-Bestätigungscode: {code}`,
    },
    'forgot-password': {
      subject: `Ihr ${BRAND}-Passwort zurücksetzen`,
      paragraphs: ['Wir haben eine Anfrage zum Zurücksetzen Ihres Passworts erhalten. Ihr Code lautet:', '{code}', 'Er ist 1 Stunde gültig.'],
      sms: `Ihr ${BRAND}-Code zum Zurücksetzen: {code}`,
    },
    'verify-attribute': {
      subject: `Bestätigen Sie Ihre neuen ${BRAND}-Kontaktdaten`,
      paragraphs: ['Bitte bestätigen Sie diese Adresse mit dem Code:', '{code}'],
      sms: `Ihr ${BRAND}-Bestätigungscode: {code}`,
    },
    invitation: {
      subject: `Ihre Einladung zu ${BRAND}`,
      paragraphs: ['Für Sie wurde ein Konto angelegt. Melden Sie sich mit dem Benutzernamen {username} und diesem vorläufigen Passwort an:', '{code}', 'Bei der ersten Anmeldung wählen Sie Ihr eigenes Passwort.'],
      sms: `${BRAND}: Benutzer {username}, vorläufiges Passwort {code}`,
    },
    'sign-in-code': {
      subject: `Ihr ${BRAND}-Anmeldecode`,
      paragraphs: ['Ihr Anmeldecode lautet:', '{code}', 'Er ist nur wenige Minuten gültig. Geben Sie ihn niemals weiter.'],
      sms: `Ihr ${BRAND}-Anmeldecode: {code}`,
    },
  },
};

const fr: LanguagePack = {
  greeting: (name) => (name ? `Bonjour ${name},` : 'Bonjour,'),
  footer: "Si vous n'êtes pas à l'origine de cette demande, ignorez cet e-mail.",
  templates: {
    'sign-up': {
      subject: `Votre code de vérification ${BRAND}`,
      paragraphs: ['Bienvenue sur {brand} ! Votre code de vérification est :', '{code}', 'Il expire dans 24 heures.'],
      sms: `Votre code de vérification ${BRAND} : {code}`,
    },
    'forgot-password': {
      subject: `Réinitialiser votre mot de passe ${BRAND}`,
      paragraphs: ['Nous avons reçu une demande de réinitialisation de votre mot de passe. Votre code est :', '{code}', 'Il expire dans 1 heure.'],
      sms: `Votre code de réinitialisation ${BRAND} : {code}`,
    },
    'verify-attribute': {
      subject: `Confirmez vos nouvelles coordonnées ${BRAND}`,
      paragraphs: ['Veuillez confirmer cette adresse avec le code :', '{code}'],
      sms: `Votre code de confirmation ${BRAND} : {code}`,
    },
    invitation: {
      subject: `Votre invitation à ${BRAND}`,
      paragraphs: ["Un compte a été créé pour vous. Connectez-vous avec l'identifiant {username} et ce mot de passe temporaire :", '{code}', 'Vous choisirez votre propre mot de passe lors de la première connexion.'],
      sms: `${BRAND} : identifiant {username}, mot de passe temporaire {code}`,
    },
    'sign-in-code': {
      subject: `Votre code de connexion ${BRAND}`,
      paragraphs: ['Votre code de connexion est :', '{code}', 'Il expire dans quelques minutes. Ne le partagez jamais.'],
      sms: `Votre code de connexion ${BRAND} : {code}`,
    },
  },
};

const es: LanguagePack = {
  greeting: (name) => (name ? `Hola ${name}:` : 'Hola:'),
  footer: 'Si no lo solicitaste, puedes ignorar este correo.',
  templates: {
    'sign-up': {
      subject: `Tu código de verificación de ${BRAND}`,
      paragraphs: ['¡Te damos la bienvenida a {brand}! Tu código de verificación es:', '{code}', 'Caduca en 24 horas.'],
      sms: `Tu código de verificación de ${BRAND}: {code}`,
    },
    'forgot-password': {
      subject: `Restablece tu contraseña de ${BRAND}`,
      paragraphs: ['Hemos recibido una solicitud para restablecer tu contraseña. Tu código es:', '{code}', 'Caduca en 1 hora.'],
      sms: `Tu código para restablecer la contraseña de ${BRAND}: {code}`,
    },
    'verify-attribute': {
      subject: `Confirma tus nuevos datos de contacto de ${BRAND}`,
      paragraphs: ['Confirma esta dirección con el código:', '{code}'],
      sms: `Tu código de confirmación de ${BRAND}: {code}`,
    },
    invitation: {
      subject: `Tu invitación a ${BRAND}`,
      paragraphs: ['Hemos creado una cuenta para ti. Inicia sesión con el usuario {username} y esta contraseña temporal:', '{code}', 'Elegirás tu propia contraseña la primera vez que inicies sesión.'],
      sms: `${BRAND}: usuario {username}, contraseña temporal {code}`,
    },
    'sign-in-code': {
      subject: `Tu código de inicio de sesión de ${BRAND}`,
      paragraphs: ['Tu código de inicio de sesión es:', '{code}', 'Caduca en unos minutos. No lo compartas nunca.'],
      sms: `Tu código de inicio de sesión de ${BRAND}: {code}`,
    },
  },
};

const PACKS: Record<Language, LanguagePack> = { en, de, fr, es };

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
  const language = languageOf(input.locale);
  const pack = PACKS[language];
  const template = pack.templates[input.kind];
  const values = { code: input.code, username: input.username ?? '', brand: BRAND };
  const paragraphs = template.paragraphs.map((paragraph) =>
    paragraph === '{code}'
      ? `<p style="font-size:24px;font-weight:bold;letter-spacing:4px">${fill(paragraph, values)}</p>`
      : `<p>${fill(escapeHtml(paragraph), values)}</p>`,
  );
  const greeting = escapeHtml(pack.greeting(input.givenName));
  const emailMessage = [
    `<!doctype html><html lang="${language}"><body style="font-family:sans-serif">`,
    `<p>${greeting}</p>`,
    ...paragraphs,
    `<p style="color:#666">${escapeHtml(pack.footer)}</p>`,
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
