/**
 * THE MANIFEST of the identity context: open this first.
 *
 * Sign-up and sign-in go through one Amazon Cognito user pool (built in `infra/identity.stack.ts`);
 * Cognito calls the functions below at fixed points of its flows. Each trigger has 5 seconds and
 * is retried up to three times, so every function here is small, parses the real Cognito event,
 * and is idempotent where it has effects.
 *
 * Events leave through the `identity` table's outbox, never by a direct PutEvents: the trigger
 * writes one transaction (the idempotency or audit record plus the outbox item) — a single
 * DynamoDB call of a few milliseconds inside Cognito's 5 s budget — and the outbox pipe publishes
 * it. A direct PutEvents would put a second network dependency in the sign-up path, and its
 * failure after the idempotency record was written would lose the event or, retried, duplicate
 * it; the transaction makes "recorded" and "will be published" one fact.
 *
 * Access the manifest cannot express yet (granted in the stack, scoped to this pool or identity):
 * `cognito-idp:AdminAddUserToGroup` for the two functions that put users in the `customers`
 * group, and `ses:SendEmail` for the one-time-code mail.
 */
import { UserRegisteredV1, UserSignedInV1 } from '@kestrel/contracts';
import { defineService } from '@kestrel/service-manifest';

/**
 * The secret SSM SecureString the one-time codes' HMAC is keyed with: created by
 * an operator (README runbook), never by Terraform, so it is neither in the
 * table beside the hashes nor in state. `{env}` is the environment.
 */
export const ONE_TIME_CODE_KEY_PARAMETER = '/kestrel/{env}/identity/one-time-code-key';

export default defineService({
  name: 'identity',
  description:
    'The Cognito user pool and its triggers: validates and brands sign-up, shapes tokens, migrates legacy users, passwordless one-time codes, and tells the platform who registered and signed in.',
  owner: { team: 'identity-and-access' },
  functions: {
    'cognito-pre-sign-up': {
      description: 'Validates a sign-up: normalised email, no disposable or denylisted domain, safe names; rejects with a message the app can show.',
      handler: 'src/handlers/cognito-pre-sign-up.ts',
      triggers: [{ kind: 'cognito', trigger: 'PreSignUp' }],
      memoryMb: 256,
      timeoutSeconds: 5,
    },
    'cognito-custom-message': {
      description: 'Writes the branded, localised text of every code Cognito sends (sign-up, resend, forgot password, attribute verification, invitation, MFA).',
      handler: 'src/handlers/cognito-custom-message.ts',
      triggers: [{ kind: 'cognito', trigger: 'CustomMessage' }],
      memoryMb: 256,
      timeoutSeconds: 5,
    },
    'cognito-post-confirmation': {
      description: 'Puts a newly confirmed user in the customers group and records their registration with a UserRegistered outbox item, once per user.',
      handler: 'src/handlers/cognito-post-confirmation.ts',
      triggers: [{ kind: 'cognito', trigger: 'PostConfirmation' }],
      memoryMb: 512,
      timeoutSeconds: 5,
      access: { tables: [{ table: 'identity', mode: 'write' }] },
    },
    'cognito-pre-authentication': {
      description: 'Refuses sign-in while the account is locked (too many wrong one-time codes) or suspended by support.',
      handler: 'src/handlers/cognito-pre-authentication.ts',
      triggers: [{ kind: 'cognito', trigger: 'PreAuthentication' }],
      memoryMb: 512,
      timeoutSeconds: 5,
      access: { tables: [{ table: 'identity', mode: 'read' }] },
    },
    'cognito-post-authentication': {
      description: 'Audits each sign-in with a UserSignedIn outbox item; completes the registration of users migrated from the legacy store.',
      handler: 'src/handlers/cognito-post-authentication.ts',
      triggers: [{ kind: 'cognito', trigger: 'PostAuthentication' }],
      memoryMb: 512,
      timeoutSeconds: 5,
      access: { tables: [{ table: 'identity', mode: 'write' }] },
    },
    'cognito-pre-token-generation': {
      description: 'Adds the customerId (the user sub) and roles (from groups) claims to ID and access tokens (V2 event).',
      handler: 'src/handlers/cognito-pre-token-generation.ts',
      triggers: [{ kind: 'cognito', trigger: 'PreTokenGeneration' }],
      memoryMb: 256,
      timeoutSeconds: 5,
    },
    'cognito-user-migration': {
      description: 'Moves a legacy user into the pool on first sign-in or forgot-password after checking their scrypt password hash.',
      handler: 'src/handlers/cognito-user-migration.ts',
      triggers: [{ kind: 'cognito', trigger: 'UserMigration' }],
      // scrypt verification is CPU-bound: more memory buys a proportionally faster CPU.
      memoryMb: 1024,
      timeoutSeconds: 5,
      access: { tables: [{ table: 'legacy-users', mode: 'read' }] },
    },
    'cognito-define-auth-challenge': {
      description: 'Runs the passwordless sign-in sequence: one-time-code challenges until one is answered, failing after three wrong answers.',
      handler: 'src/handlers/cognito-define-auth-challenge.ts',
      triggers: [{ kind: 'cognito', trigger: 'DefineAuthChallenge' }],
      memoryMb: 256,
      timeoutSeconds: 5,
    },
    'cognito-create-auth-challenge': {
      description: 'Creates a one-time sign-in code, stores only its keyed hash with an expiry, and emails the code.',
      handler: 'src/handlers/cognito-create-auth-challenge.ts',
      triggers: [{ kind: 'cognito', trigger: 'CreateAuthChallenge' }],
      memoryMb: 512,
      timeoutSeconds: 5,
      access: { tables: [{ table: 'identity', mode: 'write' }], parameters: [ONE_TIME_CODE_KEY_PARAMETER] },
    },
    'cognito-verify-auth-challenge': {
      description: 'Checks a one-time code against its hash within its expiry and attempt limit; locks the account after repeated failures.',
      handler: 'src/handlers/cognito-verify-auth-challenge.ts',
      triggers: [{ kind: 'cognito', trigger: 'VerifyAuthChallengeResponse' }],
      memoryMb: 512,
      timeoutSeconds: 5,
      access: { tables: [{ table: 'identity', mode: 'write' }], parameters: [ONE_TIME_CODE_KEY_PARAMETER] },
    },
  },
  tables: {
    identity: {
      description:
        'Registrations (one per user: the idempotency record), sign-in audit, sign-in guards (failures, locks), one-time-code challenges, and the outbox.',
      globalIndexes: [],
      stream: true,
      ttl: true,
    },
    'legacy-users': {
      description: 'Users of the legacy store with their password hashes, read only by the migration trigger; retired once migration ends.',
      globalIndexes: [],
      stream: false,
      ttl: false,
    },
  },
  publishes: [
    { event: UserRegisteredV1, via: 'outbox', table: 'identity' },
    { event: UserSignedInV1, via: 'outbox', table: 'identity' },
  ],
  consumes: [],
});
